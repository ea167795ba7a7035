"""Hot lists read plain records instead of ORM objects: each item must equal the resource read by id."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from app.audit.models import AuditEvent
from app.core.records import DOCUMENTS, entity_columns, read_records
from app.plans.models import JSON_FIELDS, DevelopmentPlan
from tests.auth.subjects import _enrolment
from tests.conftest import HARSTAD, TROMSO

pytestmark = pytest.mark.anyio


async def test_municipality_list_items_equal_the_municipality_read_by_id(client, auth):
    h = await auth("directorate")
    page = (await client.get("/api/v1/municipalities", params={"county": "NO-55", "limit": 500}, headers=h)).json()
    items = {m["id"]: m for m in page["items"]}
    assert len(items) > 20
    # Tromsø has one name; Harstad's is bilingual: both with every name in order, and today's name.
    for mid in (TROMSO, HARSTAD):
        one = (await client.get(f"/api/v1/municipalities/{mid}", headers=h)).json()
        assert items[mid] == one
    assert all(m["names"] for m in items.values())


async def test_enrolment_list_items_carry_their_phases_in_order(db, client, auth):
    await _enrolment(db, TROMSO, "desentralisert")
    await _enrolment(db, HARSTAD, "oppfolging")
    h = await auth("directorate")
    items = (await client.get("/api/v1/enrolments", params={"limit": 500}, headers=h)).json()["items"]
    mine = [e for e in items if e["school_owner_id"] in (TROMSO, HARSTAD)]
    assert len(mine) == 2
    for e in mine:
        one = (await client.get(f"/api/v1/enrolments/{e['id']}", headers=h)).json()
        assert e == one
        assert [p["position"] for p in e["phases"]] == sorted(p["position"] for p in e["phases"])
    follow_up = next(e for e in mine if e["school_owner_id"] == HARSTAD)
    assert len(follow_up["phases"]) > 1
    # The page and its phases come from one statement: an enrolment without phases is still there, once.
    assert len({e["id"] for e in items}) == len(items)
    assert any(e["phases"] == [] for e in items)


async def test_a_page_of_records_ends_with_a_cursor_to_the_next(client, auth):
    h = await auth("directorate")
    first = (await client.get("/api/v1/municipalities", params={"limit": 2}, headers=h)).json()
    second = (
        await client.get("/api/v1/municipalities", params={"limit": 2, "cursor": first["next_cursor"]}, headers=h)
    ).json()
    ids = [m["id"] for m in first["items"] + second["items"]]
    assert ids == sorted(ids) and len(set(ids)) == 4


async def test_a_records_json_columns_come_as_the_text_of_one_object(db):
    """On SQLite as on PostgreSQL: one `documents` text per row, holding each JSON column under its name."""
    keys = [c.key for c in entity_columns(sa.select(DevelopmentPlan), []).selected_columns]
    assert keys[-1] == DOCUMENTS and not set(JSON_FIELDS) & set(keys)
    assert "title" in keys
    event = AuditEvent(
        actor_client_id="c-test",
        action="update",
        resource_type="plan",
        resource_id="x-documents",
        changes={"title": {"before": 'A "sitat"', "after": "Æøå \n 📚"}, "n": [1, 2.5, None, True]},
    )
    db.add(event)
    await db.flush()
    stmt = entity_columns(sa.select(AuditEvent).where(AuditEvent.resource_id == "x-documents"), ["id"])
    (record,) = await read_records(db, stmt)
    assert json.loads(getattr(record, DOCUMENTS)) == {"changes": event.changes}
    await db.rollback()


def test_the_documents_are_built_for_the_page_not_for_every_row_sorted():
    """The text is built over the limited page: when the database sorts before the limit (a region's thousands
    of plans by county, then by time), it would otherwise build it for every row it sorts."""
    page = sa.select(DevelopmentPlan).where(DevelopmentPlan.county_id == "NO-46")
    page = page.order_by(DevelopmentPlan.updated_at, DevelopmentPlan.id).limit(51)
    sql = str(entity_columns(page, ["updated_at", "id"]).compile(dialect=postgresql.dialect()))
    outer, _, inner = sql.partition("FROM (")
    assert "json_build_object" in outer and "LIMIT" not in outer
    assert "LIMIT" in inner and "json_build_object" not in inner
    assert sql.rstrip().endswith(") AS anon_1 ORDER BY anon_1.updated_at, anon_1.id")
