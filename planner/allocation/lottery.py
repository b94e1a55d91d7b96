"""Lottery numbers that break ties between equal priorities (allocation rule 2).

Anyone holding a run's published seed can recompute every application's number:

    int.from_bytes(hmac.new(seed, application_id, sha256).digest()[:8], "big") >> 11) / 2**53

The 53 bits fill a float's mantissa exactly, so the number is exported and compared at full
precision (allocation rule 4 asks for at least 48 bits).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

# A double holds 53 significant bits; keeping exactly that many makes every number exactly
# representable, so a JSON export and a recomputation agree to the last bit.
_BITS = 53
_SCALE = 2.0 ** -_BITS


def tiebreak(seed: str, application_id: str) -> float:
    """The lottery number of one application in a run: a float in [0, 1), higher wins a tie.

    HMAC-SHA256 keyed with the seed (UTF-8) over the application id (UTF-8); the first 8 bytes
    of the digest as a big-endian integer, shifted right by 11 to 53 bits, divided by 2**53.
    """
    digest = hmac.new(seed.encode("utf-8"), str(application_id).encode("utf-8"), hashlib.sha256).digest()
    return (int.from_bytes(digest[:8], "big") >> (64 - _BITS)) * _SCALE


def new_seed() -> str:
    """A fresh run seed: 128 random bits as 32 hex characters, published with the results."""
    return secrets.token_hex(16)
