"""Reference data as users read it."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import CG_TROMS_FINNMARK

pytestmark = pytest.mark.anyio

SHIPPED = "app/reference/data/municipalities.csv"


def troms_names() -> dict[str, str]:
    with open(SHIPPED, encoding="utf-8") as fh:
        return {f"NO-{r['kommunenummer']}": r for r in csv.DictReader(fh) if r["fylkesnummer"] == "55"}  # type: ignore[misc]


async def test_troms_has_its_21_municipalities_with_their_reference_names(client, auth):
    r = await client.get("/api/v1/municipalities", params={"county": "NO-55"}, headers=await auth("directorate"))
    assert r.status_code == 200
    items = r.json()["items"]
    expected = troms_names()
    assert len(items) == 21
    assert {m["id"] for m in items} == set(expected)
    for m in items:
        row = expected[m["id"]]
        assert m["names"][0]["name"] == row["name"]
        assert m["name"] in (row["name"], row["name_2026"])
        assert m["county_id"] == "NO-55" and m["country"] == "NO" and m["number"] == m["id"][3:]


async def test_lyngen_shows_the_name_valid_from_2026_and_keeps_the_old_one(client, auth):
    r = await client.get("/api/v1/municipalities/5536", headers=await auth("directorate"))
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == "NO-5536"
    assert body["name"] == "Lyngen - Ivgu - Yykeä"
    assert body["names"] == [
        {"name": "Lyngen", "valid_from": "2024-01-01"},
        {"name": "Lyngen - Ivgu - Yykeä", "valid_from": "2026-01-01"},
    ]


async def test_bare_number_is_an_alias_for_the_municipality_id(client, auth):
    h = await auth("directorate")
    a = (await client.get("/api/v1/municipalities/NO-5501", headers=h)).json()
    b = (await client.get("/api/v1/municipalities/5501", headers=h)).json()
    assert a == b and a["name"] == "Tromsø"


async def test_unknown_municipality_is_404_problem(client, auth):
    r = await client.get("/api/v1/municipalities/NO-9999", headers=await auth("directorate"))
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "No municipality NO-9999."


async def test_name_search_finds_kautokeino_in_its_sami_name(client, auth):
    r = await client.get("/api/v1/municipalities", params={"q": "kautokeino"}, headers=await auth("directorate"))
    assert [m["id"] for m in r.json()["items"]] == ["NO-5612"]
    assert r.json()["items"][0]["name"] == "Guovdageaidnu - Kautokeino"


async def test_name_search_treats_percent_literally(client, auth):
    r = await client.get("/api/v1/municipalities", params={"q": "%"}, headers=await auth("directorate"))
    assert r.json()["items"] == []


async def test_filter_by_county_governor_gives_its_region(client, auth):
    r = await client.get(
        "/api/v1/municipalities",
        params={"county_governor": CG_TROMS_FINNMARK, "limit": 500},
        headers=await auth("directorate"),
    )
    counties = {m["county_id"] for m in r.json()["items"]}
    assert counties == {"NO-55", "NO-56"} and len(r.json()["items"]) == 21 + 18


async def test_swedish_municipalities_by_country(client, auth):
    r = await client.get("/api/v1/municipalities", params={"country": "SE"}, headers=await auth("directorate"))
    items = r.json()["items"]
    assert len(items) == 12
    assert {"SE-1864", "SE-1861"} <= {m["id"] for m in items}
    assert all(m["county_id"] == "SE-18" for m in items)


async def test_counties_list_and_alias(client, auth):
    h = await auth("school_owner")
    r = await client.get("/api/v1/counties", params={"country": "NO"}, headers=h)
    assert len(r.json()["items"]) == 15
    one = (await client.get("/api/v1/counties/55", headers=h)).json()
    assert one["id"] == "NO-55" and one["short_name"] == "Troms"


async def test_county_governor_lists_its_counties(client, auth):
    h = await auth("school_owner")
    r = await client.get(f"/api/v1/county-governors/{CG_TROMS_FINNMARK}", headers=h)
    assert r.status_code == 200
    assert r.json()["county_ids"] == ["NO-55", "NO-56"]
    all_ = (await client.get("/api/v1/county-governors", params={"country": "NO"}, headers=h)).json()["items"]
    assert len(all_) == 10
    covered = sorted(c for g in all_ for c in g["county_ids"])
    assert len(covered) == 15 == len(set(covered))


async def test_regional_body_covers_orebro_lan(client, auth):
    h = await auth("directorate")
    r = await client.get("/api/v1/county-governors", params={"country": "SE"}, headers=h)
    [body] = r.json()["items"]
    assert body["kind"] == "regional_body" and body["name"] == "Region Örebro län" and body["county_ids"] == ["SE-18"]


async def test_organisations_filter_by_kind(client, auth):
    h = await auth("directorate")
    unis = (await client.get("/api/v1/organisations", params={"kind": "university"}, headers=h)).json()["items"]
    assert len(unis) == 19 and any(u["short_name"] == "HVL" for u in unis)
    [udir] = (await client.get("/api/v1/organisations", params={"kind": "directorate"}, headers=h)).json()["items"]
    assert udir["id"] == "970018131" and udir["orgnr"] == "970018131"


async def test_organisation_by_municipality_alias(client, auth):
    r = await client.get("/api/v1/organisations/5501", headers=await auth("directorate"))
    assert r.json()["id"] == "NO-5501" and r.json()["kind"] == "municipality"


async def test_updated_since_in_the_future_gives_nothing_and_bad_date_is_422(client, auth):
    h = await auth("directorate")
    r = await client.get("/api/v1/municipalities", params={"updated_since": "2999-01-01T00:00:00Z"}, headers=h)
    assert r.status_code == 200 and r.json()["items"] == []
    r = await client.get("/api/v1/municipalities", params={"updated_since": "2999-01-01T00:00:00Z"}, headers=h)
    bad = await client.get("/api/v1/municipalities", params={"updated_since": "yesterday"}, headers=h)
    assert bad.status_code == 422
    assert [e["pointer"] for e in bad.json()["errors"]] == ["updated_since"]


async def test_bad_county_filter_is_422(client, auth):
    r = await client.get("/api/v1/municipalities", params={"county": "Troms"}, headers=await auth("directorate"))
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "county"
