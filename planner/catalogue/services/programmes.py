"""Programmes and offers: create, edit, list open offers, subsidy shares."""
from __future__ import annotations

__all__: list[str] = []
