"""Participants of an enrolment (rule 4) and the guidance assigned to it (rule 8)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import InvalidInput, NotFound
from app.enrolments.models import Enrolment, GuidanceAssignment, Participant
from app.enrolments.schemas import GuidanceCreate, ParticipantCreate
from app.enrolments.service.common import concerns, parse_uuid
from app.enrolments.service.enrolments import get_enrolment, require_active
from app.reference.service import ListQuery, find_organisation

PARTICIPANT_FIELDS = ["name", "role", "title", "email"]
GUIDANCE_FIELDS = ["guide_name", "guide_organisation_id", "period_start", "period_end", "notes"]


async def _audit(
    session: AsyncSession,
    principal: Principal,
    enrolment: Enrolment,
    kind: str,
    obj: Any,
    action: str,
    changes: dict[str, Any],
) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type=kind,
        resource_id=str(obj.id),
        changes={"enrolment_id": {"before": None, "after": str(enrolment.id)}, **changes},
        concerns=concerns(enrolment),
        version=obj.version,
    )


def _own_or_authority(principal: Principal, enrolment: Enrolment, perm: Perm) -> None:
    require(principal, perm)
    policy.require_self(principal, enrolment.school_owner_id, "Only the school owner itself changes its participants.")


async def list_participants(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, updated_since: datetime | None
) -> ListQuery:
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    stmt = sa.select(Participant).where(Participant.enrolment_id == enrolment.id)
    if updated_since:
        stmt = stmt.where(Participant.updated_at >= updated_since)
    return ListQuery(stmt, (Participant.created_at, Participant.id))


async def add_participant(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, data: ParticipantCreate
) -> Participant:
    """Name a person taking part and their role (school owner, school leader, teacher, kindergarten, PPT ...)."""
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    _own_or_authority(principal, enrolment, Perm.participants_write)
    require_active(enrolment)
    participant = Participant(enrolment_id=enrolment.id, **data.model_dump())
    session.add(participant)
    await _audit(
        session,
        principal,
        enrolment,
        "participant",
        participant,
        "create",
        diff({}, snapshot(participant, PARTICIPANT_FIELDS)),
    )
    return participant


async def remove_participant(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, participant_id: str
) -> None:
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    _own_or_authority(principal, enrolment, Perm.participants_write)
    participant = await session.scalar(
        sa.select(Participant).where(
            Participant.id == parse_uuid(participant_id, "participant"), Participant.enrolment_id == enrolment.id
        )
    )
    if participant is None:
        raise NotFound(f"No participant {participant_id} in enrolment {enrolment_id}.")
    before = snapshot(participant, PARTICIPANT_FIELDS)
    await session.delete(participant)
    await _audit(session, principal, enrolment, "participant", participant, "delete", diff(before, {}))


async def list_guidance(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, updated_since: datetime | None
) -> ListQuery:
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    stmt = sa.select(GuidanceAssignment).where(GuidanceAssignment.enrolment_id == enrolment.id)
    if updated_since:
        stmt = stmt.where(GuidanceAssignment.updated_at >= updated_since)
    return ListQuery(stmt, (GuidanceAssignment.created_at, GuidanceAssignment.id))


async def assign_guidance(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, data: GuidanceCreate
) -> GuidanceAssignment:
    """Assign an external guide (a person, e.g. from a university centre) for a period."""
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    require(principal, Perm.guidance_write)
    require_active(enrolment)
    values = data.model_dump()
    if data.guide_organisation_id:
        org = await find_organisation(session, data.guide_organisation_id)
        if org is None:
            raise InvalidInput(
                "Unknown organisation.", [{"pointer": "/guide_organisation_id", "detail": "unknown organisation"}]
            )
        values["guide_organisation_id"] = org.id
    assignment = GuidanceAssignment(enrolment_id=enrolment.id, **values)
    session.add(assignment)
    await _audit(
        session, principal, enrolment, "guidance", assignment, "create", diff({}, snapshot(assignment, GUIDANCE_FIELDS))
    )
    return assignment
