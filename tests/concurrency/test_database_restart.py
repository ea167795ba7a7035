"""Connections are not pinged before use: when PostgreSQL drops them (a restart), the request that meets a
dead connection answers 503 with Retry-After, having changed nothing, and the requests after it reconnect."""

from __future__ import annotations

import os

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from tests.concurrency.conftest import postgres_only
from tests.concurrency.test_parallel_writes import _headers
from tests.conftest import DIRECTORATE

pytestmark = [pytest.mark.anyio, postgres_only]


async def _drop_connections(database: str) -> int:
    admin = create_async_engine(
        make_url(os.environ["TEST_DATABASE_URL"]).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    async with admin.connect() as conn:
        killed = await conn.scalar(
            sa.text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :db"),
            {"db": database},
        )
    await admin.dispose()
    return int(killed or 0)


async def test_a_lost_connection_answers_503_once_then_the_pool_reconnects(live_app):
    udir = await _headers(live_app, "directorate", DIRECTORATE)
    database = live_app.state.engine.url.database
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=live_app), base_url="http://restart") as http:
        assert (await http.get("/api/v1/municipalities", headers=udir)).status_code == 200
        assert await _drop_connections(database) >= 1

        lost = await http.get("/api/v1/municipalities", headers=udir)
        assert lost.status_code == 503, lost.text
        assert lost.headers["retry-after"] == "1"
        assert lost.headers["content-type"] == "application/problem+json"
        assert lost.json()["type"].endswith("database-unavailable")

        again = await http.get("/api/v1/municipalities", headers=udir)
        assert again.status_code == 200
        r = await http.post(
            "/api/v1/organisations",
            json={"kind": "private_school_owner", "name": "Etter omstart", "municipality_id": "NO-5501"},
            headers=udir,
        )
        assert r.status_code == 201, r.text
