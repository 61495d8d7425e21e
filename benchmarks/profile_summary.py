"""Summarise a py-spy profile of the gateway benchmark (`PROFILE=1 make bench-gateway`).

Usage: `python benchmarks/profile_summary.py [var/bench-game-profile.txt]`. Prints the share of
samples spent under each component (a sample counts once per component on its stack, so the
shares overlap) and the functions most often on top of the stack. `native loop` is time py-spy
saw in the event loop itself, below Python: socket reads and writes, epoll, uvloop callbacks.
"""

from __future__ import annotations

import collections
import sys
from pathlib import Path

COMPONENTS = {
    "gateway: position frames": "._positions (game_server/gateway/",
    "street footfall": "game_server/district/",
    "suspicion records": "game_server/gateway/suspicion.py",
    "gateway: parse frames (pydantic)": "game_server/gateway/protocol.py",
    "geo tracker": "/geo/",
    "fast writes (asyncpg)": "FastLog.append",
    "game reactions (ORM)": "react_to_pending",
    "view loads (ORM)": "load_view",
    "auto-start (ORM)": "auto_start",
    "tracker saves": "TrackerStore.save",
    "publish events": "events/log.py",
    "prometheus metrics": "prometheus_client",
    "sqlalchemy": "sqlalchemy/",
    "asyncpg": "asyncpg/",
    "uvicorn": "uvicorn/",
    "websockets": "websockets/",
    "starlette": "starlette/",
    "garbage collector": "gc_",
}


def main(path: Path) -> None:
    total = 0
    under: collections.Counter[str] = collections.Counter()
    leaves: collections.Counter[str] = collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for name, needle in COMPONENTS.items():
            if any(needle in frame for frame in frames):
                under[name] += n
        leaf = frames[-1]
        if leaf.startswith("Runner.run ") or leaf.startswith("run_forever "):
            under["native loop"] += n
        leaves[leaf] += n
    if not total:
        sys.exit(f"{path}: no samples")
    print(f"{path}: {total} samples")
    for name, n in under.most_common():
        print(f"  {n / total:6.1%}  {name}")
    print("on top of the stack:")
    for leaf, n in leaves.most_common(15):
        print(f"  {n / total:6.1%}  {leaf[:110]}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "var/bench-game-profile.txt"))
