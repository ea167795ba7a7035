"""Under more concurrent requests than connections, the pool keeps its connections: none is closed and opened
again moments later (each new PostgreSQL connection costs a backend process and the worker's CPU)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import event

from tests.concurrency.conftest import postgres_only
from tests.concurrency.test_parallel_writes import _headers
from tests.conftest import DIRECTORATE

pytestmark = [pytest.mark.anyio, postgres_only]


async def test_concurrent_requests_reuse_the_connections_the_pool_keeps(live_app):
    udir = await _headers(live_app, "directorate", DIRECTORATE)
    pool = live_app.state.engine.sync_engine.pool
    opened: list[object] = []
    closed: list[object] = []

    def _opened(dbapi_connection: object, _record: object) -> None:
        opened.append(dbapi_connection)

    def _closed(dbapi_connection: object, _record: object) -> None:
        closed.append(dbapi_connection)

    event.listen(pool, "connect", _opened)
    event.listen(pool, "close", _closed)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=live_app), base_url="http://pool") as http:
            for _ in range(3):
                answers = await asyncio.gather(
                    *(http.get("/api/v1/municipalities", params={"limit": 5}, headers=udir) for _ in range(64)),
                    *(http.get("/api/v1/me", headers=udir) for _ in range(64)),
                )
                assert {a.status_code for a in answers} == {200}
    finally:
        event.remove(pool, "connect", _opened)
        event.remove(pool, "close", _closed)
    assert closed == []
    assert len(opened) <= pool.size()
    assert pool.overflow() <= 0
