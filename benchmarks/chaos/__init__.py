"""The chaos suite (`make chaos`): real workers, bots and a till, and the faults they must survive.

It starts its own PostgreSQL cluster and Redis server on spare ports (never the shared ones),
two `lupiae serve` workers, a few dozen bots walking real routes and a till redeeming coupons,
then, one after the other: kills a worker (`kill -9`), stops one for 20 s (`SIGSTOP`/`SIGCONT`),
restarts Redis, restarts PostgreSQL (fast, then immediate). For each fault it counts what must
be zero — acknowledged events and redemptions lost, doubled visits, doubled rewards, answers
500, sockets closed 1011, events delivered late after recovery — and the recovery time; prints
a table and writes benchmarks/results/chaos.json. See docs/operations.md.
"""
