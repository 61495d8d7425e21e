"""Anti-cheat: suspicious patterns on record per player, a risk score, coupons held above a
threshold until a moderator decides, and the evidence coupon templates ask for.

See docs/anti-cheat.md. Nothing here bans anybody: it records, holds and explains.
"""
