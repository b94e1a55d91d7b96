"""Command group `outcomes`: ask companies for their results reports when a show is over (run
daily by a timer)."""
from __future__ import annotations

import click

from planner import unit_of_work
from planner.outcomes import services


@click.group("outcomes")
def outcomes() -> None:
    """After-show reports."""


@outcomes.command("request-reports")
def request_reports() -> None:
    """Open a results report for each company that held a place at a show that is over, and
    tell it by mail (once)."""
    with unit_of_work.command():
        count = services.request_reports()
    click.echo(f"Requested {count} results report(s).")
