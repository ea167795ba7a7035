"""SKUP trinn 2 with its leadership rule, gatherings (groups of five, six persons each) and workshops."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import BERGEN, HARSTAD, TROMSO

pytestmark = pytest.mark.anyio
SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat()
TROMS = ["NO-5501", "NO-5503", "NO-5510", "NO-5512", "NO-5514", "NO-5516"]


async def enrol_in_skup(client, udir, owner: str) -> dict:
    r = await client.post(
        "/api/v1/enrolments", json={"programme": "skup", "school_owner_id": owner, "start_year": 2010}, headers=udir
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_skup_trinn_2_needs_the_top_leadership_and_runs_to_the_end_of_2012(client, auth):
    udir, tromso = await auth("directorate"), await auth("school_owner")
    offer = (
        await client.post(
            "/api/v1/offers",
            json={"programme": "skup", "school_owner_id": TROMSO, "start_year": 2010, "deadline": SOON},
            headers=udir,
        )
    ).json()
    accepted = (await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=tromso)).json()
    url = f"/api/v1/enrolments/{accepted['enrolment_id']}"
    trinn1, trinn2 = (await client.get(url, headers=tromso)).json()["phases"]
    assert (trinn2["planned_start"], trinn2["planned_end"]) == ("2011-10-01", "2012-12-31")
    assert trinn2["requires_leadership"] is True
    assert (await client.post(f"{url}/phases/{trinn1['id']}/start", headers=tromso)).status_code == 200
    assert (await client.post(f"{url}/phases/{trinn1['id']}/complete", headers=tromso)).status_code == 200

    await client.post(f"{url}/participants", json={"name": "Ordfører", "role": "political_leadership"}, headers=tromso)
    r = await client.post(f"{url}/phases/{trinn2['id']}/start", headers=tromso)
    assert r.status_code == 409 and r.json()["rule"] == "leadership-must-attend"
    assert r.json()["missing"] == ["administrative_leadership"]
    await client.post(
        f"{url}/participants", json={"name": "Rådmann", "role": "administrative_leadership"}, headers=tromso
    )
    r = await client.post(f"{url}/phases/{trinn2['id']}/start", headers=tromso)
    assert r.status_code == 200 and r.json()["current_phase"] == "trinn-2"


async def test_gathering_groups_hold_five_and_each_sends_at_most_six(client, auth):
    udir = await auth("directorate")
    for owner in TROMS:
        await enrol_in_skup(client, udir, owner)
    three_days = await client.post(
        "/api/v1/gatherings",
        json={"programme": "skup", "title": "Samling 1", "starts_on": "2011-10-20", "ends_on": "2011-10-22"},
        headers=udir,
    )
    assert three_days.status_code == 409 and three_days.json()["rule"] == "gathering-days"
    g = (
        await client.post(
            "/api/v1/gatherings",
            json={
                "programme": "skup",
                "title": "Samling 1",
                "region": "Nord",
                "starts_on": "2011-10-20",
                "ends_on": "2011-10-21",
                "location": "Tromsø",
            },
            headers=udir,
        )
    ).json()
    url = f"/api/v1/gatherings/{g['id']}"
    for owner in TROMS[:5]:
        assert (await client.post(f"{url}/members", json={"school_owner_id": owner}, headers=udir)).status_code == 201
    sixth = await client.post(f"{url}/members", json={"school_owner_id": TROMS[5]}, headers=udir)
    assert sixth.status_code == 409 and sixth.json()["rule"] == "group-size" and sixth.json()["limit"] == 5
    again = await client.post(f"{url}/members", json={"school_owner_id": TROMS[0]}, headers=udir)
    assert again.status_code == 409 and again.json()["rule"] == "member-once"
    not_enrolled = await client.post(f"{url}/members", json={"school_owner_id": BERGEN}, headers=udir)
    assert not_enrolled.status_code == 409

    tromso = await auth("school_owner", TROMSO)
    roles = [
        "political_leadership",
        "administrative_leadership",
        "school_owner_staff",
        "school_leader",
        "teacher",
        "ppt",
    ]
    for i, role in enumerate(roles):
        r = await client.post(f"{url}/registrations", json={"person_name": f"Person {i}", "role": role}, headers=tromso)
        assert r.status_code == 201, r.text
    seventh = await client.post(
        f"{url}/registrations", json={"person_name": "Person 7", "role": "teacher"}, headers=tromso
    )
    assert seventh.status_code == 409 and seventh.json()["rule"] == "persons-per-school-owner"
    outsider = await client.post(
        f"{url}/registrations",
        json={"person_name": "X", "role": "teacher"},
        headers=await auth("school_owner", TROMS[5]),
    )
    assert outsider.status_code == 409 and outsider.json()["rule"] == "member-of-group"
    for_other = await client.post(
        f"{url}/registrations", json={"school_owner_id": HARSTAD, "person_name": "X", "role": "teacher"}, headers=tromso
    )
    assert for_other.status_code == 403

    mine = (await client.get(f"{url}/registrations", headers=tromso)).json()["items"]
    assert len(mine) == 6 and {r["school_owner_id"] for r in mine} == {TROMSO}
    everyone = (await client.get(f"{url}/registrations", headers=udir)).json()["items"]
    assert len(everyone) == 6
    members = (await client.get(f"{url}/members", headers=await auth("county_governor"))).json()["items"]
    assert len(members) == 5


async def test_workshops_take_sign_ups_up_to_capacity(client, auth):
    udir = await auth("directorate")
    for owner in (TROMSO, HARSTAD):
        await enrol_in_skup(client, udir, owner)
    w = (
        await client.post(
            "/api/v1/workshops",
            json={
                "programme": "skup",
                "theme": "Vurdering for læring",
                "starts_on": "2011-11-10",
                "ends_on": "2011-11-10",
                "capacity": 1,
            },
            headers=udir,
        )
    ).json()
    url = f"/api/v1/workshops/{w['id']}/signups"
    tromso, harstad = await auth("school_owner", TROMSO), await auth("school_owner", HARSTAD)
    assert (await client.post(url, headers=tromso)).status_code == 201
    again = await client.post(url, headers=tromso)
    assert again.status_code == 409 and again.json()["rule"] == "signup-once"
    full = await client.post(url, headers=harstad)
    assert full.status_code == 409 and full.json()["rule"] == "workshop-capacity"
    bergen = await client.post(url, headers=await auth("school_owner", BERGEN))
    assert bergen.status_code == 409 and bergen.json()["rule"] == "enrolled-in-programme"
    assert (await client.post(url, headers=udir)).status_code == 403
    listed = (await client.get("/api/v1/workshops", params={"programme": "skup"}, headers=harstad)).json()["items"]
    assert [x["theme"] for x in listed] == ["Vurdering for læring"]


async def test_a_programme_limit_is_data_the_directorate_edits(client, auth):
    udir = await auth("directorate")
    skup = await client.get("/api/v1/programmes/skup", headers=udir)
    body = skup.json()
    assert body["limits"]["max_group_municipalities"] == 5 and body["limits"]["max_persons_per_municipality"] == 6
    r = await client.patch(
        "/api/v1/programmes/skup",
        json={"limits": body["limits"] | {"max_persons_per_municipality": 8}},
        headers={**udir, "If-Match": skup.headers["etag"]},
    )
    assert r.status_code == 200 and r.json()["limits"]["max_persons_per_municipality"] == 8
