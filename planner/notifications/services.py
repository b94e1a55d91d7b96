"""Outbox: enqueue emails in the caller's transaction; deliver them later from the CLI."""
from __future__ import annotations

from planner.extensions import db
from planner.notifications.models import OutboxMessage


def enqueue(to: str, subject: str, body: str, *, sensitive: bool = False) -> OutboxMessage:
    """Queue one plain-text email. Nothing is sent if the caller's transaction rolls back.

    `sensitive` marks mails carrying secret links (verification, reset, invitations) so their
    bodies are never printed in logs.
    """
    message = OutboxMessage(to_addr=to, subject=subject[:300], body_text=body, is_sensitive=sensitive)
    db.session.add(message)
    db.session.flush()
    return message
