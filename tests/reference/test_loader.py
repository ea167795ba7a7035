"""Loading reference data: idempotent, and updates keep history."""

from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.audit.service import SystemActor
from app.reference.loader import load_reference_data
from app.reference.models import Municipality, Organisation

pytestmark = pytest.mark.anyio
ACTOR = SystemActor(client_id="system:test")


async def test_a_second_load_changes_nothing(db):
    before = await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    report = await load_reference_data(db, ACTOR)
    assert not report.changed
    assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def rewrite(path, change) -> None:
    with open(path, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows = change(rows)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


async def test_a_renamed_municipality_keeps_its_old_name_and_is_audited(db, reference_dir, client, auth):
    def rename(rows):
        for r in rows:
            if r["kommunenummer"] == "5501":
                r["name_2026"] = "Tromsø - Romsa - Tromssa"
        return rows

    rewrite(reference_dir / "municipalities.csv", rename)
    report = await load_reference_data(db, ACTOR, reference_dir)
    assert report.updated == {"municipality": 1, "organisation": 1}
    await db.commit()
    m = (await client.get("/api/v1/municipalities/5501", headers=await auth("directorate"))).json()
    assert m["name"] == "Tromsø - Romsa - Tromssa" and m["version"] == 2
    assert m["names"][0] == {"name": "Tromsø", "valid_from": "2024-01-01"}
    audit = (
        await client.get(
            "/api/v1/audit-events",
            params={"resource_type": "municipality", "resource_id": "NO-5501"},
            headers=await auth("directorate"),
        )
    ).json()["items"]
    assert audit[-1]["action"] == "update" and "names" in audit[-1]["changes"]


async def test_a_municipality_gone_from_the_file_is_ended_not_deleted(db, reference_dir):
    rewrite(reference_dir / "municipalities.csv", lambda rows: [r for r in rows if r["kommunenummer"] != "5503"])
    report = await load_reference_data(db, ACTOR, reference_dir)
    assert report.ended == {"municipality": 1}
    harstad = await db.get(Municipality, "NO-5503")
    assert harstad is not None and harstad.valid_to is not None
    assert await db.get(Organisation, "NO-5503") is not None
