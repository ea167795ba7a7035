"""Parallel requests through the real app, each committing on its own connection (PostgreSQL)."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from app.auth.service import mint
from app.clients.models import ApiClient
from app.db.session import session_scope
from app.enrolments.models import Enrolment
from tests.concurrency.conftest import postgres_only
from tests.conftest import DIRECTORATE, HARSTAD

pytestmark = [pytest.mark.anyio, postgres_only]
N = 12


async def _headers(app: Any, role: str, org: str) -> dict[str, str]:
    async for s in session_scope(app.state.sessionmaker):
        c = ApiClient(
            id=f"c-race-{secrets.token_hex(6)}",
            name="race",
            role=role,
            organisation_id=org,
            scopes="read write",
            secret_hash="-",
            enabled=True,
        )
        s.add(c)
    token = mint(app.state.issuers, client=c, scopes=["read", "write"], ttl=300)["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://race")


async def test_parallel_if_match_updates_exactly_one_wins(live_app):
    udir = await _headers(live_app, "directorate", DIRECTORATE)
    async with _client(live_app) as http:
        r = await http.post(
            "/api/v1/organisations",
            json={"kind": "private_school_owner", "name": "Parallell skole", "municipality_id": "NO-5501"},
            headers=udir,
        )
        assert r.status_code == 201, r.text
        org = r.json()

        async def rename(i: int) -> int:
            response = await http.patch(
                f"/api/v1/organisations/{org['id']}", json={"name": f"Navn {i}"}, headers=udir | {"If-Match": '"1"'}
            )
            return response.status_code

        statuses = await asyncio.gather(*(rename(i) for i in range(N)))
        assert statuses.count(200) == 1, statuses
        assert set(statuses) <= {200, 412}, statuses
        final = (await http.get(f"/api/v1/organisations/{org['id']}", headers=udir)).json()
        assert final["version"] == 2


async def test_parallel_accepts_of_one_offer_make_one_enrolment(live_app):
    udir = await _headers(live_app, "directorate", DIRECTORATE)
    owner = await _headers(live_app, "school_owner", HARSTAD)
    deadline = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    async with _client(live_app) as http:
        r = await http.post(
            "/api/v1/offers",
            json={"programme": "oppfolging", "school_owner_id": HARSTAD, "start_year": 2026, "deadline": deadline},
            headers=udir,
        )
        assert r.status_code == 201, r.text
        offer = r.json()
        statuses = await asyncio.gather(
            *(http.post(f"/api/v1/offers/{offer['id']}/accept", headers=owner) for _ in range(N))
        )
        codes = [s.status_code for s in statuses]
        assert codes.count(200) == 1, codes
        assert set(codes) <= {200, 409}, [s.text for s in statuses if s.status_code not in (200, 409)]
    async for s in session_scope(live_app.state.sessionmaker):
        count = await s.scalar(
            sa.select(sa.func.count()).select_from(Enrolment).where(Enrolment.school_owner_id == HARSTAD)
        )
        assert count == 1


async def test_parallel_sub_allocations_through_the_api_never_exceed_the_parent(live_app):
    from app.enrolments.service.enrolling import enrol
    from app.programmes.service import find_programme
    from app.reference.models import Organisation
    from tests.auth.subjects import SYSTEM
    from tests.conftest import BERGEN, CG_VESTLAND

    async for s in session_scope(live_app.state.sessionmaker):
        programme = await find_programme(s, "desentralisert")
        await enrol(
            s,
            SYSTEM,
            programme=programme,
            owner=await s.get(Organisation, BERGEN),
            start_year=2026,
            enrolled_by=CG_VESTLAND,
        )
    udir = await _headers(live_app, "directorate", DIRECTORATE)
    cg = await _headers(live_app, "county_governor", CG_VESTLAND)
    async with _client(live_app) as http:
        r = await http.post(
            "/api/v1/allocations",
            json={"programme": "desentralisert", "year": 2026, "recipient_id": CG_VESTLAND, "amount": "1000.00"},
            headers=udir,
        )
        parent = r.json()
        statuses = await asyncio.gather(
            *(
                http.post(
                    "/api/v1/allocations",
                    json={"recipient_id": BERGEN, "parent_id": parent["id"], "amount": "300.00"},
                    headers=cg,
                )
                for _ in range(N)
            )
        )
        codes = [s.status_code for s in statuses]
        assert codes.count(201) == 3 and codes.count(409) == N - 3, codes
        final = (await http.get(f"/api/v1/allocations/{parent['id']}", headers=udir)).json()
        assert (final["sub_allocated"], final["remaining"]) == ("900.00", "100.00")
