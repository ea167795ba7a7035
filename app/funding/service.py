"""Allocations (rules 12-17): the directorate to county governors, county governors on to their region.

Every refusal names its rule. The sum of an allocation's children is kept on the parent row and moved
by one conditional UPDATE (`... WHERE sub_allocated + :x <= amount`), so concurrent sub-allocations from
the same parent can never together exceed it; a CHECK constraint backs it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import ROUND_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal, Role
from app.core.bulk import table_of
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.core.etag import check_if_match
from app.core.statements import built_once
from app.db.types import utcnow
from app.enrolments.models import Enrolment
from app.enrolments.service.common import parse_uuid, query_uuid
from app.funding.models import PURPOSES, Allocation
from app.funding.schemas import AllocationCreate, AllocationUpdate, FromDecisionIn
from app.partnerships.models import ForumDecision
from app.partnerships.service import counties_of
from app.programmes.models import Programme
from app.programmes.service import programme_filter, programme_for_write
from app.reference.models import REGIONAL_KINDS, SCHOOL_OWNER_KINDS, Organisation
from app.reference.service import ListQuery, find_organisation

AUDITED = ["amount", "purpose", "status", "note", "recipient_id", "parent_id", "forum_decision_id"]
CENT = Decimal("0.01")


async def list_allocations(
    session: AsyncSession, principal: Principal, *, programme: str | None, **filters: Any
) -> ListQuery:
    """The list's statement; `filters` are those of `_allocations`, which builds it once per caller and filters."""
    return _allocations(principal, programme_id=await programme_filter(session, programme), **filters)


@built_once
def _allocations(
    principal: Principal,
    *,
    programme_id: uuid.UUID | None,
    year: int | None,
    region: str | None,
    recipient: str | None,
    parent: str | None,
    status: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Allocation).where(policy.allocations(principal))
    if programme_id is not None:
        stmt = stmt.where(Allocation.programme_id == programme_id)
    for column, value in (
        (Allocation.year, year),
        (Allocation.region_id, region),
        (Allocation.recipient_id, recipient),
        (Allocation.status, status),
    ):
        if value:
            stmt = stmt.where(column == value)
    if parent:
        stmt = stmt.where(Allocation.parent_id == query_uuid(parent, "parent"))
    if updated_since:
        stmt = stmt.where(Allocation.updated_at >= updated_since)
    return ListQuery(stmt, (Allocation.updated_at, Allocation.id))


async def get_allocation(session: AsyncSession, principal: Principal, *, allocation_id: str) -> Allocation:
    found = await session.scalar(
        sa.select(Allocation).where(
            Allocation.id == parse_uuid(allocation_id, "allocation"), policy.allocations(principal)
        )
    )
    if found is None:
        raise NotFound(f"No allocation {allocation_id}.")
    return found


def concerns(a: Allocation, recipient: Organisation | None = None) -> Concerns:
    return Concerns(
        subject_org_id=a.recipient_id,
        county_id=a.county_id,
        municipality_id=recipient.municipality_id if recipient else None,
        programme_id=a.programme_id,
    )


async def _audit(
    session: AsyncSession, principal: Principal, a: Allocation, action: str, before: dict[str, Any]
) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type="allocation",
        resource_id=str(a.id),
        changes=diff(before, snapshot(a, AUDITED)),
        concerns=concerns(a),
        version=a.version,
    )


async def move_sum(session: AsyncSession, allocation_id: uuid.UUID, column: str, delta: Decimal) -> bool:
    """Add `delta` to a running sum of an allocation; for `sub_allocated`, only while it stays within the amount."""
    a = table_of(Allocation).c
    stmt = (
        sa.update(table_of(Allocation))
        .where(a.id == allocation_id)
        .values({column: a[column] + delta, "version": a.version + 1, "updated_at": utcnow()})
    )
    if column == "sub_allocated":
        stmt = stmt.where(a.sub_allocated + delta <= a.amount, a.sub_allocated + delta >= 0)
    result = await session.execute(stmt)
    loaded = session.identity_map.get(sa.inspect(Allocation).identity_key_from_primary_key((allocation_id,)))
    if loaded is not None:
        await session.refresh(loaded)  # the row moved under the ORM object: read it again
    return bool(result.rowcount)  # type: ignore[attr-defined]


def required_co_financing(programme: Programme, recipient_kind: str, amount: Decimal) -> Decimal:
    """Rule 15 (003): a school owner co-finances at least the programme's ratio (30 %) of the state funds."""
    if recipient_kind not in SCHOOL_OWNER_KINDS or not programme.co_financing_ratio:
        return Decimal("0.00")
    return (amount * programme.co_financing_ratio).quantize(CENT, rounding=ROUND_UP)


def _check_purpose(programme: Programme, purpose: str, pointer: str = "/purpose") -> None:
    if purpose not in PURPOSES:
        raise InvalidInput(f"Unknown purpose {purpose}.", [{"pointer": pointer, "detail": "unknown purpose"}])
    if purpose == "further_education" and programme.limit("continuing_education_only"):
        raise RuleViolation(
            "continuing-education-only",
            f"{programme.name} funds continuing education, not further education (rule 17).",
        )


async def _recipient(session: AsyncSession, ref: str) -> Organisation:
    org = await find_organisation(session, ref)
    if org is None:
        raise InvalidInput(f"No organisation {ref}.", [{"pointer": "/recipient_id", "detail": "unknown organisation"}])
    return org


async def _check_sub_recipient(
    session: AsyncSession, programme: Programme, parent: Allocation, recipient: Organisation
) -> None:
    """Rules 15 and 16: only school owners (that take part) and universities; the school owners in the region."""
    if recipient.kind == "third_party" or recipient.commercial:
        raise RuleViolation(
            "recipient-not-allowed",
            f"{recipient.name} cannot receive funds: only school owners and universities do (rule 16).",
        )
    if recipient.kind not in (*SCHOOL_OWNER_KINDS, "university") or recipient.kind not in (
        programme.allowed_recipient_kinds or []
    ):
        raise RuleViolation(
            "recipient-not-allowed", f"{programme.name} does not fund a {recipient.kind} ({recipient.name})."
        )
    if recipient.kind in SCHOOL_OWNER_KINDS:
        if recipient.county_id not in await counties_of(session, parent.recipient_id):
            raise RuleViolation("recipient-in-region", f"{recipient.name} is outside the county governor's region.")
        joined = await session.scalar(
            sa.select(Enrolment.id).where(
                Enrolment.school_owner_id == recipient.id,
                Enrolment.programme_id == programme.id,
                Enrolment.status == "active",
            )
        )
        if joined is None:
            raise RuleViolation(
                "recipient-not-participating",
                f"{recipient.name} does not take part in {programme.name} and gets no funds (rule 15).",
            )


async def create_allocation(
    session: AsyncSession, principal: Principal, *, data: AllocationCreate, forum_decision_id: uuid.UUID | None = None
) -> Allocation:
    """The directorate to a county governor; a county governor from its own allocation to its region."""
    require(principal, Perm.allocations_write)
    recipient = await _recipient(session, data.recipient_id)
    parent: Allocation | None = None
    if data.parent_id is None:
        policy.require_role(
            principal, Role.directorate, "A county governor allocates from its own allocation (parent_id)."
        )
        missing = [f for f in ("programme", "year") if getattr(data, f) is None]
        if missing:
            raise InvalidInput(
                "Programme and year are required.", [{"pointer": f"/{f}", "detail": "required"} for f in missing]
            )
        programme = await programme_for_write(session, str(data.programme))
        if recipient.kind not in REGIONAL_KINDS:
            raise RuleViolation(
                "directorate-allocates-to-regions",
                "The directorate allocates to county governors and regional bodies, who distribute further (rule 13).",
            )
        year, region_id, county_id = int(data.year or 0), recipient.id, None
    else:
        parent = await session.scalar(
            sa.select(Allocation).where(Allocation.id == data.parent_id, policy.allocations(principal))
        )
        if parent is None:
            raise InvalidInput(
                "Unknown parent allocation.", [{"pointer": "/parent_id", "detail": "unknown allocation"}]
            )
        policy.require_acting_org(
            principal, parent.recipient_id, "Only the recipient of an allocation distributes it further."
        )
        found = await session.get(Programme, parent.programme_id)
        assert found is not None
        programme = found
        if data.year is not None and data.year != parent.year:
            raise InvalidInput("A sub-allocation has its parent's year.", [{"pointer": "/year", "detail": "differs"}])
        if parent.status == "closed":
            raise RuleViolation("allocation-status", "The parent allocation is closed.")
        await _check_sub_recipient(session, programme, parent, recipient)
        year, region_id, county_id = parent.year, parent.recipient_id, recipient.county_id
    _check_purpose(programme, data.purpose)
    a = Allocation(
        programme_id=programme.id,
        year=year,
        grantor_id=principal.org_id,
        recipient_id=recipient.id,
        recipient_kind=recipient.kind,
        region_id=region_id,
        county_id=county_id,
        parent_id=parent.id if parent else None,
        forum_decision_id=forum_decision_id,
        amount=data.amount,
        currency=programme.currency,
        purpose=data.purpose,
        status="proposed",
        note=data.note,
        co_financing_required=required_co_financing(programme, recipient.kind, data.amount),
    )
    if parent is not None and not await move_sum(session, parent.id, "sub_allocated", data.amount):
        await session.refresh(parent)
        raise RuleViolation(
            "allocation-exceeds-parent",
            f"{data.amount} would take the parent's sub-allocations above its {parent.amount} "
            f"({parent.amount - parent.sub_allocated} remains; rule 13).",
            remaining=str(parent.amount - parent.sub_allocated),
        )
    session.add(a)
    await session.flush()
    await record_change(
        session,
        principal,
        action="create",
        resource_type="allocation",
        resource_id=str(a.id),
        changes=diff({}, snapshot(a, AUDITED)),
        concerns=concerns(a, recipient),
        version=a.version,
    )
    return a


async def allocate_decision(session: AsyncSession, principal: Principal, *, data: FromDecisionIn) -> list[Allocation]:
    """Turn a forum decision's distribution into allocations from the county governor's own, in one step."""
    require(principal, Perm.allocations_write)
    from app.partnerships import forums

    decision = await session.get(ForumDecision, data.forum_decision_id)
    forum = await forums.get_forum(session, principal, forum_id=str(decision.forum_id)) if decision else None
    if decision is None or forum is None:
        raise InvalidInput("Unknown forum decision.", [{"pointer": "/forum_decision_id", "detail": "unknown decision"}])
    done = await session.scalar(sa.select(Allocation.id).where(Allocation.forum_decision_id == decision.id).limit(1))
    if done is not None:
        raise RuleViolation("decision-already-allocated", "This decision has already been turned into allocations.")
    created = []
    for i, share in enumerate(decision.distribution):
        purpose = share.get("purpose") or "continuing_education"
        if purpose not in PURPOSES:
            raise InvalidInput(
                f"The decision's purpose {purpose} is not one of the allocation purposes.",
                [{"pointer": f"/distribution/{i}/purpose", "detail": "unknown purpose"}],
            )
        created.append(
            await create_allocation(
                session,
                principal,
                data=AllocationCreate(
                    recipient_id=share["recipient_id"],
                    parent_id=data.parent_id,
                    amount=Decimal(str(share["amount"])),
                    purpose=purpose,
                    note=f"Samarbeidsforum {decision.meeting_date.isoformat()}",
                ),
                forum_decision_id=decision.id,
            )
        )
    return created


async def update_allocation(
    session: AsyncSession, principal: Principal, *, allocation_id: str, data: AllocationUpdate, if_match: str | None
) -> Allocation:
    """Change a proposed allocation (its grantor, If-Match); a new amount still fits in the parent."""
    require(principal, Perm.allocations_write)
    a = await get_allocation(session, principal, allocation_id=allocation_id)
    policy.require_acting_org(principal, a.grantor_id, "Only the grantor changes an allocation.")
    check_if_match(if_match, a.version)
    if a.status != "proposed":
        raise RuleViolation("allocation-status", f"The allocation is {a.status}; only a proposed one is changed.")
    before = snapshot(a, AUDITED)
    changes = data.model_dump(exclude_unset=True)
    for field in ("amount", "purpose"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null.", [{"pointer": f"/{field}", "detail": "cannot be null"}])
    programme = await session.get(Programme, a.programme_id)
    assert programme is not None
    if "purpose" in changes:
        _check_purpose(programme, changes["purpose"])
        a.purpose = changes["purpose"]
    if "note" in changes:
        a.note = changes["note"]
    if "amount" in changes and changes["amount"] != a.amount:
        amount: Decimal = changes["amount"]
        if amount < a.sub_allocated:
            raise RuleViolation(
                "allocation-below-children", f"{a.sub_allocated} is already allocated on from this allocation."
            )
        if a.parent_id is not None and not await move_sum(session, a.parent_id, "sub_allocated", amount - a.amount):
            raise RuleViolation("allocation-exceeds-parent", "The new amount does not fit in the parent (rule 13).")
        a.amount = amount
        a.co_financing_required = required_co_financing(programme, a.recipient_kind, amount)
    if diff(before, snapshot(a, AUDITED)):
        await _audit(session, principal, a, "update", before)
    return a


NEXT = {"decide": ("proposed", "decided"), "disburse": ("decided", "disbursed"), "close": ("disbursed", "closed")}


async def advance(session: AsyncSession, principal: Principal, *, allocation_id: str, action: str) -> Allocation:
    """proposed -> decided -> disbursed -> closed, by the grantor; disbursing needs the co-financing committed."""
    require(principal, Perm.allocations_write)
    a = await get_allocation(session, principal, allocation_id=allocation_id)
    policy.require_acting_org(principal, a.grantor_id, "Only the grantor moves an allocation on.")
    source, target = NEXT[action]
    if a.status != source:
        raise RuleViolation("allocation-status", f"The allocation is {a.status}; to {action} it must be {source}.")
    if action == "disburse":
        if a.co_financing_committed < a.co_financing_required:
            raise RuleViolation(
                "co-financing-below-requirement",
                f"Committed co-financing {a.co_financing_committed} is below the required "
                f"{a.co_financing_required} (rule 15).",
                required=str(a.co_financing_required),
                committed=str(a.co_financing_committed),
            )
        if a.parent_id is not None:
            parent = await session.get(Allocation, a.parent_id)
            if parent is not None and parent.status not in ("disbursed", "closed"):
                raise RuleViolation("parent-not-disbursed", "The parent allocation has not been disbursed yet.")
    before = snapshot(a, AUDITED)
    a.status = target
    setattr(a, f"{target}_at", utcnow())
    await _audit(session, principal, a, action, before)
    if action == "disburse":
        from app.reports.service import open_report_for

        await open_report_for(session, principal, a)
    return a
