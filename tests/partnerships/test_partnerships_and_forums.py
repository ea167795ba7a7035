"""Partnerships in Vestland, subcontracts within the limit, and the collaboration forum's decisions."""

from __future__ import annotations

import pytest

from tests.conftest import BERGEN, CG_VESTLAND, TROMSO

pytestmark = pytest.mark.anyio
HVL, UIB, UIT = "917641404", "874789542", "970422528"
STORD, KVINNHERAD = "NO-4614", "NO-4617"


async def third_party(client, udir, name="Kompetanse AS") -> str:
    r = await client.post(
        "/api/v1/organisations", json={"kind": "third_party", "name": name, "commercial": True}, headers=udir
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


async def vestland_partnership(client, vestland, **extra) -> dict:
    body = {
        "name": "Partnerskap Sunnhordland",
        "period_start": "2026-01-01",
        "period_end": "2029-12-31",
        "competence_areas": ["lesing", "inkluderende praksis"],
        "budget": "2000000.00",
        "school_owner_ids": [BERGEN, STORD, KVINNHERAD],
        "universities": [{"id": HVL, "lead": True}, {"id": UIB}],
        "agreement_reference": "Avtale 2026/3",
        "agreement_signed_on": "2026-01-15",
    } | extra
    r = await client.post("/api/v1/partnerships", json=body, headers=vestland)
    assert r.status_code == 201, r.text
    return r.json()


async def test_vestland_partnership_with_hvl_leading_and_uib_second(client, auth):
    vestland = await auth("county_governor", CG_VESTLAND)
    p = await vestland_partnership(client, vestland)
    assert p["county_governor_id"] == CG_VESTLAND and p["lead_university_id"] == HVL
    assert sorted(p["university_ids"]) == sorted([HVL, UIB])
    assert sorted(p["school_owner_ids"]) == sorted([BERGEN, STORD, KVINNHERAD])
    assert p["budget"] == "2000000.00"
    # The universities see it; the school owners in it see it and HVL through it.
    for who in (("university", HVL), ("university", UIB), ("school_owner", BERGEN)):
        r = await client.get(f"/api/v1/partnerships/{p['id']}", headers=await auth(*who))
        assert r.status_code == 200, who
    hvl = await auth("university", HVL)
    assert (await client.get(f"/api/v1/organisations/{BERGEN}", headers=hvl)).status_code == 200
    assert (await client.get(f"/api/v1/organisations/{TROMSO}", headers=hvl)).status_code == 404
    assert (await client.get(f"/api/v1/organisations/{HVL}", headers=vestland)).status_code == 200


async def test_parties_are_checked(client, auth):
    vestland, udir = await auth("county_governor", CG_VESTLAND), await auth("directorate")
    base = {"name": "P", "period_start": "2026-01-01", "school_owner_ids": [BERGEN]}
    two_leads = await client.post(
        "/api/v1/partnerships",
        json=base | {"universities": [{"id": HVL, "lead": True}, {"id": UIB, "lead": True}]},
        headers=vestland,
    )
    assert two_leads.status_code == 409 and two_leads.json()["rule"] == "one-lead-university"
    outside = await client.post(
        "/api/v1/partnerships",
        json=base | {"school_owner_ids": [TROMSO], "universities": [{"id": HVL, "lead": True}]},
        headers=vestland,
    )
    assert outside.status_code == 409 and outside.json()["rule"] == "school-owner-in-region"
    tp = await third_party(client, udir)
    party = await client.post(
        "/api/v1/partnerships", json=base | {"universities": [{"id": HVL, "lead": True}, {"id": tp}]}, headers=vestland
    )
    assert party.status_code == 409 and party.json()["rule"] == "third-party-not-party"
    other_region = await client.post(
        "/api/v1/partnerships",
        json=base | {"county_governor_id": "967311014", "universities": [{"id": HVL, "lead": True}]},
        headers=vestland,
    )
    assert other_region.status_code == 403


async def test_subcontract_over_the_share_limit_is_refused(client, auth):
    vestland, udir = await auth("county_governor", CG_VESTLAND), await auth("directorate")
    p = await vestland_partnership(client, vestland)
    tp = await third_party(client, udir)
    hvl = await auth("university", HVL)
    url = f"/api/v1/partnerships/{p['id']}/subcontracts"
    ok = await client.post(
        url, json={"third_party_id": tp, "description": "Kurs i klasseledelse", "budget": "600000.00"}, headers=hvl
    )
    assert ok.status_code == 201 and ok.json()["university_id"] == HVL
    over = await client.post(
        url, json={"third_party_id": tp, "description": "Mer kurs", "budget": "400000.01"}, headers=hvl
    )
    assert over.status_code == 409 and over.json()["rule"] == "third-party-share-limit"
    assert over.json()["limit"] == "0.50"
    exactly = await client.post(
        url, json={"third_party_id": tp, "description": "Resten", "budget": "400000.00"}, headers=hvl
    )
    assert exactly.status_code == 201
    uib_for_hvl = await client.post(
        url,
        json={"university_id": HVL, "third_party_id": tp, "description": "x", "budget": "1.00"},
        headers=await auth("university", UIB),
    )
    assert uib_for_hvl.status_code == 403
    not_tp = await client.post(url, json={"third_party_id": UIB, "description": "x", "budget": "1.00"}, headers=hvl)
    assert not_tp.status_code == 409 and not_tp.json()["rule"] == "subcontractor-is-third-party"
    floaty = await client.post(url, json={"third_party_id": tp, "description": "x", "budget": 10.5}, headers=hvl)
    assert floaty.status_code == 422 and floaty.json()["errors"][0]["pointer"] == "/budget"
    assert len((await client.get(url, headers=vestland)).json()["items"]) == 2


async def test_a_university_sees_only_its_own_partnerships(client, auth):
    vestland = await auth("county_governor", CG_VESTLAND)
    mine = await vestland_partnership(client, vestland)
    other = await vestland_partnership(
        client, vestland, name="Uten UiB", universities=[{"id": HVL, "lead": True}], school_owner_ids=[STORD]
    )
    uib = await auth("university", UIB)
    listed = [p["id"] for p in (await client.get("/api/v1/partnerships", headers=uib)).json()["items"]]
    assert listed == [mine["id"]]
    assert (await client.get(f"/api/v1/partnerships/{other['id']}", headers=uib)).status_code == 404
    uit = await auth("university", UIT)
    assert (await client.get("/api/v1/partnerships", headers=uit)).json()["items"] == []
    hvl = await auth("university", HVL)
    assert len((await client.get("/api/v1/partnerships", headers=hvl)).json()["items"]) == 2
    by_uib = (await client.get("/api/v1/partnerships", params={"university": UIB}, headers=vestland)).json()["items"]
    assert [p["id"] for p in by_uib] == [mine["id"]]


async def test_forum_decisions_by_consensus_and_by_the_county_governor(client, auth):
    vestland, udir = await auth("county_governor", CG_VESTLAND), await auth("directorate")
    forum = (
        await client.post(
            "/api/v1/forums",
            json={"programme": "desentralisert", "year": 2026, "name": "Samarbeidsforum Vestland 2026"},
            headers=vestland,
        )
    ).json()
    again = await client.post(
        "/api/v1/forums", json={"programme": "desentralisert", "year": 2026, "name": "x"}, headers=vestland
    )
    assert again.status_code == 409 and again.json()["rule"] == "one-forum-per-region-and-year"
    url = f"/api/v1/forums/{forum['id']}"
    for member in (
        {"kind": "school_owner", "organisation_id": BERGEN, "representative_name": "Skolesjef"},
        {"kind": "university", "organisation_id": HVL, "representative_name": "Dekan"},
        {"kind": "teacher_union", "organisation_name": "Utdanningsforbundet Vestland", "representative_name": "Leder"},
    ):
        assert (await client.post(f"{url}/members", json=member, headers=vestland)).status_code == 201

    consensus = await client.post(
        f"{url}/decisions",
        json={
            "meeting_date": "2026-02-12",
            "reached_by": "consensus",
            "priorities": [{"area": "Lesing", "school_owner_ids": [BERGEN, STORD], "university_ids": [HVL]}],
            "distribution": [
                {"recipient_id": BERGEN, "amount": "3000000.00"},
                {"recipient_id": STORD, "amount": "1500000"},
                {"recipient_id": HVL, "amount": "500000.50"},
            ],
        },
        headers=vestland,
    )
    assert consensus.status_code == 201, consensus.text
    assert consensus.json()["total"] == "5000000.50" and consensus.json()["reached_by"] == "consensus"

    no_reason = await client.post(
        f"{url}/decisions", json={"meeting_date": "2026-05-01", "reached_by": "county_governor"}, headers=vestland
    )
    assert no_reason.status_code == 422
    decided = await client.post(
        f"{url}/decisions",
        json={
            "meeting_date": "2026-05-01",
            "reached_by": "county_governor",
            "justification": "Forumet ble ikke enige om fordelingen; statsforvalteren avgjør (rule 14).",
            "distribution": [{"recipient_id": KVINNHERAD, "amount": "250000.00"}],
        },
        headers=vestland,
    )
    assert decided.status_code == 201 and decided.json()["reached_by"] == "county_governor"

    # Members read; only the county governor records.
    hvl = await auth("university", HVL)
    decisions = (await client.get(f"{url}/decisions", headers=hvl)).json()["items"]
    assert [d["reached_by"] for d in decisions] == ["consensus", "county_governor"]
    assert (
        await client.post(
            f"{url}/decisions", json={"meeting_date": "2026-06-01", "reached_by": "consensus"}, headers=udir
        )
    ).status_code == 403
    assert (await client.get(url, headers=await auth("school_owner", TROMSO))).status_code == 404


async def test_a_decision_naming_a_commercial_actor_is_refused(client, auth):
    vestland, udir = await auth("county_governor", CG_VESTLAND), await auth("directorate")
    tp = await third_party(client, udir)
    forum = (await client.post("/api/v1/forums", json={"year": 2027, "name": "Forum 2027"}, headers=vestland)).json()
    r = await client.post(
        f"/api/v1/forums/{forum['id']}/decisions",
        json={
            "meeting_date": "2027-02-01",
            "reached_by": "consensus",
            "distribution": [{"recipient_id": tp, "amount": "100000.00"}],
        },
        headers=vestland,
    )
    assert r.status_code == 409 and r.json()["rule"] == "recipients-school-owners-and-universities"
    outside = await client.post(
        f"/api/v1/forums/{forum['id']}/decisions",
        json={
            "meeting_date": "2027-02-01",
            "reached_by": "consensus",
            "distribution": [{"recipient_id": TROMSO, "amount": "100000.00"}],
        },
        headers=vestland,
    )
    assert outside.status_code == 409 and outside.json()["rule"] == "recipient-in-region"
