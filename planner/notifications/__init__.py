"""Notifications: an outbox of emails, filled in the caller's transaction and delivered later."""
