"""10,000,000 NOK from the directorate to Statsforvalteren i Vestland, through a forum decision to three school
owners and HVL, with co-financing, reports and statistics that add up to the øre."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.auth.subjects import _enrolment
from tests.conftest import BERGEN, CG_VESTLAND, HVL, TROMSO

pytestmark = pytest.mark.anyio
KINN, ETNE, SVEIO = "NO-4602", "NO-4611", "NO-4612"


async def _post(client, url, headers, json=None, status=200):
    r = await client.post(url, json=json, headers=headers)
    assert r.status_code == status, r.text
    return r.json()


async def _top_allocation(client, udir, amount="10000000.00"):
    body = {"programme": "desentralisert", "year": 2026, "recipient_id": CG_VESTLAND, "amount": amount}
    return await _post(client, "/api/v1/allocations", udir, body, 201)


async def _enrol_vestland(db):
    for owner in (BERGEN, KINN, ETNE):
        await _enrolment(db, owner, "desentralisert")


async def test_ten_million_from_the_directorate_to_recipients_adds_up_to_the_ore(client, auth, db):
    await _enrol_vestland(db)
    udir, cg = await auth("directorate"), await auth("county_governor", CG_VESTLAND)
    bergen, kinn, etne = [await auth("school_owner", o) for o in (BERGEN, KINN, ETNE)]
    hvl = await auth("university", HVL)

    top = await _top_allocation(client, udir)
    assert (top["currency"], top["co_financing_required"], top["region_id"]) == ("NOK", "0.00", CG_VESTLAND)
    for action in ("decide", "disburse"):
        top = await _post(client, f"/api/v1/allocations/{top['id']}/{action}", udir)
    assert top["status"] == "disbursed"

    forum = await _post(
        client,
        "/api/v1/forums",
        cg,
        {"county_governor_id": CG_VESTLAND, "programme": "desentralisert", "year": 2026, "name": "Samarbeidsforum"},
        201,
    )
    shares = {BERGEN: "4000000.00", KINN: "2500000.00", ETNE: "1500000.00", HVL: "1999999.99"}
    decision = await _post(
        client,
        f"/api/v1/forums/{forum['id']}/decisions",
        cg,
        {
            "meeting_date": "2026-02-12",
            "reached_by": "consensus",
            "distribution": [{"recipient_id": k, "amount": v} for k, v in shares.items()],
        },
        201,
    )
    children = await _post(
        client,
        "/api/v1/allocations/from-decision",
        cg,
        {"forum_decision_id": decision["id"], "parent_id": top["id"]},
        201,
    )
    by = {c["recipient_id"]: c for c in children}
    assert {k: c["amount"] for k, c in by.items()} == shares
    assert {k: c["co_financing_required"] for k, c in by.items()} == {
        BERGEN: "1200000.00",
        KINN: "750000.00",
        ETNE: "450000.00",
        HVL: "0.00",
    }
    assert all(c["forum_decision_id"] == decision["id"] for c in children)
    r = await client.get(f"/api/v1/allocations/{top['id']}", headers=cg)
    assert (r.json()["sub_allocated"], r.json()["remaining"]) == ("9999999.99", "0.01")

    # The children never sum above the parent; a decision is turned into allocations once.
    r = await client.post(
        "/api/v1/allocations", json={"recipient_id": BERGEN, "parent_id": top["id"], "amount": "0.02"}, headers=cg
    )
    assert r.status_code == 409 and r.json()["rule"] == "allocation-exceeds-parent" and r.json()["remaining"] == "0.01"
    r = await client.post(
        "/api/v1/allocations/from-decision",
        json={"forum_decision_id": decision["id"], "parent_id": top["id"]},
        headers=cg,
    )
    assert r.status_code == 409 and r.json()["rule"] == "decision-already-allocated"

    # Co-financing: Bergen in cash and release time; Kinn first too little.
    cof = f"/api/v1/allocations/{by[BERGEN]['id']}/co-financing"
    await _post(client, cof, bergen, {"kind": "cash", "amount": "700000.00"}, 201)
    await _post(client, cof, bergen, {"kind": "release_time", "amount": "500000.00"}, 201)
    assert (await client.post(cof, json={"kind": "cash", "amount": "1.00"}, headers=kinn)).status_code == 404
    await _post(
        client,
        f"/api/v1/allocations/{by[KINN]['id']}/co-financing",
        kinn,
        {"kind": "salary", "amount": "700000.00"},
        201,
    )
    await _post(
        client, f"/api/v1/allocations/{by[ETNE]['id']}/co-financing", etne, {"kind": "cash", "amount": "450000.00"}, 201
    )
    for child in children:
        await _post(client, f"/api/v1/allocations/{child['id']}/decide", cg)
    r = await client.post(f"/api/v1/allocations/{by[KINN]['id']}/disburse", headers=cg)
    assert r.status_code == 409 and r.json()["rule"] == "co-financing-below-requirement"
    await _post(
        client, f"/api/v1/allocations/{by[KINN]['id']}/co-financing", kinn, {"kind": "cash", "amount": "50000.00"}, 201
    )
    for child in children:
        done = await _post(client, f"/api/v1/allocations/{child['id']}/disburse", cg)
        assert done["co_financing_met"] is True

    # Disbursing opened a report for each recipient, due when the programme says (1 March the year after).
    reports = {}
    for who, headers in ((BERGEN, bergen), (KINN, kinn), (HVL, hvl)):
        r = await client.get(f"/api/v1/reports?allocation={by[who]['id']}", headers=headers)
        (report,) = r.json()["items"]
        assert (report["status"], report["due_on"], report["reviewer_id"]) == ("draft", "2027-03-01", CG_VESTLAND)
        reports[who] = report

    async def fill(who, headers, spending, delivered):
        rep = reports[who]
        r = await client.patch(
            f"/api/v1/reports/{rep['id']}",
            json={
                "spending": [{"category": c, "amount": a} for c, a in spending],
                "co_financing_delivered": delivered,
                "evaluation": "Gjennomført etter planen.",
            },
            headers=headers | {"If-Match": f'"{rep["version"]}"'},
        )
        assert r.status_code == 200, r.text
        return await _post(client, f"/api/v1/reports/{rep['id']}/submit", headers)

    ok = await fill(BERGEN, bergen, [("Etterutdanning", "3000000.50"), ("Samlinger", "999999.50")], "1200000.00")
    assert (ok["spent_total"], ok["flags"]) == ("4000000.00", [])
    flagged = await fill(KINN, kinn, [("Etterutdanning", "2600000.00")], "600000.00")
    assert flagged["flags"] == ["spending-exceeds-allocation", "co-financing-below-requirement"]
    assert (await client.post(f"/api/v1/reports/{ok['id']}/accept", headers=bergen)).status_code == 403
    await _post(client, f"/api/v1/reports/{ok['id']}/accept", cg)
    r = await client.post(f"/api/v1/reports/{flagged['id']}/return", json={}, headers=cg)
    assert r.status_code == 422
    await _post(client, f"/api/v1/reports/{flagged['id']}/return", cg, {"comment": "Forbruk over tildelingen."})
    r = await client.get(f"/api/v1/allocations/{by[BERGEN]['id']}", headers=bergen)
    assert (r.json()["reported_spent"], r.json()["co_financing_delivered"]) == ("4000000.00", "1200000.00")

    # The statistics add up to the øre.
    r = await client.get("/api/v1/statistics/allocations?group_by=county_governor", headers=udir)
    rows = {row["level"]: row for row in r.json()["rows"]}
    assert rows["to_region"] | {} == {
        "level": "to_region",
        "county_governor": CG_VESTLAND,
        "allocations": 1,
        "allocated": "10000000.00",
        "disbursed": "10000000.00",
        "reported_spent": "0.00",
        "co_financing_required": "0.00",
        "co_financing_committed": "0.00",
        "co_financing_delivered": "0.00",
    }
    assert rows["to_recipient"] == {
        "level": "to_recipient",
        "county_governor": CG_VESTLAND,
        "allocations": 4,
        "allocated": "9999999.99",
        "disbursed": "9999999.99",
        "reported_spent": "4000000.00",
        "co_financing_required": "2400000.00",
        "co_financing_committed": "2400000.00",
        "co_financing_delivered": "1200000.00",
    }
    total = sum(Decimal(c["amount"]) for c in children)
    assert str(total) == rows["to_recipient"]["allocated"]
    r = await client.get("/api/v1/statistics/allocations?group_by=recipient_kind", headers=cg)
    kinds = {(row["level"], row["recipient_kind"]): row["allocated"] for row in r.json()["rows"]}
    assert (
        kinds[("to_recipient", "municipality")] == "8000000.00"
        and kinds[("to_recipient", "university")] == "1999999.99"
    )

    r = await client.get("/api/v1/statistics/reports", headers=cg)
    assert r.json()["rows"] == [
        {
            "county_governor": CG_VESTLAND,
            "due": 5,
            "submitted": 1,
            "accepted": 1,
            "returned": 1,
            "overdue": 0,
            "flagged": 1,
        }
    ]
    r = await client.get("/api/v1/statistics/allocations", headers=udir | {"Accept": "text/csv"})
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "level,county_governor,allocations,allocated,disbursed,reported_spent,"
        "co_financing_required,co_financing_committed,co_financing_delivered"
    )
    assert f"to_recipient,{CG_VESTLAND},4,9999999.99,9999999.99,4000000.00,2400000.00,2400000.00,1200000.00" in lines

    # Every figure respects the caller's scope.
    r = await client.get("/api/v1/statistics/allocations", headers=await auth("county_governor"))
    assert r.json()["rows"] == []
    r = await client.get("/api/v1/statistics/allocations?group_by=county", headers=kinn)
    assert [(row["county"], row["allocated"]) for row in r.json()["rows"]] == [("NO-46", "2500000.00")]
    assert (await client.get(f"/api/v1/allocations/{by[BERGEN]['id']}", headers=kinn)).status_code == 404


async def test_recipient_rules_each_name_themselves(client, auth, db):
    await _enrol_vestland(db)
    udir, cg = await auth("directorate"), await auth("county_governor", CG_VESTLAND)
    top = await _top_allocation(client, udir, "1000000.00")

    async def sub(recipient, status, rule=None, **extra):
        body = {"recipient_id": recipient, "parent_id": top["id"], "amount": "1000.00"} | extra
        r = await client.post("/api/v1/allocations", json=body, headers=cg)
        assert r.status_code == status, r.text
        if rule:
            assert r.json()["rule"] == rule

    await sub(SVEIO, 409, "recipient-not-participating")  # rule 15: not enrolled
    await sub(TROMSO, 409, "recipient-in-region")
    await sub(BERGEN, 409, "continuing-education-only", purpose="further_education")  # rule 17
    await sub(BERGEN, 422, amount=1000.5)  # never a float
    await sub(BERGEN, 422, amount="-5.00")
    await sub(BERGEN, 201)
    r = await client.post(
        "/api/v1/organisations",
        json={"kind": "third_party", "name": "Kursfirma AS", "commercial": True},
        headers=udir,
    )
    assert r.status_code == 201, r.text
    await sub(r.json()["id"], 409, "recipient-not-allowed")  # rule 16
    # The directorate allocates to regions; a county governor from its own allocation only.
    body = {"programme": "desentralisert", "year": 2026, "recipient_id": BERGEN, "amount": "5.00"}
    r = await client.post("/api/v1/allocations", json=body, headers=udir)
    assert r.status_code == 409 and r.json()["rule"] == "directorate-allocates-to-regions"
    r = await client.post("/api/v1/allocations", json=body | {"recipient_id": CG_VESTLAND}, headers=cg)
    assert r.status_code == 403
    other = await auth("county_governor")
    r = await client.post(
        "/api/v1/allocations", json={"recipient_id": BERGEN, "parent_id": top["id"], "amount": "5.00"}, headers=other
    )
    assert r.status_code == 422  # another region's allocation is not even visible


async def test_a_proposed_allocation_is_changed_with_if_match_within_its_parent(client, auth, db):
    await _enrol_vestland(db)
    udir, cg = await auth("directorate"), await auth("county_governor", CG_VESTLAND)
    top = await _top_allocation(client, udir, "1000.00")
    child = await _post(
        client, "/api/v1/allocations", cg, {"recipient_id": BERGEN, "parent_id": top["id"], "amount": "400.00"}, 201
    )
    url = f"/api/v1/allocations/{child['id']}"
    assert (await client.patch(url, json={"amount": "500.00"}, headers=cg)).status_code == 428
    r = await client.patch(url, json={"amount": "1000.01"}, headers=cg | {"If-Match": f'"{child["version"]}"'})
    assert r.status_code == 409 and r.json()["rule"] == "allocation-exceeds-parent"
    r = await client.patch(url, json={"amount": "1000.00"}, headers=cg | {"If-Match": f'"{child["version"]}"'})
    assert r.status_code == 200 and r.json()["co_financing_required"] == "300.00"
    r = await client.get(f"/api/v1/allocations/{top['id']}", headers=udir)
    assert r.json()["remaining"] == "0.00"
    await _post(client, f"{url}/decide", cg)
    r = await client.patch(url, json={"note": "x"}, headers=cg | {"If-Match": f'"{child["version"] + 2}"'})
    assert r.status_code in (409, 412)
    r = await client.post(f"{url}/disburse", headers=cg)
    assert r.status_code == 409 and r.json()["rule"] in ("co-financing-below-requirement", "parent-not-disbursed")


async def test_overdue_reports_are_listable(client, auth, db):
    from datetime import date

    from app.reports.models import Report

    await _enrol_vestland(db)
    udir = await auth("directorate")
    top = await _top_allocation(client, udir, "1000.00")
    for action in ("decide", "disburse"):
        await _post(client, f"/api/v1/allocations/{top['id']}/{action}", udir)
    cg = await auth("county_governor", CG_VESTLAND)
    (report,) = (await client.get("/api/v1/reports", headers=cg)).json()["items"]
    assert report["overdue"] is False
    row = await db.get(Report, __import__("uuid").UUID(report["id"]))
    row.due_on = date(2020, 3, 1)
    await db.commit()
    r = await client.get("/api/v1/reports?overdue=true", headers=udir)
    assert [x["id"] for x in r.json()["items"]] == [report["id"]] and r.json()["items"][0]["overdue"] is True
    r = await client.get("/api/v1/statistics/reports", headers=udir)
    assert r.json()["rows"][0]["overdue"] == 1


async def test_a_school_owner_reports_on_its_enrolment_with_its_plan_measures(client, auth, db):
    from app.plans.models import DevelopmentPlan, PlanMeasure

    enrolment = await _enrolment(db, BERGEN, "desentralisert")
    plan = DevelopmentPlan(
        school_owner_id=BERGEN,
        county_id="NO-46",
        municipality_id=BERGEN,
        level="owner",
        kind="free",
        title="Plan",
        status="draft",
        goals=[],
        submitted_version=0,
    )
    db.add(plan)
    await db.flush()
    measure = PlanMeasure(plan_id=plan.id, title="Lesekurs", status="done")
    db.add(measure)
    await db.commit()
    bergen = await auth("school_owner", BERGEN)
    body = {
        "enrolment_id": str(enrolment.id),
        "period_start": "2026-08-01",
        "period_end": "2027-07-31",
        "measures": [{"measure_id": str(measure.id), "note": "Alle skoler deltok."}],
        "evaluation": "Godt i gang.",
    }
    r = await client.post("/api/v1/reports", json=body, headers=bergen)
    assert r.status_code == 201, r.text
    report = r.json()
    assert (report["reviewer_id"], report["region_id"], report["due_on"]) == (CG_VESTLAND, CG_VESTLAND, "2027-03-01")
    assert report["measures"][0]["title"] == "Lesekurs"
    other = {**body, "measures": [{"measure_id": str(__import__("uuid").uuid4())}]}
    r = await client.post("/api/v1/reports", json=other, headers=bergen)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/measures/0/measure_id"
    r = await client.post("/api/v1/reports", json=body, headers=await auth("school_owner", KINN))
    assert r.status_code == 404
    await _post(client, f"/api/v1/reports/{report['id']}/submit", bergen)
    r = await client.patch(
        f"/api/v1/reports/{report['id']}", json={"evaluation": "x"}, headers=bergen | {"If-Match": '"2"'}
    )
    assert r.status_code == 409 and r.json()["rule"] == "report-status"
    await _post(client, f"/api/v1/reports/{report['id']}/accept", await auth("county_governor", CG_VESTLAND))


async def test_enrolment_statistics_count_by_programme_phase_and_county_in_scope(client, auth, db):
    await _enrol_vestland(db)
    await _enrolment(db, TROMSO, "oppfolging")
    r = await client.get(
        "/api/v1/statistics/enrolments?group_by=programme,phase,county", headers=await auth("directorate")
    )
    assert r.status_code == 200
    rows = {(x["programme"], x["phase"], x["county"]): x["enrolments"] for x in r.json()["rows"]}
    assert rows[("desentralisert", "none", "NO-46")] == 3
    assert rows[("oppfolging", "none", "NO-55")] == 1  # the pre-phase has not started
    r = await client.get("/api/v1/statistics/enrolments", headers=await auth("county_governor", CG_VESTLAND))
    assert r.json()["rows"] == [{"programme": "desentralisert", "status": "active", "enrolments": 3}]
    r = await client.get("/api/v1/statistics/enrolments?group_by=shoe_size", headers=await auth("directorate"))
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "group_by"


async def test_statistics_answer_xlsx(client, auth, db):
    from openpyxl import load_workbook

    await _enrol_vestland(db)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    r = await client.get("/api/v1/statistics/enrolments", headers=await auth("directorate") | {"Accept": xlsx})
    assert r.status_code == 200 and r.headers["content-type"] == xlsx
    rows = list(
        load_workbook(__import__("io").BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    assert rows[0] == ("programme", "status", "enrolments") and ("desentralisert", "active", 3) in rows


async def test_the_swedish_programme_funds_one_to_one_in_sek_with_school_leaders_time(client, auth):
    # Rule 21 (seed 002): the state funds 1:1 and the municipality co-finances with school leaders' time.
    from app.reference.loader import OREBRO_REGION_ID

    udir = await auth("directorate")
    r = await client.post(
        "/api/v1/enrolments",
        json={"programme": "skolkommun", "school_owner_id": "SE-1864", "start_year": 2026},
        headers=udir,
    )
    assert r.status_code == 201, r.text
    top = await _post(
        client,
        "/api/v1/allocations",
        udir,
        {"programme": "skolkommun", "year": 2026, "recipient_id": OREBRO_REGION_ID, "amount": "2000000.00"},
        201,
    )
    assert top["currency"] == "SEK"
    region = await auth("county_governor", OREBRO_REGION_ID)
    child = await _post(
        client,
        "/api/v1/allocations",
        region,
        {"recipient_id": "SE-1864", "parent_id": top["id"], "amount": "500000.00"},
        201,
    )
    assert (child["currency"], child["co_financing_required"]) == ("SEK", "500000.00")
    municipality = await auth("school_owner", "SE-1864")
    url = f"/api/v1/allocations/{child['id']}/co-financing"
    r = await client.post(url, json={"kind": "cash", "amount": "500000.00"}, headers=municipality)
    assert r.status_code == 409 and r.json()["rule"] == "co-financing-kind"
    await _post(
        client, url, municipality, {"kind": "salary", "amount": "500000.00", "description": "Rektorers tid"}, 201
    )
    r = await client.get(f"/api/v1/allocations/{child['id']}", headers=municipality)
    assert r.json()["co_financing_met"] is True


async def test_a_private_school_owner_co_finances_thirty_per_cent_too(client, auth):
    # Rule 15 (seed 003): the 30 % holds for private school owners as well.
    udir, cg = await auth("directorate"), await auth("county_governor", CG_VESTLAND)
    r = await client.post(
        "/api/v1/organisations",
        json={"kind": "private_school_owner", "name": "Bergen Montessoriskole", "municipality_id": BERGEN},
        headers=udir,
    )
    assert r.status_code == 201, r.text
    owner = r.json()["id"]
    r = await client.post(
        "/api/v1/enrolments",
        json={"programme": "desentralisert", "school_owner_id": owner, "start_year": 2026},
        headers=udir,
    )
    assert r.status_code == 201, r.text
    top = await _top_allocation(client, udir, "100000.00")
    child = await _post(
        client, "/api/v1/allocations", cg, {"recipient_id": owner, "parent_id": top["id"], "amount": "10000.00"}, 201
    )
    assert child["co_financing_required"] == "3000.00"
