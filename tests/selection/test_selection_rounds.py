"""Selection rounds through the API: exact candidates and explanations, exclusions, review and final selection."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.enrolments.models import Offer
from app.programmes.service import find_programme
from app.selection.models import Candidate, SelectionRound
from tests.auth.subjects import _enrolment
from tests.conftest import CG_VESTLAND
from tests.selection.factory import YEAR, S, load_country, new_round

pytestmark = pytest.mark.anyio
DEADLINE = (datetime.now(UTC) + timedelta(days=60)).isoformat()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _previous_round_selecting(db, municipality_id: str) -> None:
    programme = await find_programme(db, "oppfolging")
    r = SelectionRound(
        programme_id=programme.id,
        year=2024,
        name="Uttrekk 2024",
        school_years=["2022-2023"],
        indicators=["points_10"],
        parameters={},
        status="finalised",
    )
    db.add(r)
    await db.flush()
    db.add(
        Candidate(
            round_id=r.id,
            municipality_id=municipality_id,
            school_owner_id=municipality_id,
            county_id="NO-46",
            name="Kinn",
            top_schools=1,
            best_rank=1,
            eligible=True,
            explanation={"schools": [], "excluded_because": None},
            selected=True,
        )
    )
    await db.commit()


async def _compute(client, auth, rid):
    r = await client.post(f"/api/v1/selection-rounds/{rid}/compute", headers=await auth("directorate"))
    assert r.status_code == 200, r.text
    return r.json()


async def test_small_country_gives_the_exact_candidates_explanations_and_exclusions(client, auth, db):
    await load_country(client, auth)
    await _previous_round_selecting(db, "NO-4602")  # Kinn was selected in 2024 (rule 1)
    await _enrolment(db, "NO-5601", "oppfolging")  # Alta is in the scheme now (rule 1)
    udir = await auth("directorate")
    rnd = await new_round(client, auth)
    assert rnd["status"] == "draft"
    assert rnd["parameters"] == {
        "worst_percent": {"survey_bullying_7": 25, "points_10": 25},
        "top_share_percent": 25,
        "tie_rule": "include_all",
    }
    computed = await _compute(client, auth, rnd["id"])
    assert computed["status"] == "computed"
    summary = computed["summary"]
    assert summary["schools_ranked"] == 8 and summary["values_used"] == 14 and summary["top_schools"] == 3
    assert summary["cutoffs"]["survey_bullying_7"][YEAR] == {"cutoff": 3.5, "values": 7, "worst_percent": 25}
    assert summary["cutoffs"]["points_10"][YEAR]["cutoff"] == 31
    assert (summary["candidates"], summary["eligible_candidates"]) == (3, 1)

    first = await client.get(f"/api/v1/selection-rounds/{rnd['id']}/candidates", headers=udir)
    assert first.status_code == 200
    got = {c["municipality_id"]: c for c in first.json()["items"]}
    assert list(got) == ["NO-4602", "NO-5501", "NO-5601"]
    assert (got["NO-4602"]["eligible"], got["NO-4602"]["excluded_reason"]) == (False, "selected-previous-round")
    assert (got["NO-5601"]["eligible"], got["NO-5601"]["excluded_reason"]) == (False, "enrolled")
    tromso = got["NO-5501"]
    assert tromso["eligible"] is True and tromso["top_schools"] == 1 and tromso["best_rank"] == 1
    assert tromso["explanation"] == {
        "schools": [
            {
                "school_id": S[1],
                "name": "Tromsø A skole",
                "rank": 1,
                "share": "1.0",
                "points": 2,
                "values_present": 2,
                "risk_values": [
                    {"indicator": "points_10", "school_year": YEAR, "value": 30.0, "cutoff": 31.0},
                    {"indicator": "survey_bullying_7", "school_year": YEAR, "value": 4.0, "cutoff": 3.5},
                ],
            }
        ],
        "excluded_because": None,
    }
    # Kinn A is in the top on one value: its suppressed points count in neither numerator nor denominator.
    kinn = got["NO-4602"]["explanation"]["schools"][0]
    assert (kinn["school_id"], kinn["points"], kinn["values_present"]) == (S[6], 1, 1)

    r = await client.get(f"/api/v1/selection-rounds/{rnd['id']}/schools", headers=udir)
    ranking = [(s["school_id"], s["rank"], s["in_top"]) for s in r.json()["items"]]
    assert ranking[:4] == [(S[1], 1, True), (S[6], 1, True), (S[8], 1, True), (S[3], 4, False)]
    assert {s[1] for s in ranking[4:]} == {5} and len(ranking) == 8

    # The same data and parameters give the same result.
    again = await _compute(client, auth, rnd["id"])
    assert again["summary"]["inputs_digest"] == summary["inputs_digest"]
    r2 = await client.get(f"/api/v1/selection-rounds/{rnd['id']}/candidates", headers=udir)
    assert [c["explanation"] for c in r2.json()["items"]] == [c["explanation"] for c in first.json()["items"]]


async def test_tie_rule_exclude_all_leaves_a_boundary_tie_out(client, auth):
    await load_country(client, auth)
    rnd = await new_round(client, auth, parameters={"tie_rule": "exclude_all"})
    computed = await _compute(client, auth, rnd["id"])
    assert computed["summary"]["top_schools"] == 0 and computed["summary"]["candidates"] == 0


async def test_a_parameter_per_indicator_changes_the_cutoff(client, auth):
    await load_country(client, auth)
    rnd = await new_round(client, auth, parameters={"worst_percent": {"points_10": 50}})
    computed = await _compute(client, auth, rnd["id"])
    assert computed["parameters"]["worst_percent"] == {"survey_bullying_7": 25, "points_10": 50}
    assert computed["summary"]["cutoffs"]["points_10"][YEAR]["cutoff"] == 41  # the 4th lowest of 7


async def test_round_walks_through_county_review_to_offers_as_the_real_roles(client, auth, db):
    await load_country(client, auth)
    udir, cg_tf = await auth("directorate"), await auth("county_governor")
    cg_vestland = await auth("county_governor", CG_VESTLAND)
    rnd = await new_round(client, auth)
    rid = rnd["id"]
    base = f"/api/v1/selection-rounds/{rid}"

    # A draft is the directorate's: a county governor does not see it; school owners may not read rounds.
    assert (await client.get(base, headers=cg_tf)).status_code == 404
    assert (await client.get("/api/v1/selection-rounds", headers=cg_tf)).json()["items"] == []
    assert (await client.get(base, headers=await auth("school_owner"))).status_code == 403
    # Wrong order: review and finalise need a computed / reviewed round.
    r = await client.post(f"{base}/review", headers=udir)
    assert r.status_code == 409 and r.json()["rule"] == "round-status"
    await _compute(client, auth, rid)
    r = await client.post(f"{base}/finalise", json={"selected": [], "deadline": DEADLINE}, headers=udir)
    assert r.status_code == 409 and r.json()["rule"] == "round-status"
    assert (await client.post(f"{base}/compute", headers=cg_tf)).status_code == 403
    r = await client.post(f"{base}/review", headers=udir)
    assert r.status_code == 200 and r.json()["status"] == "under_review"
    r = await client.post(f"{base}/compute", headers=udir)
    assert r.status_code == 409 and r.json()["rule"] == "round-status"

    # Each county governor sees its region's candidates only.
    tf = (await client.get(f"{base}/candidates", headers=cg_tf)).json()["items"]
    assert [c["municipality_id"] for c in tf] == ["NO-5501", "NO-5601"]
    vest = (await client.get(f"{base}/candidates", headers=cg_vestland)).json()["items"]
    assert [c["municipality_id"] for c in vest] == ["NO-4602"]
    assert (await client.get(f"{base}/candidates/NO-4602", headers=cg_tf)).status_code == 404

    async def assess(headers, mid, body, version=1):
        return await client.patch(f"{base}/candidates/{mid}", json=body, headers=headers | {"If-Match": f'"{version}"'})

    r = await assess(cg_tf, "NO-5501", {"priority_rank": 1, "recommend": True, "justification": "Svake resultater."})
    assert r.status_code == 200, r.text
    assert r.json()["assessed_by"] and r.headers["ETag"] == '"2"'
    r = await assess(cg_tf, "NO-5601", {"priority_rank": 1, "recommend": False, "justification": "Godt i gang."})
    assert r.status_code == 409 and r.json()["rule"] == "priority-rank-taken"
    r = await assess(cg_tf, "NO-5601", {"recommend": False})
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/justification"
    r = await assess(cg_tf, "NO-5601", {"priority_rank": 2, "recommend": False, "justification": "Godt i gang."})
    assert r.status_code == 200
    assert (await assess(cg_tf, "NO-4602", {"recommend": True, "justification": "x"})).status_code == 404
    assert (await assess(udir, "NO-4602", {"recommend": True, "justification": "x"})).status_code == 403
    r = await assess(cg_vestland, "NO-4602", {"priority_rank": 1, "recommend": True, "justification": "Behov."}, 7)
    assert r.status_code == 412
    r = await assess(cg_vestland, "NO-4602", {"priority_rank": 1, "recommend": True, "justification": "Behov."})
    assert r.status_code == 200

    # The directorate sees every assessment, and a deviation from them needs a reason.
    every = (await client.get(f"{base}/candidates", headers=udir)).json()["items"]
    assert [c["recommend"] for c in every] == [True, True, False]
    selection = {"deadline": DEADLINE, "selected": [{"municipality_id": "NO-5501"}, {"municipality_id": "5601"}]}
    r = await client.post(f"{base}/finalise", json=selection, headers=udir)
    assert r.status_code == 409 and r.json()["rule"] == "deviation-needs-reason"
    assert r.json()["municipalities"] == ["NO-4602", "NO-5601"]
    assert (await db.scalar(sa.select(sa.func.count()).select_from(Offer))) == 0
    selection = {
        "deadline": DEADLINE,
        "selected": [
            {"municipality_id": "NO-5501"},
            {"municipality_id": "5601", "deviation_reason": "Nye tall viser svak utvikling."},
        ],
        "passed_over": [{"municipality_id": "NO-4602", "deviation_reason": "Deltar i annen satsing."}],
    }
    r = await client.post(f"{base}/finalise", json=selection, headers=udir)
    assert r.status_code == 200, r.text
    final = r.json()
    assert final["status"] == "finalised" and final["summary"]["selected"] == ["NO-5501", "NO-5601"]

    offers = (await db.scalars(sa.select(Offer).order_by(Offer.school_owner_id))).all()
    assert [(o.school_owner_id, o.includes_guidance, str(o.selection_round_id)) for o in offers] == [
        ("NO-5501", True, rid),
        ("NO-5601", True, rid),
    ]
    every = {c["municipality_id"]: c for c in (await client.get(f"{base}/candidates", headers=udir)).json()["items"]}
    assert every["NO-4602"]["selected"] is False and every["NO-4602"]["deviation_reason"]
    assert every["NO-5501"]["offer_id"] == str(offers[0].id)

    # The offer is a real offer: Tromsø accepts it.
    r = await client.post(f"/api/v1/offers/{offers[0].id}/accept", headers=await auth("school_owner"))
    assert r.status_code == 200 and r.json()["status"] == "accepted"

    # A finalised round is read only.
    r = await assess(cg_tf, "NO-5501", {"priority_rank": 3}, every["NO-5501"]["version"])
    assert r.status_code == 409 and r.json()["rule"] == "round-status"
    r = await client.patch(base, json={"name": "x"}, headers=udir | {"If-Match": f'"{final["version"]}"'})
    assert r.status_code == 409
    assert (await client.post(f"{base}/compute", headers=udir)).status_code == 409


async def test_finalising_a_municipality_with_an_open_offer_creates_nothing(client, auth, db):
    await load_country(client, auth)
    udir = await auth("directorate")
    rnd = await new_round(client, auth)
    base = f"/api/v1/selection-rounds/{rnd['id']}"
    await _compute(client, auth, rnd["id"])
    await client.post(f"{base}/review", headers=udir)
    r = await client.post(
        "/api/v1/offers",
        json={"programme": "oppfolging", "school_owner_id": "NO-5601", "start_year": 2026, "deadline": DEADLINE},
        headers=udir,
    )
    assert r.status_code == 201
    reasons = [{"municipality_id": m, "deviation_reason": "Vurdert."} for m in ("NO-4602", "NO-5501", "NO-5601")]
    r = await client.post(f"{base}/finalise", json={"deadline": DEADLINE, "selected": reasons}, headers=udir)
    assert r.status_code == 409 and r.json()["rule"] == "one-open-offer"
    assert (await db.scalar(sa.select(sa.func.count()).select_from(Offer))) == 1
    assert (await client.get(base, headers=udir)).json()["status"] == "under_review"


async def test_selected_must_be_an_eligible_candidate(client, auth, db):
    await load_country(client, auth)
    await _enrolment(db, "NO-5601", "oppfolging")
    udir = await auth("directorate")
    rnd = await new_round(client, auth)
    base = f"/api/v1/selection-rounds/{rnd['id']}"
    await _compute(client, auth, rnd["id"])
    await client.post(f"{base}/review", headers=udir)
    for mid, rule in (("NO-5503", "selected-not-candidate"), ("NO-5601", "candidate-excluded")):
        body = {"deadline": DEADLINE, "selected": [{"municipality_id": mid, "deviation_reason": "x"}]}
        r = await client.post(f"{base}/finalise", json=body, headers=udir)
        assert r.status_code == 409 and r.json()["rule"] == rule


async def test_changing_a_computed_round_returns_it_to_draft(client, auth):
    await load_country(client, auth)
    udir = await auth("directorate")
    rnd = await new_round(client, auth)
    computed = await _compute(client, auth, rnd["id"])
    base = f"/api/v1/selection-rounds/{rnd['id']}"
    assert (await client.patch(base, json={"name": "Ny"}, headers=udir)).status_code == 428
    r = await client.patch(
        base, json={"parameters": {"top_share_percent": 50}}, headers=udir | {"If-Match": f'"{computed["version"]}"'}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "draft" and r.json()["summary"] is None
    assert r.json()["parameters"]["top_share_percent"] == 50
    assert (await client.get(f"{base}/candidates", headers=udir)).json()["items"] == []


async def test_one_round_per_programme_and_year(client, auth):
    await new_round(client, auth)
    r = await client.post(
        "/api/v1/selection-rounds", json={"year": 2026, "school_years": [YEAR]}, headers=await auth("directorate")
    )
    assert r.status_code == 409 and r.json()["rule"] == "one-round-per-year"


async def test_round_input_is_validated(client, auth):
    udir = await auth("directorate")
    bad = {
        "year": 2026,
        "school_years": ["2024-2026"],
        "indicators": ["shoe_size"],
        "parameters": {"tie_rule": "coin", "worst_percent": {"points_10": 0}},
    }
    r = await client.post("/api/v1/selection-rounds", json=bad, headers=udir)
    assert r.status_code == 422
    pointers = {e["pointer"] for e in r.json()["errors"]}
    assert {"/school_years", "/indicators/0", "/parameters/tie_rule", "/parameters/worst_percent"} <= pointers


async def test_candidates_answer_csv_and_xlsx(client, auth):
    from openpyxl import load_workbook

    await load_country(client, auth)
    udir = await auth("directorate")
    rnd = await new_round(client, auth)
    await _compute(client, auth, rnd["id"])
    url = f"/api/v1/selection-rounds/{rnd['id']}/candidates"
    r = await client.get(url, headers=udir | {"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("round_id,municipality_id,name,") and "explanation_text" in lines[0]
    assert len(lines) == 4 and "Tromsø A skole (rank 1" in r.content.decode("utf-8")
    r = await client.get(url, headers=udir | {"Accept": XLSX_TYPE})
    assert r.status_code == 200 and r.headers["content-type"] == XLSX_TYPE
    rows = list(load_workbook(io.BytesIO(r.content), read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("round_id", "municipality_id", "name")
    assert [row[1] for row in rows[1:]] == ["NO-4602", "NO-5501", "NO-5601"]
