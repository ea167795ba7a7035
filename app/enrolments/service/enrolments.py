"""Enrolments: listing, direct enrolment, the implementation-plan reference, withdrawal and completion."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import RuleViolation
from app.core.etag import check_if_match
from app.core.statements import built_once
from app.db.types import utcnow
from app.enrolments.models import Enrolment, EnrolmentPhase
from app.enrolments.schemas import EnrolmentCreate, EnrolmentUpdate, WithdrawIn
from app.enrolments.service.common import concerns, get_owned, school_owner_for_write
from app.enrolments.service.enrolling import AUDITED, enrol
from app.programmes.service import programme_filter, programme_for_write
from app.reference.service import ListQuery


async def list_enrolments(
    session: AsyncSession, principal: Principal, *, programme: str | None, **filters: Any
) -> ListQuery:
    """The list's statement; `filters` are those of `_enrolments`, which builds it once per caller and filters."""
    return _enrolments(principal, programme_id=await programme_filter(session, programme), **filters)


@built_once
def _enrolments(
    principal: Principal,
    *,
    programme_id: uuid.UUID | None,
    status: str | None,
    school_owner: str | None,
    county: str | None,
    municipality: str | None,
    start_year: int | None,
    phase: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Enrolment).where(policy.owned(principal, Enrolment))
    if programme_id is not None:
        stmt = stmt.where(Enrolment.programme_id == programme_id)
    if status:
        stmt = stmt.where(Enrolment.status == status)
    if school_owner:
        stmt = stmt.where(Enrolment.school_owner_id == school_owner)
    if county:
        stmt = stmt.where(Enrolment.county_id == county)
    if municipality:
        stmt = stmt.where(Enrolment.municipality_id == municipality)
    if start_year:
        stmt = stmt.where(Enrolment.start_year == start_year)
    if phase:
        stmt = stmt.where(
            sa.exists().where(
                EnrolmentPhase.enrolment_id == Enrolment.id,
                EnrolmentPhase.code == phase,
                EnrolmentPhase.status == "active",
            )
        )
    if updated_since:
        stmt = stmt.where(Enrolment.updated_at >= updated_since)
    return ListQuery(stmt, (Enrolment.updated_at, Enrolment.id))


async def get_enrolment(session: AsyncSession, principal: Principal, *, enrolment_id: str) -> Enrolment:
    return await get_owned(session, principal, Enrolment, enrolment_id, "enrolment")


async def create_enrolment(session: AsyncSession, principal: Principal, *, data: EnrolmentCreate) -> Enrolment:
    """The directorate, or a county governor in its region, enrols a school owner directly."""
    require(principal, Perm.enrolments_write)
    programme = await programme_for_write(session, data.programme)
    owner = await school_owner_for_write(session, principal, data.school_owner_id)
    return await enrol(
        session,
        principal,
        programme=programme,
        owner=owner,
        start_year=data.start_year,
        enrolled_by=principal.org_id,
        guidance=data.guidance,
    )


def may_progress(principal: Principal, enrolment: Enrolment) -> None:
    """The school owner itself, its county governor or the directorate moves an enrolment along."""
    require(principal, Perm.enrolments_progress)
    policy.require_self(principal, enrolment.school_owner_id, "Only the school owner itself changes its enrolment.")


def require_active(enrolment: Enrolment) -> None:
    if enrolment.status != "active":
        raise RuleViolation("enrolment-active", f"The enrolment is {enrolment.status}.")


async def audit(
    session: AsyncSession, principal: Principal, enrolment: Enrolment, action: str, changes: dict[str, Any]
) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type="enrolment",
        resource_id=str(enrolment.id),
        changes=changes,
        concerns=concerns(enrolment),
        version=enrolment.version,
    )


async def update_enrolment(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, data: EnrolmentUpdate, if_match: str | None
) -> Enrolment:
    """Register the implementation-plan reference (If-Match)."""
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    may_progress(principal, enrolment)
    check_if_match(if_match, enrolment.version)
    before = snapshot(enrolment, AUDITED)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(enrolment, field, value)
    delta = diff(before, snapshot(enrolment, AUDITED))
    if delta:
        await audit(session, principal, enrolment, "update", delta)
    return enrolment


async def withdraw_enrolment(
    session: AsyncSession, principal: Principal, *, enrolment_id: str, data: WithdrawIn
) -> Enrolment:
    """Withdraw with a reason; the enrolment and its history stay."""
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    may_progress(principal, enrolment)
    require_active(enrolment)
    before = snapshot(enrolment, AUDITED)
    enrolment.status, enrolment.withdrawn_at, enrolment.withdrawal_reason = "withdrawn", utcnow(), data.reason
    await audit(session, principal, enrolment, "withdraw", diff(before, snapshot(enrolment, AUDITED)))
    return enrolment


async def complete_enrolment(session: AsyncSession, principal: Principal, *, enrolment_id: str) -> Enrolment:
    """Complete an enrolment whose phases are all complete (or a yearly cycle, which has none)."""
    enrolment = await get_enrolment(session, principal, enrolment_id=enrolment_id)
    may_progress(principal, enrolment)
    require_active(enrolment)
    unfinished = [p.code for p in enrolment.phases if p.status != "completed"]
    if unfinished:
        raise RuleViolation("phases-complete", f"Phases not yet complete: {', '.join(unfinished)}.")
    before = snapshot(enrolment, AUDITED)
    enrolment.status, enrolment.completed_at = "completed", utcnow()
    await audit(session, principal, enrolment, "complete", diff(before, snapshot(enrolment, AUDITED)))
    return enrolment
