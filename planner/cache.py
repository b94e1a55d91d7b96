"""Caches of things built from the database that stay valid while a data version does.

Two pieces, used by the catalogue's page cache and by the public feeds:

- `Cache`: the built things (pages, feeds), a thread-safe LRU in this worker, shared through
  Redis when the app has a client. Keys embed the data version, so a change simply misses and
  stale entries age out; nothing is ever invalidated.
- `VersionMemo`: the data version this worker read last, trusted for a fraction of a second
  and forgotten at once when this worker commits a change (the domain's listeners on
  SQLAlchemy's Session, registered by `create_app`, call `forget`).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from redis import Redis

V = TypeVar("V")


class Cache(Generic[V]):
    """Values by key: an in-process LRU of `size` entries, and, when `redis` is given, a copy
    every worker and host can read (`encode` and `decode` turn a value into bytes and back)."""

    def __init__(self, *, size: int, redis: Redis | None = None, prefix: str = "",
                 ttl: int = 24 * 3600, encode: Callable[[V], bytes] | None = None,
                 decode: Callable[[str, bytes], V] | None = None) -> None:
        if redis is not None and (encode is None or decode is None):
            raise ValueError("a cache shared through Redis needs encode and decode")
        self.size, self.redis, self.prefix, self.ttl = size, redis, prefix, ttl
        self._encode, self._decode = encode, decode
        self._entries: OrderedDict[str, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
        if self.redis is None or self._decode is None:
            return None
        try:
            raw = self.redis.get(self.prefix + key)
        except Exception:  # noqa: BLE001 - Redis down: build instead of failing the request
            return None
        if not raw or not isinstance(raw, bytes):  # a client decoding responses is not ours
            return None
        entry = self._decode(key, raw)
        self._remember(key, entry)
        return entry

    def put(self, key: str, value: V) -> None:
        self._remember(key, value)
        if self.redis is not None and self._encode is not None:
            try:
                self.redis.set(self.prefix + key, self._encode(value), ex=self.ttl)
            except Exception:  # noqa: BLE001 - Redis down: the in-process copy still serves this worker
                pass

    def _remember(self, key: str, value: V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class VersionMemo(Generic[V]):
    """The last data version this worker read (per database `key`), reused for `max_age` seconds.

    Pages and feeds are asked for far more often than the catalogue changes; trusting a version
    for a fraction of a second saves the database round trip on nearly every request, while this
    worker's own commits are seen at once (`forget`) and other workers' within `max_age`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._value: tuple[float, str, V] | None = None

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._value = None

    def read(self, key: str, max_age: float, load: Callable[[], V]) -> V:
        """The remembered version if younger than `max_age` seconds, else `load()` remembered."""
        value = self._value
        if max_age > 0 and value is not None and value[1] == key and time.monotonic() - value[0] <= max_age:
            return value[2]
        generation, read_at = self._generation, time.monotonic()
        version = load()
        with self._lock:
            # A commit in this worker while we read would make our answer stale: keep nothing.
            if generation == self._generation:
                self._value = (read_at, key, version)
        return version
