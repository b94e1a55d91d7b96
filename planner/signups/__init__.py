"""Sign-ups: booth and delegation applications, their status changes and audit trail."""
