"""The directorate adds county municipalities, private school owners, universities and third parties."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_add_a_private_school_owner_located_in_a_municipality(client, auth):
    h = await auth("directorate")
    r = await client.post(
        "/api/v1/organisations",
        json={"kind": "private_school_owner", "name": "Steinerskolen i Tromsø", "municipality_id": "5501"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    org = r.json()
    assert org["municipality_id"] == "NO-5501" and org["county_id"] == "NO-55" and len(org["id"]) == 36
    assert r.headers["location"].endswith(org["id"])
    cg = await client.get(f"/api/v1/organisations/{org['id']}", headers=await auth("county_governor"))
    assert cg.status_code == 200
    other = await client.get(f"/api/v1/organisations/{org['id']}", headers=await auth("county_governor", "974760665"))
    assert other.status_code == 404


async def test_a_university_with_an_organisation_number_gets_it_as_id(client, auth):
    r = await client.post(
        "/api/v1/organisations",
        json={
            "kind": "university",
            "name": "Norges miljø- og biovitenskapelige universitet",
            "short_name": "NMBU",
            "orgnr": "988983837",
        },
        headers=await auth("directorate"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "988983837"


async def test_bad_orgnr_unknown_place_and_duplicate_are_refused(client, auth):
    h = await auth("directorate")
    r = await client.post(
        "/api/v1/organisations",
        json={"kind": "university", "name": "X", "orgnr": "123456789", "municipality_id": "NO-9999"},
        headers=h,
    )
    assert r.status_code == 422
    assert sorted(e["pointer"] for e in r.json()["errors"]) == ["/municipality_id", "/orgnr"]
    dup = await client.post(
        "/api/v1/organisations", json={"kind": "university", "name": "Copy of UiT", "orgnr": "970422528"}, headers=h
    )
    assert dup.status_code == 409
    kind = await client.post("/api/v1/organisations", json={"kind": "directorate", "name": "Udir 2"}, headers=h)
    assert kind.status_code == 422


async def test_register_a_municipalitys_organisation_number_keeps_its_id(client, auth):
    h = await auth("directorate")
    etag = (await client.get("/api/v1/organisations/NO-5501", headers=h)).headers["etag"]
    r = await client.patch(
        "/api/v1/organisations/NO-5501", json={"orgnr": "940101808"}, headers={**h, "If-Match": etag}
    )
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "NO-5501" and r.json()["orgnr"] == "940101808"
    by_orgnr = await client.get("/api/v1/organisations/940101808", headers=h)
    assert by_orgnr.json()["id"] == "NO-5501"
    stale = await client.patch("/api/v1/organisations/NO-5501", json={"name": "x"}, headers={**h, "If-Match": etag})
    assert stale.status_code == 412
