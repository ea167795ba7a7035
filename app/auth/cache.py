"""Verified bearer tokens -> principals, held for a few seconds.

Verifying a token costs a signature check and a read of its API client (enabled? secret rotated?); a client
that sends many requests with one token pays that once per `AUTH_CACHE_SECONDS`. A change to a client (disable,
rotate, new scopes) or to an organisation's `active` flag clears every cache of this process when it commits;
other worker processes see the change within `AUTH_CACHE_SECONDS` at most, or at once with `REDIS_URL`
(app/auth/broadcast.py). `AUTH_CACHE_SECONDS=0` turns the cache off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.auth.principal import Principal

_AUTH_CHANGED = "auth_changed"
_generation = 0


_listeners: list[Callable[[], None]] = []


def clear_all() -> None:
    """Forget every principal held by this process (an auth change committed here or in another worker)."""
    global _generation
    _generation += 1


def on_change(listener: Callable[[], None]) -> None:
    """Call `listener` whenever an auth change commits in this process (app/auth/broadcast.py)."""
    _listeners.append(listener)


def off_change(listener: Callable[[], None]) -> None:
    _listeners.remove(listener)


def auth_changed(session: AsyncSession) -> None:
    """Call when a write changes who may authenticate: caches are cleared now and again when it commits."""
    session.info[_AUTH_CHANGED] = True
    clear_all()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(_AUTH_CHANGED, False):
        clear_all()
        for listener in _listeners:
            listener()


class PrincipalCache:
    def __init__(self, ttl_seconds: float, max_entries: int = 4096) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[Principal, float, int]] = {}

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        principal, until, generation = entry
        if generation != _generation or time.monotonic() >= until:
            self._entries.pop(token, None)
            return None
        return principal

    def put(self, token: str, principal: Principal, claims: dict[str, Any]) -> None:
        """Hold the principal for the cache's TTL, never past the token's own expiry."""
        if self.ttl <= 0:
            return
        until = time.monotonic() + self.ttl
        exp = claims.get("exp")
        if isinstance(exp, int | float):
            until = min(until, time.monotonic() + (exp - time.time()))
        if len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[token] = (principal, until, _generation)
