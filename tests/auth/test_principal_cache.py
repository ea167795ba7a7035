"""A verified token's caller is reused for AUTH_CACHE_SECONDS, never past the token's expiry, and forgotten
as soon as a change to who may authenticate commits."""

from __future__ import annotations

import time

import pytest

from app.auth.cache import PrincipalCache, auth_changed
from app.auth.principal import Principal, Role

pytestmark = pytest.mark.anyio

P = Principal(Role.directorate, "970018131", frozenset({"read"}), "c-1", "iss")


def test_held_for_the_ttl_and_never_past_the_tokens_expiry(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    monkeypatch.setattr(time, "time", lambda: now[0])
    cache = PrincipalCache(5)
    cache.put("long", P, {"exp": 2000})
    cache.put("short", P, {"exp": 1002})
    assert cache.get("long") is P and cache.get("short") is P
    now[0] = 1003
    assert cache.get("long") is P and cache.get("short") is None
    now[0] = 1006
    assert cache.get("long") is None


def test_zero_seconds_turns_it_off():
    cache = PrincipalCache(0)
    cache.put("t", P, {"exp": time.time() + 60})
    assert cache.get("t") is None


def test_bounded():
    cache = PrincipalCache(60, max_entries=2)
    for token in ("a", "b", "c"):
        cache.put(token, P, {})
    assert cache.get("a") is None and cache.get("c") is P


async def test_a_change_to_who_may_authenticate_clears_it(db):
    cache = PrincipalCache(60)
    cache.put("t", P, {})
    auth_changed(db)
    assert cache.get("t") is None
