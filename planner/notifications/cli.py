"""Command group `notifications` (stub until the sign-ups issue)."""
from __future__ import annotations

import click


@click.group("notifications")
def notifications() -> None:
    """Deliver queued emails."""
