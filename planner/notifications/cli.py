"""Command group `notifications`: deliver queued emails (run every minute by a timer)."""
from __future__ import annotations

import click
from flask import current_app

from planner import unit_of_work
from planner.locks import single_instance
from planner.notifications import services


@click.group("notifications")
def notifications() -> None:
    """Deliver queued emails."""


@notifications.command("send")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True,
              help="Most messages to send in this run.")
@single_instance("notifications send")
def send(limit: int) -> None:
    """Send queued emails through SMTP (SMTP_URL) or write them to instance/mail/."""
    with unit_of_work.command():
        sent = services.deliver_pending(limit=limit)
    where = "" if current_app.config["SMTP_URL"] else f" (written to {services.mail_dir()})"
    click.echo(f"Sent {sent} email(s){where}.")
