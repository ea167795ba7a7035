"""SKUP gatherings (rule 10) and workshops (rule 11). Limits are fields of the programme, not constants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal, Role
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.enrolments.models import (
    Gathering,
    GatheringMember,
    GatheringRegistration,
    Workshop,
    WorkshopSignup,
)
from app.enrolments.schemas import GatheringCreate, MemberCreate, RegistrationCreate, SignupCreate, WorkshopCreate
from app.enrolments.service.common import (
    active_enrolment,
    concerns,
    owner_fields,
    parse_uuid,
    school_owner_for_write,
)
from app.programmes.models import Programme
from app.programmes.service import find_programme, programme_filter, programme_for_write
from app.reference.ids import county_id as county_ref
from app.reference.models import County, Organisation
from app.reference.service import ListQuery


async def _record(
    session: AsyncSession,
    principal: Principal,
    kind: str,
    obj: Any,
    fields: list[str],
    where: Concerns,
    action: str = "create",
) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type=kind,
        resource_id=str(obj.id),
        changes=diff({}, snapshot(obj, fields)),
        concerns=where,
        version=obj.version,
    )


def _by_programme(model: Any, programme_id: uuid.UUID | None, updated_since: datetime | None) -> sa.Select[Any]:
    stmt = sa.select(model)
    if programme_id is not None:
        stmt = stmt.where(model.programme_id == programme_id)
    if updated_since:
        stmt = stmt.where(model.updated_at >= updated_since)
    return stmt


async def list_gatherings(
    session: AsyncSession, principal: Principal, *, programme: str | None, updated_since: datetime | None
) -> ListQuery:
    """Gatherings are programme information: every caller sees them."""
    programme_id = await programme_filter(session, programme)
    return ListQuery(_by_programme(Gathering, programme_id, updated_since), (Gathering.starts_on, Gathering.id))


async def get_gathering(
    session: AsyncSession, principal: Principal, *, gathering_id: str, lock: bool = False
) -> Gathering:
    stmt = sa.select(Gathering).where(Gathering.id == parse_uuid(gathering_id, "gathering"))
    found = await session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(f"No gathering {gathering_id}.")
    return found


async def create_gathering(session: AsyncSession, principal: Principal, *, data: GatheringCreate) -> Gathering:
    """Plan a gathering of a programme; its length must be the programme's (SKUP: two days)."""
    require(principal, Perm.gatherings_write)
    programme = await programme_for_write(session, data.programme)
    days = (data.ends_on - data.starts_on).days + 1
    wanted = programme.limit("gathering_days")
    if wanted and days != wanted:
        raise RuleViolation("gathering-days", f"A gathering of {programme.name} lasts {wanted} days, not {days}.")
    values = data.model_dump(exclude={"programme"})
    if data.county_id:
        cid = county_ref(data.county_id)
        if cid is None or await session.get(County, cid) is None:
            raise InvalidInput("Unknown county.", [{"pointer": "/county_id", "detail": "unknown county"}])
        values["county_id"] = cid
    gathering = Gathering(programme_id=programme.id, **values)
    session.add(gathering)
    await _record(
        session,
        principal,
        "gathering",
        gathering,
        ["programme_id", "title", "starts_on", "ends_on"],
        Concerns(county_id=gathering.county_id),
    )
    return gathering


async def _programme_of(session: AsyncSession, programme_id: uuid.UUID) -> Programme:
    programme = await find_programme(session, str(programme_id))
    assert programme is not None
    return programme


async def _enrolled(session: AsyncSession, owner: Organisation, programme: Programme) -> None:
    if await active_enrolment(session, owner.id, programme.id) is None:
        raise RuleViolation("enrolled-in-programme", f"{owner.name} has no active enrolment in {programme.name}.")


def list_members(principal: Principal, gathering: Gathering, *, updated_since: datetime | None) -> ListQuery:
    stmt = sa.select(GatheringMember).where(
        GatheringMember.gathering_id == gathering.id, policy.owned(principal, GatheringMember)
    )
    if updated_since:
        stmt = stmt.where(GatheringMember.updated_at >= updated_since)
    return ListQuery(stmt, (GatheringMember.school_owner_id,))


async def add_member(
    session: AsyncSession, principal: Principal, *, gathering_id: str, data: MemberCreate
) -> GatheringMember:
    """Put a school owner in the gathering's regional group (SKUP: at most five municipalities)."""
    require(principal, Perm.gatherings_write)
    gathering = await get_gathering(session, principal, gathering_id=gathering_id, lock=True)
    programme = await _programme_of(session, gathering.programme_id)
    owner = await school_owner_for_write(session, principal, data.school_owner_id)
    await _enrolled(session, owner, programme)
    members = list(
        (
            await session.scalars(
                sa.select(GatheringMember.school_owner_id).where(GatheringMember.gathering_id == gathering.id)
            )
        ).all()
    )
    if owner.id in members:
        raise RuleViolation("member-once", f"{owner.name} is already in this group.")
    limit = programme.limit("max_group_municipalities")
    if limit and len(members) >= limit:
        raise RuleViolation(
            "group-size", f"A group of {programme.name} holds at most {limit} school owners.", limit=limit
        )
    member = GatheringMember(gathering_id=gathering.id, **owner_fields(owner))
    session.add(member)
    await _record(session, principal, "gathering-member", member, ["gathering_id", "school_owner_id"], concerns(member))
    return member


def list_registrations(principal: Principal, gathering: Gathering, *, updated_since: datetime | None) -> ListQuery:
    stmt = sa.select(GatheringRegistration).where(
        GatheringRegistration.gathering_id == gathering.id, policy.owned(principal, GatheringRegistration)
    )
    if updated_since:
        stmt = stmt.where(GatheringRegistration.updated_at >= updated_since)
    return ListQuery(stmt, (GatheringRegistration.created_at, GatheringRegistration.id))


async def _acting_owner(session: AsyncSession, principal: Principal, ref: str | None) -> Organisation:
    ref = policy.acting_for(principal, ref, Role.school_owner, "A school owner acts for itself only.")
    return await school_owner_for_write(session, principal, ref)


async def register_person(
    session: AsyncSession, principal: Principal, *, gathering_id: str, data: RegistrationCreate
) -> GatheringRegistration:
    """Register a person from a school owner in the group (SKUP: at most six per municipality)."""
    require(principal, Perm.gatherings_register)
    gathering = await get_gathering(session, principal, gathering_id=gathering_id, lock=True)
    programme = await _programme_of(session, gathering.programme_id)
    owner = await _acting_owner(session, principal, data.school_owner_id)
    member = await session.scalar(
        sa.select(GatheringMember.id).where(
            GatheringMember.gathering_id == gathering.id, GatheringMember.school_owner_id == owner.id
        )
    )
    if member is None:
        raise RuleViolation("member-of-group", f"{owner.name} is not in this gathering's group.")
    count = (
        await session.scalar(
            sa.select(sa.func.count()).where(
                GatheringRegistration.gathering_id == gathering.id, GatheringRegistration.school_owner_id == owner.id
            )
        )
        or 0
    )
    limit = programme.limit("max_persons_per_municipality")
    if limit and count >= limit:
        raise RuleViolation(
            "persons-per-school-owner",
            f"Each school owner sends at most {limit} persons to a gathering of {programme.name}.",
            limit=limit,
        )
    registration = GatheringRegistration(
        gathering_id=gathering.id, person_name=data.person_name, role=data.role, **owner_fields(owner)
    )
    session.add(registration)
    await _record(
        session,
        principal,
        "gathering-registration",
        registration,
        ["gathering_id", "school_owner_id", "person_name", "role"],
        concerns(registration),
    )
    return registration


async def list_workshops(
    session: AsyncSession, principal: Principal, *, programme: str | None, updated_since: datetime | None
) -> ListQuery:
    """Workshops are programme information: every caller sees them."""
    programme_id = await programme_filter(session, programme)
    return ListQuery(_by_programme(Workshop, programme_id, updated_since), (Workshop.starts_on, Workshop.id))


async def get_workshop(
    session: AsyncSession, principal: Principal, *, workshop_id: str, lock: bool = False
) -> Workshop:
    stmt = sa.select(Workshop).where(Workshop.id == parse_uuid(workshop_id, "workshop"))
    found = await session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(f"No workshop {workshop_id}.")
    return found


async def create_workshop(session: AsyncSession, principal: Principal, *, data: WorkshopCreate) -> Workshop:
    require(principal, Perm.workshops_write)
    programme = await programme_for_write(session, data.programme)
    workshop = Workshop(programme_id=programme.id, **data.model_dump(exclude={"programme"}))
    session.add(workshop)
    await _record(
        session, principal, "workshop", workshop, ["programme_id", "theme", "starts_on", "capacity"], Concerns()
    )
    return workshop


def list_signups(principal: Principal, workshop: Workshop, *, updated_since: datetime | None) -> ListQuery:
    stmt = sa.select(WorkshopSignup).where(
        WorkshopSignup.workshop_id == workshop.id, policy.owned(principal, WorkshopSignup)
    )
    if updated_since:
        stmt = stmt.where(WorkshopSignup.updated_at >= updated_since)
    return ListQuery(stmt, (WorkshopSignup.created_at, WorkshopSignup.id))


async def sign_up(
    session: AsyncSession, principal: Principal, *, workshop_id: str, data: SignupCreate
) -> WorkshopSignup:
    """A school owner in the programme signs up for a workshop with room left."""
    require(principal, Perm.workshops_signup)
    workshop = await get_workshop(session, principal, workshop_id=workshop_id, lock=True)
    programme = await _programme_of(session, workshop.programme_id)
    owner = await _acting_owner(session, principal, data.school_owner_id)
    await _enrolled(session, owner, programme)
    taken = list(
        (
            await session.scalars(
                sa.select(WorkshopSignup.school_owner_id).where(WorkshopSignup.workshop_id == workshop.id)
            )
        ).all()
    )
    if owner.id in taken:
        raise RuleViolation("signup-once", f"{owner.name} is already signed up for this workshop.")
    if len(taken) >= workshop.capacity:
        raise RuleViolation("workshop-capacity", f"The workshop is full ({workshop.capacity} places).")
    signup = WorkshopSignup(workshop_id=workshop.id, **owner_fields(owner))
    session.add(signup)
    await _record(session, principal, "workshop-signup", signup, ["workshop_id", "school_owner_id"], concerns(signup))
    return signup
