"""Concrete objects for each relation of the authorisation matrix, seen from each caller."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.principal import Principal, Role
from app.enrolments.models import Gathering, GatheringMember, Participant, Workshop
from app.enrolments.schemas import OfferCreate
from app.enrolments.service.enrolling import enrol
from app.enrolments.service.offers import create_offer
from app.partnerships.models import Forum, ForumDecision, ForumMember, Partnership, PartnershipMember
from app.programmes.service import find_programme
from app.reference.models import Organisation
from tests.conftest import BERGEN, CALLERS, CG_TROMS_FINNMARK, CG_VESTLAND, DIRECTORATE, HARSTAD, TROMSO

Maker = Callable[..., Any]
SYSTEM = Principal(Role.directorate, DIRECTORATE, frozenset({"read", "write"}), "system:tests", "tests")
OWNER_OF = {"own": TROMSO, "other_org": HARSTAD, "other_region": BERGEN}
SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat()


async def _client_of(make_client: Maker, org: str) -> str:
    role = {DIRECTORATE: "directorate", CG_TROMS_FINNMARK: "county_governor", CALLERS["university"]: "university"}
    c, _ = await make_client(role.get(org, "school_owner"), org)
    return str(c.id)


async def _enrolment(db: AsyncSession, owner_id: str, code: str, start_year: int = 2026) -> Any:
    programme = await find_programme(db, code)
    owner = await db.get(Organisation, owner_id)
    assert programme is not None and owner is not None
    e = await enrol(db, SYSTEM, programme=programme, owner=owner, start_year=start_year, enrolled_by=DIRECTORATE)
    await db.commit()
    return e


async def _gathering(db: AsyncSession) -> Gathering:
    programme = await find_programme(db, "skup")
    assert programme is not None
    for owner in (TROMSO, HARSTAD, BERGEN):
        await _enrolment(db, owner, "skup", 2010)
    g = Gathering(
        programme_id=programme.id,
        title="Samling",
        starts_on=datetime(2011, 10, 20).date(),
        ends_on=datetime(2011, 10, 21).date(),
    )
    db.add(g)
    await db.flush()
    for owner in (TROMSO, BERGEN):
        o = await db.get(Organisation, owner)
        assert o is not None
        db.add(
            GatheringMember(
                gathering_id=g.id, school_owner_id=o.id, county_id=o.county_id, municipality_id=o.municipality_id
            )
        )
    await db.commit()
    return g


async def _workshop(db: AsyncSession) -> Workshop:
    programme = await find_programme(db, "skup")
    assert programme is not None
    await _enrolment(db, TROMSO, "skup", 2010)
    w = Workshop(
        programme_id=programme.id,
        theme="Vurdering",
        starts_on=datetime(2011, 11, 10).date(),
        ends_on=datetime(2011, 11, 10).date(),
        capacity=10,
    )
    db.add(w)
    await db.commit()
    return w


UIT, NORD, HVL, UIB = "970422528", "970940243", "917641404", "874789542"
THIRD_PARTY = "matrix-third-party"
# relation -> (county governor, school owner, lead university, second university or None, forum members?)
PARTNERS = {
    "own": (CG_TROMS_FINNMARK, TROMSO, UIT, None, True),
    "other_org": (CG_TROMS_FINNMARK, HARSTAD, NORD, None, False),
    "other_region": (CG_VESTLAND, BERGEN, HVL, UIB, False),
}


async def _partnership(db: AsyncSession, relation: str) -> Partnership:
    governor, owner, lead, second, _ = PARTNERS[relation]
    programme = await find_programme(db, "desentralisert")
    assert programme is not None
    if await db.get(Organisation, THIRD_PARTY) is None:
        db.add(Organisation(id=THIRD_PARTY, kind="third_party", name="Kursfirma AS", country="NO", commercial=True))
    p = Partnership(
        county_governor_id=governor,
        programme_id=programme.id,
        name="Partnerskap",
        period_start=datetime(2026, 1, 1).date(),
        budget=1_000_000,
        status="active",
    )
    p.members = [
        PartnershipMember(organisation_id=owner, kind="school_owner"),
        PartnershipMember(organisation_id=lead, kind="university", lead=True),
    ]
    if second:
        p.members.append(PartnershipMember(organisation_id=second, kind="university"))
    db.add(p)
    await db.commit()
    return p


async def _plan(db: AsyncSession, path: str, relation: str) -> Any:
    from app.plans.models import DevelopmentPlan, PlanMeasure, PlanVersion

    owner_id = TROMSO if relation == "partner" else OWNER_OF[relation]
    owner = await db.get(Organisation, owner_id)
    assert owner is not None
    if relation == "partner":
        await _partnership(db, "own")
    reviewed = path.endswith(("/approve", "/return")) or "/versions" in path
    plan = DevelopmentPlan(
        school_owner_id=owner.id,
        county_id=owner.county_id,
        municipality_id=owner.municipality_id,
        level="owner",
        kind="implementation_plan",
        title="Plan",
        status="submitted" if reviewed else "draft",
        goals=[{"text": "Bedre lesing"}],
        submitted_version=1 if reviewed else 0,
    )
    db.add(plan)
    await db.flush()
    measure = PlanMeasure(plan_id=plan.id, title="Lesekurs", status="planned")
    db.add(measure)
    if reviewed:
        db.add(
            PlanVersion(
                plan_id=plan.id,
                number=1,
                content={"title": "Plan"},
                submitted_by_org_id=owner.id,
                submitted_at=datetime.now(UTC),
            )
        )
    await db.commit()
    _PLAN_MEASURES[plan.id] = measure
    return plan


_PLAN_MEASURES: dict[Any, Any] = {}


async def _forum(db: AsyncSession, relation: str, ctx: dict[str, Any]) -> Forum:
    governor, owner, _, _, members = PARTNERS[relation]
    programme = await find_programme(db, "desentralisert")
    assert programme is not None
    f = Forum(county_governor_id=governor, programme_id=programme.id, year=2026, name="Samarbeidsforum")
    db.add(f)
    await db.flush()
    if members:
        db.add(ForumMember(forum_id=f.id, kind="school_owner", organisation_id=TROMSO, representative_name="A"))
        db.add(ForumMember(forum_id=f.id, kind="university", organisation_id=UIT, representative_name="B"))
    d = ForumDecision(
        forum_id=f.id,
        meeting_date=datetime(2026, 2, 1).date(),
        reached_by="consensus",
        priorities=[],
        distribution=[{"recipient_id": owner, "amount": "1000.00", "purpose": "continuing_education"}],
        total=1000,
    )
    db.add(d)
    await db.commit()
    ctx["decision"] = d
    return f


async def _school(db: AsyncSession, owner_id: str) -> str:
    from app.reference.models import School
    from tests.selection.factory import orgnr

    owner = await db.get(Organisation, owner_id)
    assert owner is not None
    school = School(
        id=orgnr(hash(owner_id) % 1000),
        name="Matriseskolen",
        school_owner_id=owner.id,
        county_id=owner.county_id,
        municipality_id=owner.municipality_id,
        grade_from=1,
        grade_to=10,
    )
    db.add(school)
    await db.commit()
    return school.id


async def _round(db: AsyncSession, path: str, method: str) -> str:
    """A round in the state the action needs, with candidates in Tromsø (our region) and Bergen (another)."""
    from app.selection.models import Candidate, SelectionRound

    programme = await find_programme(db, "oppfolging")
    assert programme is not None
    computed = path.endswith(("/compute", "/review")) or (method == "PATCH" and path.endswith("{round_id}"))
    r = SelectionRound(
        programme_id=programme.id,
        year=2030,
        name="Uttrekk 2030",
        school_years=["2024-2025"],
        indicators=["points_10"],
        parameters={"worst_percent": {"points_10": 25}, "top_share_percent": 25, "tie_rule": "include_all"},
        status="computed" if computed else "under_review",
    )
    db.add(r)
    await db.flush()
    for mid, county in ((TROMSO, "NO-55"), (BERGEN, "NO-46")):
        db.add(
            Candidate(
                round_id=r.id,
                municipality_id=mid,
                school_owner_id=mid,
                county_id=county,
                name=mid,
                top_schools=1,
                best_rank=1,
                eligible=True,
                explanation={"schools": [], "excluded_because": None},
            )
        )
    await db.commit()
    return str(r.id)


ALLOCATION_STATUS = {"/decide": "proposed", "/disburse": "decided", "/close": "disbursed"}


async def _allocation(db: AsyncSession, relation: str, path: str) -> Any:
    """The region's allocation from the directorate, and the county governor's to the relation's school owner."""
    from app.funding.models import Allocation

    governor, owner_id = PARTNERS[relation][0], OWNER_OF[relation]
    programme = await find_programme(db, "desentralisert")
    owner = await db.get(Organisation, owner_id)
    assert programme is not None and owner is not None
    common = {"programme_id": programme.id, "year": 2026, "currency": "NOK", "purpose": "continuing_education"}
    top = Allocation(
        grantor_id=DIRECTORATE,
        recipient_id=governor,
        recipient_kind="county_governor",
        region_id=governor,
        amount=100_000,
        sub_allocated=1000,
        status="disbursed",
        **common,
    )
    db.add(top)
    await db.flush()
    status = next((v for k, v in ALLOCATION_STATUS.items() if path.endswith(k)), "proposed")
    child = Allocation(
        grantor_id=governor,
        recipient_id=owner.id,
        recipient_kind=owner.kind,
        region_id=governor,
        county_id=owner.county_id,
        parent_id=top.id,
        amount=1000,
        status=status,
        **common,
    )
    db.add(child)
    await db.commit()
    return child


async def _report(db: AsyncSession, relation: str, path: str) -> Any:
    from datetime import date

    from app.reports.models import Report

    a = await _allocation(db, relation, path)
    r = Report(
        allocation_id=a.id,
        programme_id=a.programme_id,
        year=2026,
        recipient_id=a.recipient_id,
        region_id=a.region_id,
        reviewer_id=a.grantor_id,
        county_id=a.county_id,
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        due_on=date(2027, 3, 1),
        status="submitted" if path.endswith(("/accept", "/return")) else "draft",
    )
    db.add(r)
    await db.commit()
    return r


async def _subscription(db: AsyncSession, owner_id: str) -> str:
    from app.webhooks.models import WebhookSubscription

    sub = WebhookSubscription(
        owner_org_id=owner_id,
        owner_role="school_owner",
        callback_url="https://example.org/hook",
        secret="a-secret-of-sixteen-or-more",
        resource_types=[],
        active=True,
        last_seq=0,
        failures=0,
    )
    db.add(sub)
    await db.commit()
    return str(sub.id)


async def subject(
    param: str, path: str, relation: str, caller: str, make_client: Maker, db: AsyncSession, ctx: dict[str, Any]
) -> str:
    own_org = CALLERS.get(caller, DIRECTORATE)
    owner = OWNER_OF.get(relation, TROMSO)
    match param, relation:
        case "county_id", "own":
            return "NO-55"
        case "county_id", "other_region":
            return "NO-46"
        case "county_governor_id", "own":
            return CG_TROMS_FINNMARK
        case "county_governor_id", "other_region":
            return CG_VESTLAND
        case "municipality_id", _:
            return owner
        case "organisation_id", "own":
            return own_org
        case "organisation_id", _:
            return owner
        case "client_id", "own":
            return await _client_of(make_client, own_org)
        case "client_id", "other_region":
            return await _client_of(make_client, BERGEN)
        case "programme_id", _:
            return "oppfolging"
        case "offer_id", _:
            offer = await create_offer(
                db,
                SYSTEM,
                data=OfferCreate(programme="oppfolging", school_owner_id=owner, start_year=2026, deadline=SOON),
            )
            if path.endswith("/agreement"):
                offer.status = "accepted"
            await db.commit()
            return str(offer.id)
        case "enrolment_id", _:
            yearly = path.endswith("{enrolment_id}/complete")
            e = await _enrolment(db, owner, "desentralisert" if yearly else "oppfolging")
            if path.endswith("/phases/{phase_id}/complete"):
                e.phases[0].status = "active"
                await db.commit()
            ctx["enrolment"] = e
            return str(e.id)
        case "phase_id", _:
            return str(ctx["enrolment"].phases[0].id)
        case "goal_code", _:
            return "plan-forfase"
        case "participant_id", _:
            p = Participant(enrolment_id=ctx["enrolment"].id, name="Kari", role="teacher")
            db.add(p)
            await db.commit()
            return str(p.id)
        case "gathering_id", _:
            return str((await _gathering(db)).id)
        case "workshop_id", _:
            return str((await _workshop(db)).id)
        case "plan_id", _:
            plan = await _plan(db, path, relation)
            ctx["plan"] = plan
            return str(plan.id)
        case "measure_id", _:
            return str(_PLAN_MEASURES[ctx["plan"].id].id)
        case "number", _:
            return "1"
        case "partnership_id", _:
            return str((await _partnership(db, relation)).id)
        case "forum_id", _:
            return str((await _forum(db, relation, ctx)).id)
        case "decision_id", _:
            return str(ctx["decision"].id)
        case "school_id", _:
            return await _school(db, owner)
        case "allocation_id", _:
            return str((await _allocation(db, relation, path)).id)
        case "report_id", _:
            return str((await _report(db, relation, path)).id)
        case "subscription_id", _:
            return await _subscription(db, owner)
        case "round_id", _:
            return await _round(db, path, ctx["method"])
    raise KeyError(f"no subject for {param} / {relation}")


async def fill(path: str, relation: str, caller: str, make_client: Maker, db: AsyncSession, method: str = "GET") -> str:
    ctx: dict[str, Any] = {"method": method}
    filled = path
    for param in re.findall(r"{(\w+)}", path):
        value = await subject(param, path, relation, caller, make_client, db, ctx)
        filled = filled.replace("{" + param + "}", value)
    return filled


V1 = {"If-Match": '"1"'}

# Request bodies and headers that make each write otherwise valid, so the status is authorisation's.
# Keyed by (method, path) or, where the relation changes the body, (method, path, relation).
BODIES: dict[tuple[str, ...], dict[str, Any]] = {
    ("POST", "/api/v1/clients"): {
        "json": {"name": "matrix", "role": "school_owner", "organisation_id": TROMSO, "scopes": ["read"]}
    },
    ("PATCH", "/api/v1/clients/{client_id}"): {"json": {"name": "renamed"}, "headers": V1},
    ("POST", "/api/v1/organisations"): {
        "json": {"kind": "private_school_owner", "name": "Matrix skole", "municipality_id": TROMSO}
    },
    ("PATCH", "/api/v1/organisations/{organisation_id}"): {"json": {"name": "x"}, "headers": V1},
    ("POST", "/api/v1/auth/token"): {
        "data": {"grant_type": "client_credentials", "client_id": "c-nobody", "client_secret": "wrong"}
    },
    ("POST", "/api/v1/programmes"): {"json": {"code": "matrix-programme", "name": "Matrix"}},
    ("PATCH", "/api/v1/programmes/{programme_id}"): {"json": {"name": "Oppfølgingsordningen (ny)"}, "headers": V1},
    ("POST", "/api/v1/offers"): {
        "json": {"programme": "oppfolging", "school_owner_id": TROMSO, "start_year": 2026, "deadline": SOON}
    },
    ("PATCH", "/api/v1/offers/{offer_id}"): {"json": {"terms": "Nye vilkår"}, "headers": V1},
    ("POST", "/api/v1/offers/{offer_id}/agreement"): {
        "json": {"document_reference": "Avtale 2026/1", "signed_on": "2026-06-15"}
    },
    ("POST", "/api/v1/enrolments"): {
        "json": {"programme": "desentralisert", "school_owner_id": TROMSO, "start_year": 2026}
    },
    ("PATCH", "/api/v1/enrolments/{enrolment_id}"): {
        "json": {"implementation_plan_reference": "Plan 2027"},
        "headers": V1,
    },
    ("POST", "/api/v1/enrolments/{enrolment_id}/withdraw"): {"json": {"reason": "Testing"}},
    ("PATCH", "/api/v1/enrolments/{enrolment_id}/phases/{phase_id}/goals/{goal_code}"): {
        "json": {"done": True},
        "headers": V1,
    },
    ("POST", "/api/v1/enrolments/{enrolment_id}/participants"): {"json": {"name": "Kari", "role": "teacher"}},
    ("POST", "/api/v1/enrolments/{enrolment_id}/guidance"): {
        "json": {"guide_name": "Ola Veileder", "period_start": "2026-08-15"}
    },
    ("POST", "/api/v1/gatherings"): {
        "json": {"programme": "skup", "title": "Samling 1", "starts_on": "2011-10-20", "ends_on": "2011-10-21"}
    },
    ("POST", "/api/v1/gatherings/{gathering_id}/members"): {"json": {"school_owner_id": HARSTAD}},
    ("POST", "/api/v1/gatherings/{gathering_id}/registrations", "own"): {
        "json": {"school_owner_id": TROMSO, "person_name": "Per", "role": "teacher"}
    },
    ("POST", "/api/v1/gatherings/{gathering_id}/registrations", "other_region"): {
        "json": {"school_owner_id": BERGEN, "person_name": "Per", "role": "teacher"}
    },
    ("POST", "/api/v1/workshops"): {
        "json": {
            "programme": "skup",
            "theme": "Vurdering",
            "starts_on": "2011-11-10",
            "ends_on": "2011-11-10",
            "capacity": 10,
        }
    },
    ("POST", "/api/v1/workshops/{workshop_id}/signups"): {"json": {}},
    ("POST", "/api/v1/development-plans"): {"json": {"title": "Plan", "level": "owner", "kind": "free"}},
    ("PATCH", "/api/v1/development-plans/{plan_id}"): {"json": {"title": "Ny tittel"}, "headers": V1},
    ("POST", "/api/v1/development-plans/{plan_id}/return"): {"json": {"comment": "Mål mangler indikatorer"}},
    ("POST", "/api/v1/development-plans/{plan_id}/measures"): {"json": {"title": "Veiledning"}},
    ("PATCH", "/api/v1/development-plans/{plan_id}/measures/{measure_id}"): {
        "json": {"status": "ongoing"},
        "headers": V1,
    },
    ("POST", "/api/v1/partnerships"): {
        "json": {
            "county_governor_id": CG_TROMS_FINNMARK,
            "name": "Partnerskap Nord",
            "period_start": "2026-01-01",
            "school_owner_ids": [TROMSO],
            "universities": [{"id": UIT, "lead": True}],
        }
    },
    ("PATCH", "/api/v1/partnerships/{partnership_id}"): {"json": {"name": "Nytt navn"}, "headers": V1},
    **{
        ("POST", "/api/v1/partnerships/{partnership_id}/subcontracts", relation): {
            "json": {
                "university_id": PARTNERS[relation][2],
                "third_party_id": THIRD_PARTY,
                "description": "Kurs",
                "budget": "1000.00",
            }
        }
        for relation in PARTNERS
    },
    ("POST", "/api/v1/forums"): {
        "json": {"county_governor_id": CG_TROMS_FINNMARK, "programme": "desentralisert", "year": 2030, "name": "Forum"}
    },
    ("POST", "/api/v1/forums/{forum_id}/members"): {
        "json": {"kind": "teacher_union", "organisation_name": "Utdanningsforbundet", "representative_name": "Lise"}
    },
    ("POST", "/api/v1/forums/{forum_id}/decisions"): {
        "json": {
            "meeting_date": "2026-03-01",
            "reached_by": "consensus",
            "distribution": [{"recipient_id": TROMSO, "amount": "100000.00"}],
        }
    },
}


SCHOOLS_CSV = {
    "content": b"id,name,school_owner_id,grade_from,grade_to\r\n",
    "headers": {"Content-Type": "text/csv"},
}
BODIES.update(
    {
        ("POST", "/api/v1/schools/import"): SCHOOLS_CSV,
        ("POST", "/api/v1/indicator-values/import"): {
            "content": b"school_id,indicator,school_year,value\r\n",
            "headers": {"Content-Type": "text/csv"},
        },
        ("POST", "/api/v1/selection-rounds"): {"json": {"year": 2031, "school_years": ["2024-2025"]}},
        ("POST", "/api/v1/allocations"): {
            "json": {"programme": "desentralisert", "year": 2026, "recipient_id": CG_TROMS_FINNMARK, "amount": "100.00"}
        },
        ("POST", "/api/v1/allocations/from-decision"): {
            "json": {"forum_decision_id": str(uuid.uuid4()), "parent_id": str(uuid.uuid4())}
        },
        ("PATCH", "/api/v1/allocations/{allocation_id}"): {"json": {"note": "Justert"}, "headers": V1},
        ("POST", "/api/v1/allocations/{allocation_id}/co-financing"): {"json": {"kind": "cash", "amount": "300.00"}},
        ("POST", "/api/v1/webhook-subscriptions"): {
            "json": {"callback_url": "https://example.org/hook", "secret": "a-secret-of-sixteen-or-more"}
        },
        ("PATCH", "/api/v1/webhook-subscriptions/{subscription_id}"): {"json": {"active": False}, "headers": V1},
        ("POST", "/api/v1/webhook-subscriptions/{subscription_id}/redeliver"): {"json": {"after_seq": 0}},
        ("POST", "/api/v1/reports"): {
            "json": {"allocation_id": str(uuid.uuid4()), "period_start": "2026-01-01", "period_end": "2026-12-31"}
        },
        ("PATCH", "/api/v1/reports/{report_id}"): {"json": {"evaluation": "Godt arbeid."}, "headers": V1},
        ("POST", "/api/v1/reports/{report_id}/return"): {"json": {"comment": "Mangler regnskap."}},
        ("PATCH", "/api/v1/selection-rounds/{round_id}"): {"json": {"name": "Nytt navn"}, "headers": V1},
        ("POST", "/api/v1/selection-rounds/{round_id}/finalise"): {"json": {"selected": [], "deadline": SOON}},
        ("PATCH", "/api/v1/selection-rounds/{round_id}/candidates/{municipality_id}"): {
            "json": {"priority_rank": 1, "recommend": True, "justification": "Svake resultater."},
            "headers": V1,
        },
    }
)


def body_for(method: str, path: str, relation: str) -> dict[str, Any]:
    return BODIES.get((method, path, relation)) or BODIES.get((method, path), {})
