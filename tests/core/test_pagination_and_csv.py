"""Cursor pagination, Link headers and CSV on lists."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import walk_pages

pytestmark = pytest.mark.anyio


async def test_walking_every_page_gives_every_municipality_once_in_order(client, auth):
    h = await auth("directorate")
    seen: list[str] = []
    url, params = "/api/v1/municipalities", {"limit": 50}
    pages = 0
    while True:
        r = await client.get(url, params=params, headers=h)
        assert r.status_code == 200
        body = r.json()
        seen += [m["id"] for m in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            assert "link" not in r.headers
            break
        assert r.headers["link"].endswith('>; rel="next"') and f"cursor={body['next_cursor']}" in r.headers["link"]
        params = {"limit": 50, "cursor": body["next_cursor"]}
    assert len(seen) == 369 == len(set(seen))
    assert seen == sorted(seen)
    assert pages == 8


async def test_default_page_size_is_50(client, auth):
    r = await client.get("/api/v1/municipalities", headers=await auth("directorate"))
    assert len(r.json()["items"]) == 50


async def test_csv_has_bom_header_and_rfc4180_quoting(client, auth):
    r = await client.get(
        "/api/v1/county-governors",
        params={"country": "NO"},
        headers={**await auth("directorate"), "Accept": "text/csv"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    raw = r.content
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 10
    oslo = next(row for row in rows if row["id"] == "974761319")
    assert oslo["name"] == "Statsforvalteren i Østfold, Buskerud, Oslo og Akershus"
    assert '"Statsforvalteren i Østfold, Buskerud, Oslo og Akershus"' in text
    assert oslo["county_ids"] == "NO-03;NO-31;NO-32;NO-33"


async def test_csv_without_limit_exports_every_row(client, auth):
    r = await client.get("/api/v1/municipalities", headers={**await auth("directorate"), "Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 369
    assert rows[0]["id"] == "NO-0301"
    assert any(row["name"] == "Guovdageaidnu - Kautokeino" for row in rows)


async def test_csv_with_limit_is_one_page_with_link(client, auth):
    r = await client.get(
        "/api/v1/municipalities", params={"limit": 10}, headers={**await auth("directorate"), "Accept": "text/csv"}
    )
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 10 and 'rel="next"' in r.headers["link"]


async def test_json_is_preferred_when_the_client_prefers_it(client, auth):
    r = await client.get(
        "/api/v1/counties", headers={**await auth("directorate"), "Accept": "application/json, text/csv;q=0.5"}
    )
    assert r.headers["content-type"] == "application/json"


async def test_lists_ordered_by_time_walk_page_by_page_with_each_row_and_its_phases_once(client, auth):
    """Enrolments page by (updated_at, id): the cursor carries a timestamp; each enrolment keeps its phases."""
    udir, cg = await auth("directorate"), await auth("county_governor")
    owners = (await client.get("/api/v1/municipalities", params={"county": "NO-55", "limit": 5}, headers=udir)).json()
    created = []
    for m in owners["items"]:
        r = await client.post(
            "/api/v1/enrolments",
            json={"programme": "oppfolging", "school_owner_id": m["id"], "start_year": 2026},
            headers=udir,
        )
        assert r.status_code == 201, r.text
        created.append(r.json())
    expected = (await client.get("/api/v1/enrolments", params={"limit": 500}, headers=cg)).json()["items"]
    assert {e["id"] for e in created} <= {e["id"] for e in expected}
    walked = await walk_pages(client, "/api/v1/enrolments", cg, 2)
    assert walked == expected
    by_id = {e["id"]: e for e in walked}
    for e in created:
        assert [p["code"] for p in by_id[e["id"]]["phases"]] == [p["code"] for p in e["phases"]] != []


async def test_plans_walk_page_by_page_past_the_first_page(client, auth):
    owner = await auth("school_owner")
    for n in range(5):
        r = await client.post(
            "/api/v1/development-plans", json={"title": f"Plan {n}", "level": "owner", "kind": "free"}, headers=owner
        )
        assert r.status_code == 201, r.text
    expected = (await client.get("/api/v1/development-plans", params={"limit": 500}, headers=owner)).json()["items"]
    walked = await walk_pages(client, "/api/v1/development-plans", owner, 2)
    assert walked == expected and len(walked) >= 5
