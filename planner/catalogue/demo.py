"""Loads the real exhibition catalogue from planner/data/exhibitions.yaml (stub)."""
from __future__ import annotations


def load_exhibitions() -> tuple[int, int]:
    return 0, 0
