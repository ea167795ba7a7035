"""Programmes are data: shipped, readable by all, created and edited by the directorate."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_shipped_programmes(client, auth):
    items = (await client.get("/api/v1/programmes", headers=await auth("university"))).json()["items"]
    assert [p["code"] for p in items] == [
        "desentralisert",
        "desentralisert-yrkesfag",
        "oppfolging",
        "skolkommun",
        "skup",
    ]
    by = {p["code"]: p for p in items}
    assert len(by["oppfolging"]["phases"][0]["goals"]) == 11
    assert by["oppfolging"]["offers_include_guidance"] is True
    assert by["desentralisert"]["co_financing_ratio"] == "0.3000"
    assert by["desentralisert"]["county_municipalities_from_year"] == 2019
    assert by["desentralisert-yrkesfag"]["eligible_owner_kinds"] == ["county_municipality"]
    assert by["skolkommun"]["currency"] == "SEK" and by["skolkommun"]["phases"][0]["duration_months"] == 6
    assert by["skup"]["phases"][1]["fixed_end"] == "2012-12-31"


async def test_a_new_programme_needs_no_release(client, auth):
    udir = await auth("directorate")
    body = {
        "code": "leseloftet",
        "name": "Leseløftet",
        "cycle": "phased",
        "eligible_owner_kinds": ["municipality"],
        "phases": [
            {
                "code": "kartlegging",
                "name": "Kartlegging",
                "start_rule": "school_year_start",
                "duration_months": 6,
                "goals": [{"code": "leseplan", "text": "Lage leseplan"}],
            },
            {"code": "tiltak", "name": "Tiltak", "start_rule": "after_previous", "duration_months": 18},
        ],
    }
    r = await client.post("/api/v1/programmes", json=body, headers=udir)
    assert r.status_code == 201, r.text
    e = await client.post(
        "/api/v1/enrolments",
        json={"programme": "leseloftet", "school_owner_id": "NO-5501", "start_year": 2027},
        headers=udir,
    )
    assert e.status_code == 201
    assert [(p["planned_start"], p["planned_end"]) for p in e.json()["phases"]] == [
        ("2027-08-01", "2028-01-31"),
        ("2028-02-01", "2029-07-31"),
    ]
    dup = await client.post("/api/v1/programmes", json=body, headers=udir)
    assert dup.status_code == 409


async def test_invalid_phase_templates_are_422(client, auth):
    r = await client.post(
        "/api/v1/programmes",
        json={
            "code": "bad",
            "name": "Bad",
            "phases": [
                {"code": "a", "name": "A", "start_rule": "after_previous"},
                {"code": "a", "name": "B", "start_rule": "fixed"},
            ],
        },
        headers=await auth("directorate"),
    )
    assert r.status_code == 422
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert "/phases/1" in pointers or "/" in pointers
