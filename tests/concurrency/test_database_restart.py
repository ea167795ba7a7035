"""Connections are not pinged before use. When PostgreSQL drops them (a restart), a read that meets a dead connection
runs again on a fresh one and answers as usual; a write answers 503 with Retry-After, having changed nothing, and
the requests after it reconnect."""

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


async def test_a_read_that_meets_a_lost_connection_is_answered_from_a_fresh_one(live_app):
    udir = await _headers(live_app, "directorate", DIRECTORATE)
    database = live_app.state.engine.url.database
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=live_app), base_url="http://restart") as http:
        before = await http.get("/api/v1/municipalities", headers=udir)
        assert before.status_code == 200
        assert await _drop_connections(database) >= 1

        after = await http.get("/api/v1/municipalities", headers=udir)
        assert after.status_code == 200, after.text
        assert after.json() == before.json()
        assert after.headers["x-request-id"]


async def test_a_write_that_meets_a_lost_connection_answers_503_and_changes_nothing(live_app):
    udir = await _headers(live_app, "directorate", DIRECTORATE)
    database = live_app.state.engine.url.database
    body = {"kind": "private_school_owner", "name": "Etter omstart", "municipality_id": "NO-5501"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=live_app), base_url="http://restart") as http:
        assert (await http.get("/api/v1/municipalities", headers=udir)).status_code == 200
        assert await _drop_connections(database) >= 1

        lost = await http.post("/api/v1/organisations", json=body, headers=udir)
        assert lost.status_code == 503, lost.text
        assert lost.headers["retry-after"] == "1"
        assert lost.headers["content-type"] == "application/problem+json"
        assert lost.json()["type"].endswith("database-unavailable")
        listed = await http.get("/api/v1/organisations", params={"q": "Etter omstart"}, headers=udir)
        assert listed.status_code == 200
        assert listed.json()["items"] == []

        r = await http.post("/api/v1/organisations", json=body, headers=udir)
        assert r.status_code == 201, r.text
        listed = await http.get("/api/v1/organisations", params={"q": "Etter omstart"}, headers=udir)
        assert [o["name"] for o in listed.json()["items"]] == ["Etter omstart"]
