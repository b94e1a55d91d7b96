"""Command group `notifications`: deliver queued emails (run every minute by a timer) and put
failed ones back in the queue."""
from __future__ import annotations

import click
from flask import current_app

from planner import unit_of_work
from planner.locks import single_instance
from planner.notifications import delivery


@click.group("notifications")
def notifications() -> None:
    """Deliver queued emails."""


@notifications.command("send")
@click.option("--limit", type=click.IntRange(1), default=100, show_default=True,
              help="Most messages to send in this run.")
@single_instance("notifications send")
def send(limit: int) -> None:
    """Send due emails through SMTP (SMTP_URL) or write them to instance/mail/."""
    with unit_of_work.command():
        sent = delivery.deliver_pending(limit=limit)
    where = "" if current_app.config["SMTP_URL"] else f" (written to {delivery.mail_dir()})"
    click.echo(f"Sent {sent} email(s){where}.")


@notifications.command("retry")
@click.argument("message_ids", nargs=-1, type=click.IntRange(1))
def retry(message_ids: tuple[int, ...]) -> None:
    """Queue failed emails again (the ids given, or every failed one); the next `send` tries
    them with a fresh retry horizon."""
    with unit_of_work.command():
        count = delivery.retry(message_ids=list(message_ids) if message_ids else None)
    click.echo(f"{count} failed email(s) queued again.")
