"""Command group `notifications`: deliver queued emails (run every minute by a timer)."""
from __future__ import annotations

import click
from flask import current_app

from planner.extensions import db
from planner.notifications import services


@click.group("notifications")
def notifications() -> None:
    """Deliver queued emails."""


@notifications.command("send")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True,
              help="Most messages to send in this run.")
def send(limit: int) -> None:
    """Send queued emails through SMTP (SMTP_URL) or write them to instance/mail/."""
    sent = services.deliver_pending(limit=limit)
    db.session.commit()
    where = "" if current_app.config.get("SMTP_URL") else f" (written to {services.mail_dir()})"
    click.echo(f"Sent {sent} email(s){where}.")
