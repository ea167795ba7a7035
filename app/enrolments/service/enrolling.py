"""Creating an enrolment with its phases: from an accepted offer, or directly by the directorate/county governor."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, diff, record_change, snapshot
from app.core.errors import RuleViolation
from app.db.guard import insert_guarded
from app.enrolments.dates import enrolment_end, enrolment_start, plan_phases
from app.enrolments.models import Enrolment, EnrolmentPhase, Offer
from app.enrolments.service.common import active_enrolment, check_eligible, concerns, owner_fields
from app.programmes.models import Programme
from app.reference.models import Organisation

AUDITED = [
    "programme_id",
    "school_owner_id",
    "start_year",
    "period_start",
    "period_end",
    "status",
    "offer_id",
    "guidance_offered",
    "implementation_plan_reference",
    "withdrawal_reason",
]


def _one_active(programme: Programme, owner: Organisation) -> RuleViolation:
    return RuleViolation("one-active-enrolment", f"{owner.name} already has an active enrolment in {programme.name}.")


async def enrol(
    session: AsyncSession,
    actor: Actor,
    *,
    programme: Programme,
    owner: Organisation,
    start_year: int,
    enrolled_by: str,
    offer: Offer | None = None,
    guidance: bool = False,
) -> Enrolment:
    """Create the enrolment and its phases (planned from the programme's templates) in the caller's transaction."""
    check_eligible(programme, owner, start_year)
    if await active_enrolment(session, owner.id, programme.id) is not None:
        raise _one_active(programme, owner)
    start = enrolment_start(programme.cycle, programme.phases, start_year)
    planned = plan_phases(programme.phases, start)
    for (begin, end), template in zip(planned, programme.phases, strict=True):
        if begin and end and end < begin:
            raise RuleViolation(
                "programme-dates",
                f"The phase {template['code']} of {programme.name} ends {end} before it would start {begin}.",
            )
    enrolment = Enrolment(
        programme_id=programme.id,
        start_year=start_year,
        period_start=start,
        period_end=enrolment_end(programme.cycle, planned, start),
        status="active",
        offer_id=offer.id if offer else None,
        guidance_offered=guidance or programme.offers_include_guidance,
        enrolled_by_org_id=enrolled_by,
        **owner_fields(owner),
    )
    enrolment.phases = [
        EnrolmentPhase(
            position=i + 1,
            code=t["code"],
            name=t["name"],
            planned_start=begin,
            planned_end=end,
            status="pending",
            requires_plan=t.get("requires_plan", False),
            requires_leadership=t.get("requires_leadership", False),
            goals=[
                {"code": g["code"], "text": g["text"], "done": False, "comment": None, "updated_at": None}
                for g in t.get("goals", [])
            ],
        )
        for i, ((begin, end), t) in enumerate(zip(planned, programme.phases, strict=True))
    ]
    # A concurrent enrolment may win the race: then the unique index refuses this one.
    await insert_guarded(session, enrolment, _one_active(programme, owner))
    await record_change(
        session,
        actor,
        action="create",
        resource_type="enrolment",
        resource_id=str(enrolment.id),
        changes=diff({}, snapshot(enrolment, AUDITED)),
        concerns=concerns(enrolment),
        version=enrolment.version,
    )
    return enrolment
