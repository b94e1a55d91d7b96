"""Mail transports: SMTP when `SMTP_URL` is set, otherwise the development console transport.

Development: with no `SMTP_URL`, every email is written as an ``.eml`` file under
``instance/mail/`` (or `MAIL_DIR` when configured) and the log names the file, never the body.
Open the newest file there to read a verification, reset or invitation link.

Production: ``SMTP_URL=smtp://user:password@host:587`` (STARTTLS on port 587) or
``smtps://user:password@host:465`` (TLS from the first byte).
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit


class Transport(Protocol):
    def open(self) -> None: ...

    def send(self, message: EmailMessage) -> str:
        """Send one message; return where it went (for the log). Raise on failure."""
        ...

    def close(self) -> None: ...


class ConsoleTransport:
    """Writes each mail as an .eml file so a developer can open it; logs only its path."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage) -> str:
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{message['X-Outbox-Id'] or 'mail'}-{secrets.token_hex(3)}.eml"
        path = self.directory / name
        # Written owner-only: the files hold live verification and reset links.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            # CRLF line ends, as the message travels over SMTP: the file is what a server gets.
            fh.write(message.as_bytes(policy=SMTP))
        return str(path)

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection per delivery batch, STARTTLS on 587, implicit TLS for smtps://."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465")
        self.implicit_tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def open(self) -> None:
        context = ssl.create_default_context()
        if self.implicit_tls:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            # Credentials never travel unencrypted: a server on another port that offers no
            # STARTTLS fails here, and the mail waits in the outbox, rather than leak them.
            if self.port == 587 or self.username:
                smtp.starttls(context=context)
        if self.username:
            smtp.login(self.username, self.password or "")
        self._smtp = smtp

    def send(self, message: EmailMessage) -> str:
        if self._smtp is None:
            self.open()
        assert self._smtp is not None
        self._smtp.send_message(message)
        return f"{self.host}:{self.port}"

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except smtplib.SMTPException:
                pass  # the server hung up first; every message was already accepted or recorded
            self._smtp = None


def transport_for(smtp_url: str, mail_dir: str | os.PathLike[str]) -> Transport:
    return SmtpTransport(smtp_url) if smtp_url else ConsoleTransport(mail_dir)
