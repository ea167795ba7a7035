"""Bulk imports of schools and indicator values: every bad row named, nothing half-imported, idempotent files."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.selection.models import IndicatorValue
from tests.conftest import BERGEN, CG_VESTLAND, HARSTAD
from tests.selection.factory import CSV, SCHOOLS, VALUES, XLSX, YEAR, S, csv_body, load_country, orgnr, xlsx_body

pytestmark = pytest.mark.anyio
SCHOOL_HEADER = ["id", "name", "school_owner_id", "grade_from", "grade_to"]
VALUE_HEADER = ["school_id", "indicator", "school_year", "value"]


async def _count(db) -> int:
    return await db.scalar(sa.select(sa.func.count()).select_from(IndicatorValue))


async def test_a_file_with_bad_rows_names_each_and_imports_nothing(client, auth, db):
    await load_country(client, auth)
    before = await _count(db)
    rows = [
        [S[1], "survey_bullying_10", YEAR, 2.5],  # good
        [orgnr(99), "survey_bullying_10", YEAR, 2.5],  # unknown school
        [S[2], "shoe_size", YEAR, 40],  # unknown indicator
        [S[3], "survey_bullying_10", YEAR, 7.5],  # out of range (1-5)
        [S[4], "survey_bullying_10", "2024-2026", 2.0],  # not a school year
        [S[1], "survey_bullying_10", YEAR, 2.6],  # duplicate of row 2
        [S[5], "points_10", YEAR, "mye"],  # not a number
    ]
    r = await client.post(
        "/api/v1/indicator-values/import", content=csv_body(VALUE_HEADER, rows), headers=await auth("directorate") | CSV
    )
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    got = [(e["row"], e["column"]) for e in r.json()["errors"]]
    assert got == [
        (3, "school_id"),
        (4, "indicator"),
        (5, "value"),
        (6, "school_year"),
        (7, "school_id"),
        (8, "value"),
    ]
    assert "nothing was imported" in r.json()["detail"]
    assert await _count(db) == before


async def test_the_same_file_twice_changes_nothing_and_a_changed_value_updates_one_row(client, auth, db):
    await load_country(client, auth)
    udir = await auth("directorate")
    body = csv_body(VALUE_HEADER, VALUES)
    r = await client.post("/api/v1/indicator-values/import", content=body, headers=udir | CSV)
    assert r.json() == {"rows": 16, "created": 0, "updated": 0, "unchanged": 16}
    changed = [list(v) for v in VALUES]
    changed[0][3] = 4.2
    r = await client.post(
        "/api/v1/indicator-values/import", content=csv_body(VALUE_HEADER, changed), headers=udir | CSV
    )
    assert r.json() == {"rows": 16, "created": 0, "updated": 1, "unchanged": 15}
    row = await db.get(IndicatorValue, (S[1], "survey_bullying_7", YEAR))
    assert (row.value, row.version) == (Decimal("4.2"), 2)


async def test_missing_and_suppressed_are_not_zero(client, auth):
    await load_country(client, auth)
    r = await client.get(f"/api/v1/indicator-values?school={S[6]}", headers=await auth("directorate"))
    by = {v["indicator"]: v for v in r.json()["items"]}
    assert by["points_10"]["status"] == "suppressed" and by["points_10"]["value"] is None
    r = await client.get(f"/api/v1/indicator-values?school={S[7]}", headers=await auth("directorate"))
    by = {v["indicator"]: v for v in r.json()["items"]}
    assert by["survey_bullying_7"]["status"] == "missing" and by["survey_bullying_7"]["value"] is None


async def test_xlsx_imports_like_csv(client, auth):
    udir = await auth("directorate")
    r = await client.post("/api/v1/schools/import", content=xlsx_body(SCHOOL_HEADER, SCHOOLS), headers=udir | XLSX)
    assert r.status_code == 200 and r.json()["created"] == 8, r.text
    r = await client.post(
        "/api/v1/indicator-values/import", content=xlsx_body(VALUE_HEADER, VALUES), headers=udir | XLSX
    )
    assert r.status_code == 200 and r.json()["created"] == 16, r.text
    r = await client.get(f"/api/v1/indicator-values?school={S[1]}&indicator=points_10", headers=udir)
    assert r.json()["items"][0]["value"] == "30.000"


async def test_import_needs_csv_or_xlsx_and_the_format_header(client, auth):
    udir = await auth("directorate")
    r = await client.post(
        "/api/v1/schools/import", content=b'{"a": 1}', headers=udir | {"Content-Type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "Content-Type"
    r = await client.post("/api/v1/schools/import", content=b"id,name\n", headers=udir | CSV)
    assert r.status_code == 422
    assert {e["pointer"] for e in r.json()["errors"]} == {
        "/rows/1/school_owner_id",
        "/rows/1/grade_from",
        "/rows/1/grade_to",
    }
    r = await client.post("/api/v1/schools/import", content=b"PK\x03\x04 not a workbook", headers=udir | XLSX)
    assert r.status_code == 422


async def test_school_import_validates_every_row(client, auth):
    rows = [
        ["123456789", "Feil", "NO-5501", 1, 7],  # bad MOD11
        [orgnr(50), "", "NO-9999", 8, 3],  # no name, unknown owner, grades reversed
        [orgnr(51), "Ok skole", "5501", 1, 7],
        [orgnr(51), "Ok skole", "5501", 1, 7],  # twice
    ]
    r = await client.post(
        "/api/v1/schools/import", content=csv_body(SCHOOL_HEADER, rows), headers=await auth("directorate") | CSV
    )
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [
        (2, "id"),
        (3, "name"),
        (3, "school_owner_id"),
        (3, "grade_to"),
        (5, "id"),
    ]


async def test_schools_and_values_are_scoped_to_what_the_caller_sees(client, auth):
    await load_country(client, auth)
    harstad = await auth("school_owner", HARSTAD)
    r = await client.get("/api/v1/schools", headers=harstad)
    assert [s["id"] for s in r.json()["items"]] == [S[3]]
    assert (await client.get(f"/api/v1/schools/{S[1]}", headers=harstad)).status_code == 404
    vest = await auth("county_governor", CG_VESTLAND)
    ids = {s["school_owner_id"] for s in (await client.get("/api/v1/schools", headers=vest)).json()["items"]}
    assert ids == {BERGEN, "NO-4602"}
    values = (await client.get("/api/v1/indicator-values?limit=500", headers=vest)).json()["items"]
    assert {v["county_id"] for v in values} == {"NO-46"} and len(values) == 8
    r = await client.post(
        "/api/v1/schools/import", content=csv_body(SCHOOL_HEADER, SCHOOLS), headers=await auth("county_governor") | CSV
    )
    assert r.status_code == 403


async def test_an_import_is_audited_once(client, auth):
    udir = await auth("directorate")
    r = await client.post("/api/v1/schools/import", content=csv_body(SCHOOL_HEADER, SCHOOLS), headers=udir | CSV)
    assert r.status_code == 200
    r = await client.get("/api/v1/audit-events?resource_type=school", headers=udir)
    events = [e for e in r.json()["items"] if e["action"] == "import"]
    assert len(events) == 1 and events[0]["changes"] == {"created": 8, "updated": 0}


async def test_an_import_may_be_larger_than_an_ordinary_request_body(client, auth, settings):
    rows = [[orgnr(1000 + i), f"Skole nummer {i} i Tromsø kommune", "NO-5501", 1, 10] for i in range(2000)]
    body = csv_body(SCHOOL_HEADER, rows)
    assert len(body) > settings.max_body_bytes
    r = await client.post("/api/v1/schools/import", content=body, headers=await auth("directorate") | CSV)
    assert r.status_code == 200 and r.json()["created"] == 2000
    r = await client.post("/api/v1/selection-rounds", content=body, headers=await auth("directorate") | CSV)
    assert r.status_code == 413
