"""Command group `allocation` (stub until issue 4)."""
from __future__ import annotations

import click


@click.group("allocation")
def allocation() -> None:
    """Run, export and maintain allocations of subsidised places."""
