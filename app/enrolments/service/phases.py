"""Phases: strictly ordered; start and complete are actions, each refusal a 409 naming its rule."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from app.audit.service import record_change
from app.auth.principal import Principal
from app.core.errors import NotFound, RuleViolation
from app.core.etag import check_if_match
from app.db.types import utcnow
from app.enrolments.models import Enrolment, EnrolmentPhase, Participant
from app.enrolments.schemas import GoalUpdate
from app.enrolments.service.common import concerns, parse_uuid
from app.enrolments.service.enrolments import get_enrolment, may_progress, require_active
from app.plans.service import implementation_plan_submitted

LEADERSHIP = {"political_leadership", "administrative_leadership"}


async def get_phase(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, phase_id: str
) -> tuple[Enrolment, EnrolmentPhase]:
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    wanted = parse_uuid(phase_id, "phase")
    phase = next((p for p in enrolment.phases if p.id == wanted), None)
    if phase is None:
        raise NotFound(f"No phase {phase_id} in enrolment {enrolment_id}.")
    return enrolment, phase


async def _audit(
    session: AsyncSession,
    principal: Principal,
    enrolment: Enrolment,
    phase: EnrolmentPhase,
    action: str,
    changes: dict[str, Any],
) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type="enrolment-phase",
        resource_id=str(phase.id),
        changes={"enrolment_id": str(enrolment.id), "phase": phase.code, **changes},
        concerns=concerns(enrolment),
        version=phase.version,
    )


async def start_phase(session: AsyncSession, principal: Principal, *, enrolment_id: str, phase_id: str) -> Enrolment:
    """Start a phase: the previous one complete, its plan registered, its leadership present (where required)."""
    enrolment, phase = await get_phase(session, principal, enrolment_id=enrolment_id, phase_id=phase_id)
    may_progress(principal, enrolment)
    require_active(enrolment)
    if phase.status != "pending":
        raise RuleViolation("phase-pending", f"The phase {phase.code} is {phase.status}; only a pending phase starts.")
    earlier = [p for p in enrolment.phases if p.position < phase.position and p.status != "completed"]
    if earlier:
        raise RuleViolation(
            "phase-order", f"The phase {phase.code} cannot start before {earlier[-1].code} is complete."
        )
    if phase.requires_plan and not await implementation_plan_submitted(session, enrolment):
        # 001: the pre-phase ends with the plan for the implementation phase.
        raise RuleViolation(
            "implementation-plan-required",
            f"The phase {phase.code} cannot start until the enrolment's implementation plan has been submitted.",
        )
    if phase.requires_leadership:
        roles = set(
            (await session.scalars(sa.select(Participant.role).where(Participant.enrolment_id == enrolment.id))).all()
        )
        missing = sorted(LEADERSHIP - roles)
        if missing:
            # 000: the municipality's political and administrative top leadership must take part.
            raise RuleViolation(
                "leadership-must-attend",
                f"The phase {phase.code} needs participants from the top leadership: missing {', '.join(missing)}.",
                missing=missing,
            )
    phase.status, phase.started_at = "active", utcnow()
    await _audit(session, principal, enrolment, phase, "start", {"status": {"before": "pending", "after": "active"}})
    return enrolment


async def complete_phase(session: AsyncSession, principal: Principal, *, enrolment_id: str, phase_id: str) -> Enrolment:
    """Complete the active phase; completing the last one completes the enrolment."""
    enrolment, phase = await get_phase(session, principal, enrolment_id=enrolment_id, phase_id=phase_id)
    may_progress(principal, enrolment)
    require_active(enrolment)
    if phase.status != "active":
        raise RuleViolation(
            "phase-active", f"The phase {phase.code} is {phase.status}; only an active phase completes."
        )
    phase.status, phase.completed_at = "completed", utcnow()
    await _audit(
        session, principal, enrolment, phase, "complete", {"status": {"before": "active", "after": "completed"}}
    )
    if all(p.status == "completed" for p in enrolment.phases):
        enrolment.status, enrolment.completed_at = "completed", utcnow()
        await session.flush()
        await record_change(
            session,
            principal,
            action="complete",
            resource_type="enrolment",
            resource_id=str(enrolment.id),
            changes={"status": {"before": "active", "after": "completed"}},
            concerns=concerns(enrolment),
            version=enrolment.version,
        )
    return enrolment


async def update_goal(
    session: AsyncSession,
    principal: Principal,
    *,
    enrolment_id: str,
    phase_id: str,
    goal_code: str,
    data: GoalUpdate,
    if_match: str | None,
) -> EnrolmentPhase:
    """Mark a goal of the phase's checklist done or not, with a comment (If-Match: the phase's ETag)."""
    enrolment, phase = await get_phase(session, principal, enrolment_id=enrolment_id, phase_id=phase_id)
    may_progress(principal, enrolment)
    check_if_match(if_match, phase.version)
    goals = [dict(g) for g in phase.goals]
    goal = next((g for g in goals if g["code"] == goal_code), None)
    if goal is None:
        raise NotFound(f"No goal {goal_code} in phase {phase.code}.")
    before = {k: goal.get(k) for k in ("done", "comment")}
    for field, value in data.model_dump(exclude_unset=True).items():
        goal[field] = value if field != "done" else bool(value)
    after = {k: goal.get(k) for k in ("done", "comment")}
    if before != after:
        goal["updated_at"] = utcnow().isoformat()
        phase.goals = goals
        flag_modified(phase, "goals")
        await _audit(
            session,
            principal,
            enrolment,
            phase,
            "update-goal",
            {f"goals.{goal_code}": {"before": before, "after": after}},
        )
    return phase
