"""The follow-up scheme walked through the API as the real roles would: offer -> acceptance -> phases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.enrolments.models import Enrolment, Offer
from tests.conftest import BERGEN, CG_VESTLAND, HARSTAD, TROMSO

pytestmark = pytest.mark.anyio
SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat()


async def offer_to(client, auth, owner=TROMSO, programme="oppfolging", **extra):
    r = await client.post(
        "/api/v1/offers",
        json={
            "programme": programme,
            "school_owner_id": owner,
            "start_year": 2026,
            "deadline": SOON,
            "terms": "Tilbudet er frivillig.",
        }
        | extra,
        headers=await auth("directorate"),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_follow_up_scheme_from_offer_to_completed_implementation_phase(client, auth):
    udir, cg, tromso = await auth("directorate"), await auth("county_governor"), await auth("school_owner")
    offer = await offer_to(client, auth)
    assert offer["status"] == "open" and offer["includes_guidance"] is True  # rule 8
    assert (await client.get(f"/api/v1/offers/{offer['id']}", headers=cg)).status_code == 200
    assert (
        await client.get(f"/api/v1/offers/{offer['id']}", headers=await auth("county_governor", CG_VESTLAND))
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/offers/{offer['id']}", headers=await auth("school_owner", HARSTAD))
    ).status_code == 404

    # Only the school owner itself answers.
    assert (await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=udir)).status_code == 403
    r = await client.post(
        f"/api/v1/offers/{offer['id']}/accept", json={"note": "Vedtatt i kommunestyret"}, headers=tromso
    )
    assert r.status_code == 200, r.text
    accepted = r.json()
    assert accepted["status"] == "accepted" and accepted["responded_by"] and accepted["responded_at"]
    r = await client.post(
        f"/api/v1/offers/{offer['id']}/agreement",
        json={"document_reference": "Avtale 2026/17", "signed_on": "2026-06-20"},
        headers=udir,
    )
    assert r.status_code == 200 and r.json()["agreement_signed_on"] == "2026-06-20"

    url = f"/api/v1/enrolments/{accepted['enrolment_id']}"
    enrolment = (await client.get(url, headers=tromso)).json()
    assert enrolment["status"] == "active" and enrolment["guidance_offered"] is True
    assert enrolment["period_start"] == "2026-08-01" and enrolment["period_end"] == "2029-07-31"
    pre, impl = enrolment["phases"]
    assert (pre["code"], pre["planned_start"], pre["planned_end"]) == ("forfase", "2026-08-01", "2027-07-31")
    assert (impl["code"], impl["planned_start"], impl["planned_end"]) == (
        "gjennomforingsfase",
        "2027-08-01",
        "2029-07-31",
    )
    assert pre["goals_total"] == 11 and pre["goals_done"] == 0

    # The county governor assigns a guide; the municipality names its participants (rule 4).
    r = await client.post(
        f"{url}/guidance",
        json={
            "guide_name": "Ola Veileder",
            "guide_organisation_id": "970422528",
            "period_start": "2026-08-15",
            "period_end": "2027-07-31",
        },
        headers=cg,
    )
    assert r.status_code == 201, r.text
    for name, role in [
        ("Kari Rektor", "school_leader"),
        ("Per Lærer", "teacher"),
        ("Siri PPT", "ppt"),
        ("Anne Barnehage", "kindergarten_representative"),
    ]:
        assert (
            await client.post(f"{url}/participants", json={"name": name, "role": role}, headers=tromso)
        ).status_code == 201
    assert len((await client.get(f"{url}/participants", headers=cg)).json()["items"]) == 4

    # Phases are strictly ordered.
    r = await client.post(f"{url}/phases/{impl['id']}/start", headers=tromso)
    assert r.status_code == 409 and r.json()["rule"] == "phase-order"
    r = await client.post(f"{url}/phases/{pre['id']}/start", headers=tromso)
    assert r.status_code == 200 and r.json()["current_phase"] == "forfase"

    # The goal checklist: If-Match on the phase.
    goal_url = f"{url}/phases/{pre['id']}/goals/utfordringsbilde"
    assert (await client.patch(goal_url, json={"done": True}, headers=tromso)).status_code == 428
    phase_version = next(p for p in r.json()["phases"] if p["code"] == "forfase")["version"]
    r = await client.patch(
        goal_url,
        json={"done": True, "comment": "Lagt fram i mars"},
        headers={**tromso, "If-Match": f'"{phase_version}"'},
    )
    assert r.status_code == 200 and r.json()["goals_done"] == 1
    # The list shows the goal as the enrolment does: its stored time is text, which the list reads as a time.
    listed = await client.get("/api/v1/enrolments", params={"programme": "oppfolging"}, headers=tromso)
    assert listed.status_code == 200, listed.text
    (item,) = [e for e in listed.json()["items"] if e["id"] == enrolment["id"]]
    goal = next(g for g in item["phases"][0]["goals"] if g["code"] == "utfordringsbilde")
    assert goal["done"] is True and goal["comment"] == "Lagt fram i mars" and goal["updated_at"].endswith("Z")
    assert item == (await client.get(url, headers=tromso)).json()
    stale = await client.patch(goal_url, json={"done": False}, headers={**tromso, "If-Match": f'"{phase_version}"'})
    assert stale.status_code == 412

    assert (await client.post(f"{url}/phases/{pre['id']}/complete", headers=tromso)).status_code == 200
    # Rule 5: the implementation phase waits for the plan for it.
    r = await client.post(f"{url}/phases/{impl['id']}/start", headers=tromso)
    assert r.status_code == 409 and r.json()["rule"] == "implementation-plan-required"
    etag = (await client.get(url, headers=tromso)).headers["etag"]
    r = await client.patch(
        url, json={"implementation_plan_reference": "Kommunestyresak 2027/41"}, headers={**tromso, "If-Match": etag}
    )
    assert r.status_code == 200  # a reference alone is not the plan: the phase still waits
    assert (await client.post(f"{url}/phases/{impl['id']}/start", headers=tromso)).status_code == 409
    plan = await client.post(
        "/api/v1/development-plans",
        json={
            "title": "Plan for gjennomføringsfasen",
            "level": "owner",
            "kind": "implementation_plan",
            "enrolment_id": enrolment["id"],
            "goals": [{"text": "Bedre lesing"}],
        },
        headers=tromso,
    )
    plan_url = f"/api/v1/development-plans/{plan.json()['id']}"
    await client.post(f"{plan_url}/measures", json={"title": "Lesekurs"}, headers=tromso)
    assert (await client.post(f"{url}/phases/{impl['id']}/start", headers=tromso)).status_code == 409  # a draft
    assert (await client.post(f"{plan_url}/submit", headers=tromso)).status_code == 200
    assert (await client.post(f"{url}/phases/{impl['id']}/start", headers=cg)).status_code == 200
    r = await client.post(f"{url}/phases/{impl['id']}/complete", headers=cg)
    assert r.status_code == 200 and r.json()["status"] == "completed" and r.json()["completed_at"]

    # Every step is in the audit log and in the county governor's feed.
    feed = (
        await client.get("/api/v1/events", params={"limit": 500, "resource_type": "enrolment-phase"}, headers=cg)
    ).json()
    assert [e["action"] for e in feed["items"]].count("start") == 2


async def test_accepting_after_the_deadline_is_409_naming_it(client, auth, db):
    offer = await offer_to(client, auth)
    past = datetime.now(UTC) - timedelta(minutes=1)
    await db.execute(sa.update(Offer).where(Offer.id == uuid.UUID(offer["id"])).values(deadline=past))
    await db.commit()
    tromso = await auth("school_owner")
    r = await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=tromso)
    assert r.status_code == 409 and r.json()["rule"] == "offer-deadline"
    assert r.json()["deadline"].startswith(past.date().isoformat())
    listed = (await client.get("/api/v1/offers", params={"status": "expired"}, headers=tromso)).json()["items"]
    assert [o["id"] for o in listed] == [offer["id"]] and listed[0]["status"] == "expired"
    assert (await client.post(f"/api/v1/offers/{offer['id']}/decline", headers=tromso)).status_code == 409
    assert await db.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


async def test_declined_offer_cannot_be_accepted_and_creates_no_enrolment(client, auth, db):
    offer = await offer_to(client, auth)
    tromso = await auth("school_owner")
    assert (await client.post(f"/api/v1/offers/{offer['id']}/decline", headers=tromso)).status_code == 200
    r = await client.post(f"/api/v1/offers/{offer['id']}/accept", headers=tromso)
    assert r.status_code == 409 and r.json()["rule"] == "offer-open"


async def test_one_open_offer_and_one_active_enrolment_per_programme(client, auth):
    await offer_to(client, auth)
    r = await client.post(
        "/api/v1/offers",
        json={"programme": "oppfolging", "school_owner_id": TROMSO, "start_year": 2026, "deadline": SOON},
        headers=await auth("directorate"),
    )
    assert r.status_code == 409 and r.json()["rule"] == "one-open-offer"
    cg = await auth("county_governor")
    first = await client.post(
        "/api/v1/enrolments",
        json={"programme": "desentralisert", "school_owner_id": TROMSO, "start_year": 2026},
        headers=cg,
    )
    assert first.status_code == 201 and first.json()["period_end"] == "2026-12-31" and first.json()["phases"] == []
    again = await client.post(
        "/api/v1/enrolments",
        json={"programme": "desentralisert", "school_owner_id": TROMSO, "start_year": 2027},
        headers=cg,
    )
    assert again.status_code == 409 and again.json()["rule"] == "one-active-enrolment"


async def test_county_governor_cannot_enrol_outside_its_region_or_offer_the_follow_up_scheme(client, auth):
    cg = await auth("county_governor")
    r = await client.post(
        "/api/v1/enrolments",
        json={"programme": "desentralisert", "school_owner_id": BERGEN, "start_year": 2026},
        headers=cg,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/school_owner_id"
    r = await client.post(
        "/api/v1/offers",
        json={"programme": "oppfolging", "school_owner_id": TROMSO, "start_year": 2026, "deadline": SOON},
        headers=cg,
    )
    assert r.status_code == 403
    r = await client.post(
        "/api/v1/offers",
        json={"programme": "desentralisert", "school_owner_id": TROMSO, "start_year": 2026, "deadline": SOON},
        headers=cg,
    )
    assert r.status_code == 201 and r.json()["offered_by_role"] == "county_governor"


async def test_vocational_variant_is_for_county_municipalities_from_2019(client, auth):
    udir = await auth("directorate")
    r = await client.post(
        "/api/v1/enrolments",
        json={"programme": "desentralisert-yrkesfag", "school_owner_id": TROMSO, "start_year": 2026},
        headers=udir,
    )
    assert r.status_code == 409 and r.json()["rule"] == "owner-kind-eligible"
    org = await client.post(
        "/api/v1/organisations",
        json={"kind": "county_municipality", "name": "Troms fylkeskommune", "county_id": "NO-55"},
        headers=udir,
    )
    fk = org.json()["id"]
    early = await client.post(
        "/api/v1/enrolments",
        json={"programme": "desentralisert-yrkesfag", "school_owner_id": fk, "start_year": 2018},
        headers=udir,
    )
    assert early.status_code == 409 and early.json()["rule"] == "county-municipalities-from-year"
    ok = await client.post(
        "/api/v1/enrolments",
        json={"programme": "desentralisert-yrkesfag", "school_owner_id": fk, "start_year": 2019},
        headers=udir,
    )
    assert ok.status_code == 201


async def test_withdrawal_keeps_history_and_frees_the_programme(client, auth):
    udir = await auth("directorate")
    e = (
        await client.post(
            "/api/v1/enrolments",
            json={"programme": "oppfolging", "school_owner_id": TROMSO, "start_year": 2026},
            headers=udir,
        )
    ).json()
    assert (await client.post(f"/api/v1/enrolments/{e['id']}/withdraw", json={}, headers=udir)).status_code == 422
    r = await client.post(f"/api/v1/enrolments/{e['id']}/withdraw", json={"reason": "Sammenslåing"}, headers=udir)
    assert (
        r.status_code == 200 and r.json()["status"] == "withdrawn" and r.json()["withdrawal_reason"] == "Sammenslåing"
    )
    r2 = await client.post(f"/api/v1/enrolments/{e['id']}/withdraw", json={"reason": "again"}, headers=udir)
    assert r2.status_code == 409 and r2.json()["rule"] == "enrolment-active"
    audit = (await client.get("/api/v1/audit-events", params={"resource_id": e["id"]}, headers=udir)).json()["items"]
    assert [a["action"] for a in audit] == ["create", "withdraw"]
    again = await client.post(
        "/api/v1/enrolments",
        json={"programme": "oppfolging", "school_owner_id": TROMSO, "start_year": 2028},
        headers=udir,
    )
    assert again.status_code == 201


async def test_dry_run_accept_creates_nothing(client, auth, db):
    offer = await offer_to(client, auth)
    tromso = await auth("school_owner")
    r = await client.post(f"/api/v1/offers/{offer['id']}/accept", params={"dry_run": "true"}, headers=tromso)
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert await db.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0
    assert (await client.get(f"/api/v1/offers/{offer['id']}", headers=tromso)).json()["status"] == "open"


async def test_enrolment_lists_filter_and_export_csv(client, auth):
    udir = await auth("directorate")
    for owner in (TROMSO, HARSTAD, BERGEN):
        await client.post(
            "/api/v1/enrolments",
            json={"programme": "oppfolging", "school_owner_id": owner, "start_year": 2026},
            headers=udir,
        )
    cg = await auth("county_governor")
    mine = (await client.get("/api/v1/enrolments", params={"programme": "oppfolging"}, headers=cg)).json()["items"]
    assert sorted(e["school_owner_id"] for e in mine) == [TROMSO, HARSTAD]
    csv = await client.get("/api/v1/enrolments", params={"county": "NO-55"}, headers={**udir, "Accept": "text/csv"})
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("id,programme_id,school_owner_id")
    bad = await client.get("/api/v1/enrolments", params={"programme": "no-such"}, headers=udir)
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "programme"


async def test_the_database_refuses_a_second_active_enrolment_even_when_the_service_check_is_skipped(
    client, auth, monkeypatch
):
    from app.enrolments.service import enrolling

    async def nothing_active(*args, **kwargs):
        return None

    udir = await auth("directorate")
    body = {"programme": "oppfolging", "school_owner_id": TROMSO, "start_year": 2026}
    assert (await client.post("/api/v1/enrolments", json=body, headers=udir)).status_code == 201
    monkeypatch.setattr(enrolling, "active_enrolment", nothing_active)
    r = await client.post("/api/v1/enrolments", json=body, headers=udir)
    assert r.status_code == 409 and r.json()["rule"] == "one-active-enrolment"
