"""Lottery numbers: recomputable by anyone from the published seed (allocation rules 2 and 4)."""
import hashlib
import hmac
import re
import struct
from fractions import Fraction

from planner.allocation.lottery import new_seed, tiebreak

SEED = "0123456789abcdef0123456789abcdef"


def recompute(seed: str, application_id: str) -> Fraction:
    """What an outside auditor would write from the published description, exactly."""
    digest = hmac.new(seed.encode(), application_id.encode(), hashlib.sha256).digest()
    (first_eight,) = struct.unpack(">Q", digest[:8])
    return Fraction(first_eight >> 11, 2**53)


def test_number_matches_a_known_test_vector():
    # HMAC-SHA256(key=SEED, msg="42") starts 3b12d0412db185c9; its top 53 bits / 2**53.
    assert hmac.new(SEED.encode(), b"42", hashlib.sha256).hexdigest().startswith("3b12d0412db185c9")
    assert tiebreak(SEED, "42") == 0.230755821144788
    assert Fraction(tiebreak(SEED, "42")) == Fraction(0x3b12d0412db185c9 >> 11, 2**53)


def test_number_equals_an_independent_recomputation_exactly():
    for app_id in ["1", "a1", "987654321", "지원-7"]:
        assert Fraction(tiebreak(SEED, app_id)) == recompute(SEED, app_id)


def test_same_seed_and_id_give_the_same_number():
    assert tiebreak(SEED, "17") == tiebreak(SEED, "17")


def test_number_differs_by_seed_and_by_application():
    assert tiebreak(SEED, "17") != tiebreak(SEED, "18")
    assert tiebreak(SEED, "17") != tiebreak("another seed", "17")


def test_numbers_lie_in_the_unit_interval_and_do_not_collide():
    values = [tiebreak(SEED, str(i)) for i in range(5000)]
    assert all(0.0 <= v < 1.0 for v in values)
    assert len(set(values)) == len(values)


def test_numbers_carry_53_bits_of_precision():
    values = [tiebreak(SEED, str(i)) for i in range(2000)]
    scaled = [v * 2**53 for v in values]
    # Every number is an exact multiple of 2**-53 ...
    assert all(s == int(s) for s in scaled)
    # ... and the low bits vary, so the precision is real and not padding (rule 4: >= 48 bits).
    low_bits = {int(s) & 0x1F for s in scaled}
    assert len(low_bits) == 32
    assert any(int(s) & 1 for s in scaled) and not all(int(s) & 1 for s in scaled)


def test_new_seeds_are_32_hex_characters_and_differ():
    seeds = {new_seed() for _ in range(50)}
    assert len(seeds) == 50
    assert all(re.fullmatch(r"[0-9a-f]{32}", seed) for seed in seeds)
