"""Synthetic exhibitions for benchmarks (stub)."""
from __future__ import annotations


def make_exhibitions(count: int, *, seed: int, progress: bool = False) -> int:
    return 0
