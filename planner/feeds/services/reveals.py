"""Showing a private feed address once: creating or rotating one answers with a redirect, and
the page it leads to shows the new address a single time.

The address waits on the server, not in the session cookie (signed but readable by anyone who
sees it): the cookie holds a random handle, the row is found by the handle's SHA-256 and holds
the token sealed with a key stream derived from the handle, so neither the cookie, nor the
table (or a backup of it), alone gives the address. Taking it deletes the row, and rows nobody
came back for go after REVEAL_FOR."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete

from planner.accounts.models import User
from planner.db import utcnow
from planner.extensions import db
from planner.feeds.models import FeedAddressReveal
from planner.feeds.services.tokens import TOKEN_RE

__all__ = ["REVEAL_FOR", "stage_reveal", "take_reveal"]

REVEAL_FOR = dt.timedelta(minutes=10)


def _row_id(handle: str) -> str:
    return hashlib.sha256(b"feed-address-reveal:" + handle.encode("utf-8")).hexdigest()


def _key_stream(handle: str, length: int) -> bytes:
    # HMAC-SHA256 in counter mode under a 256-bit random key used for one message only.
    blocks = (hmac.new(handle.encode("utf-8"), b"seal:%d" % n, hashlib.sha256).digest()
              for n in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def _seal(handle: str, token: str) -> str:
    data = token.encode("utf-8")
    return base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(data, _key_stream(handle, len(data))))).decode()


def _unseal(handle: str, sealed: str) -> str | None:
    data = base64.urlsafe_b64decode(sealed.encode("ascii"))
    token = bytes(a ^ b for a, b in zip(data, _key_stream(handle, len(data)))).decode("utf-8", "replace")
    return token if TOKEN_RE.match(token) else None


def stage_reveal(*, user: User, token: str, programme_id: int | None = None,
                 now: dt.datetime | None = None) -> str:
    """Keep `token` for `user` to be shown once; returns the handle the session carries."""
    now = now or utcnow()
    db.session.execute(delete(FeedAddressReveal).where(FeedAddressReveal.created_at < now - REVEAL_FOR))
    handle = secrets.token_urlsafe(32)
    db.session.add(FeedAddressReveal(id=_row_id(handle), user_id=user.id, programme_id=programme_id,
                                     sealed=_seal(handle, token), created_at=now))
    db.session.flush()
    return handle


def take_reveal(*, user: User, handle: object, now: dt.datetime | None = None) -> tuple[str, int | None] | None:
    """The token staged under `handle` for `user` and its programme (None for a company's
    address), removed as it is taken; None when there is none, it is another user's or older
    than REVEAL_FOR. One DELETE ... RETURNING: two requests with the same cookie get it once."""
    if not isinstance(handle, str) or not TOKEN_RE.match(handle):
        return None
    now = now or utcnow()
    row = db.session.execute(
        delete(FeedAddressReveal).where(FeedAddressReveal.id == _row_id(handle))
        .returning(FeedAddressReveal.user_id, FeedAddressReveal.programme_id, FeedAddressReveal.sealed,
                   FeedAddressReveal.created_at)).first()
    if row is None or row.user_id != user.id or now - row.created_at > REVEAL_FOR:
        return None
    token = _unseal(handle, row.sealed)
    return (token, row.programme_id) if token else None
