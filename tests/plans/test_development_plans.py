"""Development plans: drafting, review, versions, the link to the implementation phase, and who sees them."""

from __future__ import annotations

import pytest

from tests.conftest import HARSTAD, TROMSO

pytestmark = pytest.mark.anyio
PLANS = "/api/v1/development-plans"
UIT = "970422528"


async def new_plan(client, headers, **body) -> dict:
    r = await client.post(PLANS, json={"title": "Plan", "level": "owner", "kind": "free"} | body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_follow_up_municipality_from_pre_phase_plan_to_implementation_phase(client, auth):
    udir, cg, tromso = await auth("directorate"), await auth("county_governor"), await auth("school_owner")
    enrolment = (
        await client.post(
            "/api/v1/enrolments",
            json={"programme": "oppfolging", "school_owner_id": TROMSO, "start_year": 2026},
            headers=udir,
        )
    ).json()
    pre, impl = enrolment["phases"]
    e_url = f"/api/v1/enrolments/{enrolment['id']}"
    await client.post(f"{e_url}/phases/{pre['id']}/start", headers=tromso)
    pre_plan = await new_plan(
        client,
        tromso,
        title="Plan for forfasen",
        kind="pre_phase_plan",
        enrolment_id=enrolment["id"],
        phase_code="forfase",
    )
    assert pre_plan["programme_id"] == enrolment["programme_id"]

    plan = await new_plan(
        client,
        tromso,
        title="Plan for gjennomføringsfasen",
        kind="implementation_plan",
        enrolment_id=enrolment["id"],
        phase_code="gjennomforingsfase",
        swot={
            "strengths": ["Engasjerte lærere"],
            "weaknesses": ["Lav lesemestring"],
            "opportunities": [],
            "threats": [],
        },
        challenge_picture={
            "text": "For mange elever på laveste mestringsnivå.",
            "data_sources": [
                {"name": "Nasjonale prøver 5. trinn", "kind": "quantitative"},
                {"name": "Samtaler med lærere", "kind": "qualitative"},
            ],
        },
        participants_involved=["school_leader", "teacher", "ppt", "kindergarten_representative"],
    )
    url = f"{PLANS}/{plan['id']}"
    r = await client.post(f"{url}/submit", headers=tromso)
    assert r.status_code == 409 and r.json()["rule"] == "plan-needs-goals"
    etag = (await client.get(url, headers=tromso)).headers["etag"]
    r = await client.patch(
        url,
        json={
            "goals": [
                {
                    "text": "Færre elever på mestringsnivå 1 i lesing",
                    "indicator": "Nasjonale prøver 5. trinn",
                    "baseline": "32 %",
                    "target": "20 %",
                    "deadline": "2029-06-30",
                }
            ]
        },
        headers={**tromso, "If-Match": etag},
    )
    assert r.status_code == 200
    r = await client.post(f"{url}/submit", headers=tromso)
    assert r.status_code == 409 and r.json()["rule"] == "plan-needs-measures"
    m = await client.post(
        f"{url}/measures",
        json={
            "title": "Lesekurs for lærere",
            "competence_partner_id": UIT,
            "budget": "150000.00",
            "starts_on": "2027-08-15",
        },
        headers=tromso,
    )
    assert m.status_code == 201 and m.json()["competence_partner_id"] == UIT

    r = await client.post(f"{url}/approve", headers=cg)
    assert r.status_code == 409 and r.json()["rule"] == "plan-submitted"
    assert (await client.post(f"{url}/submit", headers=tromso)).json()["status"] == "submitted"
    etag = (await client.get(url, headers=tromso)).headers["etag"]
    edit = await client.patch(url, json={"title": "Endret"}, headers={**tromso, "If-Match": etag})
    assert edit.status_code == 409 and edit.json()["rule"] == "plan-editable"

    # Returned with comments, revised, submitted again, approved.
    assert (await client.post(f"{url}/return", json={}, headers=cg)).status_code == 422
    r = await client.post(f"{url}/return", json={"comment": "Tiltakene må tidfestes."}, headers=cg)
    assert r.json()["status"] == "returned" and r.json()["review_comment"] == "Tiltakene må tidfestes."
    measure_url = f"{url}/measures/{m.json()['id']}"
    r = await client.patch(measure_url, json={"ends_on": "2028-06-15"}, headers={**tromso, "If-Match": '"1"'})
    assert r.status_code == 200
    assert (await client.post(f"{url}/submit", headers=tromso)).json()["submitted_version"] == 2
    assert (await client.post(f"{url}/approve", json={"comment": "God plan"}, headers=cg)).json()[
        "status"
    ] == "approved"

    versions = (await client.get(f"{url}/versions", headers=udir)).json()["items"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["submitted_by_org_id"] == TROMSO
    assert versions[0]["content"]["measures"][0]["ends_on"] is None
    d = (await client.get(f"{url}/versions/2/diff", params={"against": 1}, headers=udir)).json()
    [(key, change)] = d["changes"].items()
    assert key.startswith("measures/") and change["after"]["ends_on"] == "2028-06-15"

    # The submitted implementation plan lets the implementation phase start.
    await client.post(f"{e_url}/phases/{pre['id']}/complete", headers=tromso)
    r = await client.post(f"{e_url}/phases/{impl['id']}/start", headers=tromso)
    assert r.status_code == 200 and r.json()["current_phase"] == "gjennomforingsfase"


async def test_a_concurrent_edit_is_refused_with_412(client, auth):
    tromso = await auth("school_owner")
    plan = await new_plan(client, tromso)
    url = f"{PLANS}/{plan['id']}"
    etag = (await client.get(url, headers=tromso)).headers["etag"]
    first = await client.patch(url, json={"title": "Saksbehandler A"}, headers={**tromso, "If-Match": etag})
    second = await client.patch(url, json={"title": "Saksbehandler B"}, headers={**tromso, "If-Match": etag})
    assert first.status_code == 200 and second.status_code == 412
    assert (await client.get(url, headers=tromso)).json()["title"] == "Saksbehandler A"
    assert (await client.patch(url, json={"title": "C"}, headers=tromso)).status_code == 428


async def test_a_swedish_municipality_plans_at_three_levels_reviewed_by_the_regional_body(client, auth):
    udir = await auth("directorate")
    region = (await client.get("/api/v1/county-governors", params={"country": "SE"}, headers=udir)).json()["items"][0]
    e = await client.post(
        "/api/v1/enrolments",
        json={"programme": "skolkommun", "school_owner_id": "SE-1864", "start_year": 2026},
        headers=udir,
    )
    assert e.status_code == 201, e.text
    ljusnarsberg = await auth("school_owner", "SE-1864")
    school = await new_plan(
        client,
        ljusnarsberg,
        title="Utvecklingsplan Kyrkbacksskolan",
        level="school",
        school_name="Kyrkbacksskolan",
        enrolment_id=e.json()["id"],
        goals=[{"text": "Ökad läsförmåga"}],
    )
    admin = await new_plan(
        client,
        ljusnarsberg,
        title="Förvaltningens plan",
        level="administration",
        enrolment_id=e.json()["id"],
        goals=[{"text": "Systematiskt kvalitetsarbete"}],
    )
    owner = await new_plan(
        client,
        ljusnarsberg,
        title="Huvudmannens plan",
        level="owner",
        enrolment_id=e.json()["id"],
        based_on_plan_ids=[school["id"], admin["id"]],
        goals=[{"text": "Likvärdig skola"}],
    )
    assert owner["based_on_plan_ids"] == [school["id"], admin["id"]]
    no_school = await client.post(PLANS, json={"title": "x", "level": "school", "kind": "free"}, headers=ljusnarsberg)
    assert no_school.status_code == 422
    levels = (await client.get(PLANS, params={"school_owner": "SE-1864"}, headers=udir)).json()["items"]
    assert sorted(p["level"] for p in levels) == ["administration", "owner", "school"]

    reviewer = await auth("county_governor", region["id"])
    url = f"{PLANS}/{owner['id']}"
    await client.post(f"{url}/measures", json={"title": "Kompetensutveckling för rektorer"}, headers=ljusnarsberg)
    await client.post(f"{url}/submit", headers=ljusnarsberg)
    r = await client.post(f"{url}/approve", headers=reviewer)
    assert r.status_code == 200 and r.json()["reviewed_by_org_id"] == region["id"]
    assert (await client.get(url, headers=await auth("county_governor"))).status_code == 404


async def test_a_university_sees_its_partners_plans_and_no_others(client, auth):
    tromso, harstad = await auth("school_owner", TROMSO), await auth("school_owner", HARSTAD)
    mine = await new_plan(client, tromso, title="Tromsøs plan")
    other = await new_plan(client, harstad, title="Harstads plan")
    await client.post(
        "/api/v1/partnerships",
        json={
            "name": "Partnerskap Tromsø–UiT",
            "period_start": "2026-01-01",
            "school_owner_ids": [TROMSO],
            "universities": [{"id": UIT, "lead": True}],
        },
        headers=await auth("county_governor"),
    )
    uit = await auth("university", UIT)
    listed = [p["id"] for p in (await client.get(PLANS, headers=uit)).json()["items"]]
    assert listed == [mine["id"]]
    assert (await client.get(f"{PLANS}/{other['id']}", headers=uit)).status_code == 404
    assert (
        await client.patch(f"{PLANS}/{mine['id']}", json={"title": "x"}, headers={**uit, "If-Match": '"1"'})
    ).status_code == 403
    csv = await client.get(f"{PLANS}/measures", headers={**uit, "Accept": "text/csv"})
    assert csv.status_code == 200 and csv.content.decode("utf-8-sig").startswith("id,plan_id")


async def test_measures_export_one_row_per_measure_with_plan_owner_and_county(client, auth):
    tromso = await auth("school_owner", TROMSO)
    plan = await new_plan(client, tromso, title="Plan A")
    for title in ("Tiltak 1", "Tiltak 2"):
        await client.post(f"{PLANS}/{plan['id']}/measures", json={"title": title}, headers=tromso)
    rows = (
        await client.get(f"{PLANS}/measures", params={"county": "NO-55"}, headers=await auth("county_governor"))
    ).json()["items"]
    assert sorted((r["title"], r["plan_title"], r["school_owner_id"], r["county_id"]) for r in rows) == [
        ("Tiltak 1", "Plan A", TROMSO, "NO-55"),
        ("Tiltak 2", "Plan A", TROMSO, "NO-55"),
    ]


@pytest.mark.anyio
async def test_a_plan_keeps_its_period_dates(client, auth):
    owner = await auth("school_owner")
    body = {"title": "Plan", "level": "owner", "kind": "free", "period_start": "2026-08-01", "period_end": "2027-07-31"}
    r = await client.post("/api/v1/development-plans", json=body, headers=owner)
    assert r.status_code == 201, r.text
    assert (r.json()["period_start"], r.json()["period_end"]) == ("2026-08-01", "2027-07-31")
    r = await client.patch(
        f"/api/v1/development-plans/{r.json()['id']}",
        json={"period_end": "2028-07-31"},
        headers=owner | {"If-Match": '"1"'},
    )
    assert r.status_code == 200 and r.json()["period_end"] == "2028-07-31"


async def test_the_list_shows_each_plan_as_the_plan_itself_with_its_documents_defaults_and_types(client, auth):
    """A plan's documents are stored as given (`{}` for no SWOT, dates and ids as text); the list reads them by
    the plan's schema, so an item equals the plan fetched on its own."""
    owner = await auth("school_owner", HARSTAD)
    empty = await new_plan(client, owner)
    full = await new_plan(
        client,
        owner,
        goals=[{"text": "Bedre lesing", "deadline": "2029-06-30"}],
        swot={"strengths": ["Godt samarbeid med PPT"]},
        based_on_plan_ids=[empty["id"]],
    )
    listed = await client.get(PLANS, params={"limit": 500}, headers=owner)
    assert listed.status_code == 200, listed.text
    items = {p["id"]: p for p in listed.json()["items"]}
    for plan in (empty, full):
        assert items[plan["id"]] == (await client.get(f"{PLANS}/{plan['id']}", headers=owner)).json()
    assert items[empty["id"]]["swot"] == {"strengths": [], "weaknesses": [], "opportunities": [], "threats": []}
    assert items[empty["id"]]["challenge_picture"] == {"text": "", "data_sources": []}
    assert items[full["id"]]["goals"] == [
        {"text": "Bedre lesing", "indicator": None, "baseline": None, "target": None, "deadline": "2029-06-30"}
    ]
    assert items[full["id"]]["based_on_plan_ids"] == [empty["id"]]
