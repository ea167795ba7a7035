"""A read whose pooled connection was dead runs once more; a write, or a read that fails twice, answers 503."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.core.errors import CONNECTION_LOST_SCOPE_KEY
from app.core.middleware import RetryLostConnectionMiddleware

pytestmark = pytest.mark.anyio


class _Inner:
    """Answers 503 with the connection-lost mark for the first `failures` calls, then 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            if scope["method"] in ("GET", "HEAD"):
                scope[CONNECTION_LOST_SCOPE_KEY] = True
            status, body = 503, b'{"title":"Database unavailable"}'
        else:
            status, body = 200, b'{"ok":true}'
        await send(
            {"type": "http.response.start", "status": status, "headers": [(b"content-type", b"application/json")]}
        )
        await send({"type": "http.response.body", "body": body})


async def _call(inner: _Inner, method: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=RetryLostConnectionMiddleware(inner))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://retry") as http:
        return await http.request(method, "/api/v1/municipalities")


async def test_a_read_that_met_a_lost_connection_is_answered_by_its_second_run():
    inner = _Inner(failures=1)
    r = await _call(inner, "GET")
    assert (r.status_code, r.json(), inner.calls) == (200, {"ok": True}, 2)


async def test_a_read_that_fails_twice_answers_503():
    inner = _Inner(failures=5)
    r = await _call(inner, "GET")
    assert (r.status_code, inner.calls) == (503, 2)


async def test_a_write_is_never_run_twice():
    inner = _Inner(failures=1)
    r = await _call(inner, "POST")
    assert (r.status_code, inner.calls) == (503, 1)


async def test_a_read_without_the_mark_is_not_run_again():
    inner = _Inner(failures=0)
    r = await _call(inner, "GET")
    assert (r.status_code, inner.calls) == (200, 1)
