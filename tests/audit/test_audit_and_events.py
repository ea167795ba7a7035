"""Audit records and feed events are written with every change, scoped on read, and never half-written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent, OutboxEvent
from app.clients.models import ApiClient
from tests.conftest import BERGEN, CG_TROMS_FINNMARK, HARSTAD, TROMSO

pytestmark = pytest.mark.anyio


async def counts(db) -> tuple[int, int, int]:
    return (
        await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        await db.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)),
        await db.scalar(sa.select(sa.func.count()).select_from(ApiClient)),
    )


async def create_client_for(client, auth, org: str, **headers) -> dict:
    r = await client.post(
        "/api/v1/clients",
        json={"name": f"sak {org}", "role": "school_owner", "organisation_id": org},
        headers={**await auth("directorate"), **headers},
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_a_change_writes_an_audit_record_and_a_feed_event(client, auth, db):
    created = await create_client_for(
        client, auth, TROMSO, **{"X-Audit-Reason": "Ny integrasjon", "X-Request-ID": "req-77"}
    )
    r = await client.get(
        "/api/v1/audit-events",
        params={"resource_type": "client", "resource_id": created["id"]},
        headers=await auth("directorate"),
    )
    [record] = r.json()["items"]
    assert record["action"] == "create" and record["actor_role"] == "directorate"
    assert record["actor_org_id"] == "970018131" and record["actor_client_id"].startswith("c-test-")
    assert record["reason"] == "Ny integrasjon" and record["request_id"] == "req-77"
    assert record["changes"]["organisation_id"] == {"before": None, "after": TROMSO}
    assert record["municipality_id"] == TROMSO and record["county_id"] == "NO-55"
    assert "secret" not in str(record["changes"]).lower().replace("secret_hash", "")
    events = (
        await client.get("/api/v1/events", params={"resource_type": "client"}, headers=await auth("directorate"))
    ).json()["items"]
    assert events[-1]["resource_id"] == created["id"] and events[-1]["action"] == "create"
    assert events[-1]["version"] == 1 and events[-1]["county_id"] == "NO-55"


async def test_a_failed_write_leaves_no_audit_record_no_event_and_no_row(client, auth, db):
    h = await auth("directorate")
    before = await counts(db)
    r = await client.post(
        "/api/v1/clients", json={"name": "x", "role": "county_governor", "organisation_id": TROMSO}, headers=h
    )
    assert r.status_code == 409
    assert await counts(db) == before


async def test_county_governor_sees_only_its_region_in_audit_events_and_feed(client, auth):
    ours = await create_client_for(client, auth, HARSTAD)
    theirs = await create_client_for(client, auth, BERGEN)
    h = await auth("county_governor", CG_TROMS_FINNMARK)
    audit = (
        await client.get("/api/v1/audit-events", params={"limit": 500, "resource_type": "client"}, headers=h)
    ).json()
    audited = {a["resource_id"] for a in audit["items"]}
    assert ours["id"] in audited and theirs["id"] not in audited
    feed = (await client.get("/api/v1/events", params={"limit": 500, "resource_type": "client"}, headers=h)).json()
    fed = {e["resource_id"] for e in feed["items"]}
    assert ours["id"] in fed and theirs["id"] not in fed
    assert {e["county_id"] for e in feed["items"]} <= {"NO-55", "NO-56", None}


async def test_county_governor_lists_only_troms_and_finnmark_municipalities(client, auth):
    h = await auth("county_governor", CG_TROMS_FINNMARK)
    r = await client.get("/api/v1/municipalities", params={"limit": 500}, headers=h)
    items = r.json()["items"]
    assert {m["county_id"] for m in items} == {"NO-55", "NO-56"} and len(items) == 39
    assert (await client.get(f"/api/v1/municipalities/{BERGEN}", headers=h)).status_code == 404


async def test_school_owner_sees_events_about_itself_only(client, auth):
    mine = await create_client_for(client, auth, TROMSO)
    other = await create_client_for(client, auth, HARSTAD)
    h = await auth("school_owner", TROMSO)
    fed = {
        e["resource_id"] for e in (await client.get("/api/v1/events", params={"limit": 500}, headers=h)).json()["items"]
    }
    assert mine["id"] in fed and other["id"] not in fed


async def test_feed_is_ordered_and_resumes_after_a_position(client, auth):
    h = await auth("directorate")
    a = await create_client_for(client, auth, TROMSO)
    first = (await client.get("/api/v1/events", params={"limit": 500, "resource_type": "client"}, headers=h)).json()
    seqs = [e["seq"] for e in first["items"]]
    assert seqs == sorted(seqs)
    position = seqs[-1]
    b = await create_client_for(client, auth, TROMSO)
    later = (await client.get("/api/v1/events", params={"after": position}, headers=h)).json()["items"]
    ids = [e["resource_id"] for e in later]
    assert b["id"] in ids and a["id"] not in ids


async def test_audit_events_are_keyset_paginated(client, auth):
    h = await auth("directorate")
    r1 = (await client.get("/api/v1/audit-events", params={"limit": 5}, headers=h)).json()
    r2 = (await client.get("/api/v1/audit-events", params={"limit": 5, "cursor": r1["next_cursor"]}, headers=h)).json()
    assert [a["id"] for a in r1["items"]][-1] < next(a["id"] for a in r2["items"])


async def test_idempotency_key_replays_the_first_response_and_creates_nothing_new(client, auth, db):
    h = {**await auth("directorate"), "Idempotency-Key": "k-1"}
    body = {"name": "once", "role": "school_owner", "organisation_id": TROMSO}
    first = await client.post("/api/v1/clients", json=body, headers=h)
    before = await counts(db)
    again = await client.post("/api/v1/clients", json=body, headers=h)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["client_secret"] != first.json()["client_secret"]  # a secret is shown once, never replayed
    assert await counts(db) == before
    other = await client.post("/api/v1/clients", json=body | {"name": "another"}, headers=h)
    assert other.status_code == 422 and other.json()["errors"][0]["pointer"] == "Idempotency-Key"


async def test_idempotency_keys_are_per_caller(client, auth, db):
    body = {"name": "once", "role": "school_owner", "organisation_id": TROMSO}
    a = await client.post(
        "/api/v1/clients", json=body, headers={**await auth("directorate"), "Idempotency-Key": "same"}
    )
    b = await client.post(
        "/api/v1/clients", json=body, headers={**await auth("directorate"), "Idempotency-Key": "same"}
    )
    assert a.status_code == b.status_code == 201 and a.json()["id"] != b.json()["id"]


async def test_dry_run_checks_everything_and_writes_nothing(client, auth, db):
    h = await auth("directorate")
    before = await counts(db)
    body = {"name": "dry", "role": "school_owner", "organisation_id": TROMSO}
    r = await client.post("/api/v1/clients", params={"dry_run": "true"}, json=body, headers=h)
    assert r.status_code == 200 and r.json()["name"] == "dry" and "location" not in r.headers
    bad = await client.post(
        "/api/v1/clients", params={"dry_run": "true"}, json=body | {"role": "university"}, headers=h
    )
    assert bad.status_code == 409
    assert await counts(db) == before
