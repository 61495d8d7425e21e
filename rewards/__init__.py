"""Coupons and merchants: issuing, codes and signed QR payloads, redemption exactly once."""
