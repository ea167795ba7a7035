"""Co-financing (rule 15, seed 003; rule 21, seed 002): the school owner's own contribution to an allocation."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import diff, jsonable, record_change
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import RuleViolation
from app.funding.models import CoFinancing
from app.funding.schemas import CoFinancingCreate
from app.funding.service import concerns, get_allocation, move_sum
from app.programmes.models import Programme
from app.reference.models import SCHOOL_OWNER_KINDS
from app.reference.service import ListQuery


async def list_co_financing(
    session: AsyncSession, principal: Principal, *, allocation_id: str, updated_since: datetime | None
) -> ListQuery:
    a = await get_allocation(session, principal, allocation_id=allocation_id)
    stmt = sa.select(CoFinancing).where(CoFinancing.allocation_id == a.id)
    if updated_since:
        stmt = stmt.where(CoFinancing.updated_at >= updated_since)
    return ListQuery(stmt, (CoFinancing.created_at, CoFinancing.id))


async def register(
    session: AsyncSession, principal: Principal, *, allocation_id: str, data: CoFinancingCreate
) -> CoFinancing:
    """The receiving school owner commits an amount of a kind the programme accepts."""
    require(principal, Perm.co_financing_write)
    a = await get_allocation(session, principal, allocation_id=allocation_id)
    policy.require_acting_org(principal, a.recipient_id, "A school owner registers co-financing for itself only.")
    if a.recipient_kind not in SCHOOL_OWNER_KINDS:
        raise RuleViolation("co-financing-by-school-owner", "Only a school owner co-finances its allocation.")
    if a.status == "closed":
        raise RuleViolation("allocation-status", "The allocation is closed.")
    programme = await session.get(Programme, a.programme_id)
    assert programme is not None
    if data.kind not in (programme.co_financing_kinds or []):
        raise RuleViolation(
            "co-financing-kind",
            f"{programme.name} accepts co-financing as {', '.join(programme.co_financing_kinds or []) or 'nothing'}.",
        )
    item = CoFinancing(
        allocation_id=a.id,
        school_owner_id=a.recipient_id,
        kind=data.kind,
        amount=data.amount,
        description=data.description,
    )
    session.add(item)
    await move_sum(session, a.id, "co_financing_committed", data.amount)
    await session.flush()
    await record_change(
        session,
        principal,
        action="create",
        resource_type="co_financing",
        resource_id=str(item.id),
        changes=diff({}, jsonable({"allocation_id": a.id, "kind": data.kind, "amount": data.amount})),
        concerns=concerns(a),
        version=item.version,
    )
    return item
