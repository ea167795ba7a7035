"""Partnerships (school owners + universities in a county governor's region) and their subcontracts.

Rule 16 (seed 003): funds go only to school owners and Norwegian universities; a third party is engaged
and paid by a university as its subcontractor, is never a party to the partnership, and must not hold so
large a share of the plan that the universities cannot build competence (the limit is the programme's).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from app.audit.service import Concerns, diff, jsonable, record_change
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal, Role
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.core.etag import check_if_match
from app.enrolments.service.common import parse_uuid
from app.partnerships.models import Partnership, PartnershipMember, Subcontract
from app.partnerships.schemas import (
    PartnershipCreate,
    PartnershipRead,
    PartnershipUpdate,
    SubcontractCreate,
    UniversityParty,
)
from app.programmes.models import Programme
from app.programmes.service import programme_filter, programme_for_write
from app.reference.models import REGIONAL_KINDS, SCHOOL_OWNER_KINDS, Organisation, RegionCounty
from app.reference.service import ListQuery, find_organisation

FIELDS = [
    "name",
    "period_start",
    "period_end",
    "competence_areas",
    "budget",
    "agreement_reference",
    "agreement_signed_on",
    "status",
]


def _snapshot(p: Partnership) -> dict[str, Any]:
    read = PartnershipRead.of(p)
    return jsonable(
        {f: getattr(p, f) for f in FIELDS}
        | {
            "school_owner_ids": read.school_owner_ids,
            "university_ids": read.university_ids,
            "lead_university_id": read.lead_university_id,
        }
    )


async def list_partnerships(
    session: AsyncSession,
    principal: Principal,
    *,
    county_governor: str | None,
    programme: str | None,
    university: str | None,
    school_owner: str | None,
    status: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Partnership).where(policy.partnerships(principal))
    programme_id = await programme_filter(session, programme)
    if programme_id is not None:
        stmt = stmt.where(Partnership.programme_id == programme_id)
    if county_governor:
        stmt = stmt.where(Partnership.county_governor_id == county_governor)
    for org in (university, school_owner):
        if org:
            stmt = stmt.where(
                Partnership.id.in_(
                    sa.select(PartnershipMember.partnership_id).where(PartnershipMember.organisation_id == org)
                )
            )
    if status:
        stmt = stmt.where(Partnership.status == status)
    if updated_since:
        stmt = stmt.where(Partnership.updated_at >= updated_since)
    return ListQuery(stmt, (Partnership.updated_at, Partnership.id))


async def get_partnership(
    session: AsyncSession, principal: Principal, *, partnership_id: str, lock: bool = False
) -> Partnership:
    stmt = sa.select(Partnership).where(
        Partnership.id == parse_uuid(partnership_id, "partnership"), policy.partnerships(principal)
    )
    found = await session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(f"No partnership {partnership_id}.")
    return found


async def region_of(session: AsyncSession, principal: Principal, ref: str | None) -> Organisation:
    """The region (county governor) of a partnership or forum: the caller itself, or one the directorate names."""
    ref = policy.acting_for(principal, ref, Role.county_governor, "A county governor acts in its own region only.")
    if not ref:
        raise InvalidInput("The region is required.", [{"pointer": "/county_governor_id", "detail": "required"}])
    org = await find_organisation(session, ref)
    if org is None or org.kind not in REGIONAL_KINDS:
        raise InvalidInput(
            f"No county governor {ref}.", [{"pointer": "/county_governor_id", "detail": "unknown county governor"}]
        )
    return org


async def counties_of(session: AsyncSession, governor_id: str) -> set[str]:
    return set(
        (
            await session.scalars(sa.select(RegionCounty.county_id).where(RegionCounty.organisation_id == governor_id))
        ).all()
    )


async def _parties(
    session: AsyncSession, region: Organisation, owner_ids: list[str], universities: list[UniversityParty]
) -> list[PartnershipMember]:
    counties = await counties_of(session, region.id)
    errors: list[dict[str, str]] = []
    members: list[PartnershipMember] = []
    for i, ref in enumerate(owner_ids):
        org = await find_organisation(session, ref)
        if org is None:
            errors.append({"pointer": f"/school_owner_ids/{i}", "detail": "unknown organisation"})
        elif org.kind == "third_party" or org.commercial:
            raise RuleViolation("third-party-not-party", f"{org.name} cannot be a party to a partnership (rule 16).")
        elif org.kind not in SCHOOL_OWNER_KINDS:
            errors.append({"pointer": f"/school_owner_ids/{i}", "detail": f"a {org.kind} is not a school owner"})
        elif org.county_id not in counties:
            raise RuleViolation("school-owner-in-region", f"{org.name} is outside the region of {region.name}.")
        else:
            members.append(PartnershipMember(organisation_id=org.id, kind="school_owner", lead=False))
    for i, party in enumerate(universities):
        org = await find_organisation(session, party.id)
        if org is None:
            errors.append({"pointer": f"/universities/{i}/id", "detail": "unknown organisation"})
        elif org.kind == "third_party" or org.commercial:
            raise RuleViolation("third-party-not-party", f"{org.name} cannot be a party to a partnership (rule 16).")
        elif org.kind != "university":
            errors.append({"pointer": f"/universities/{i}/id", "detail": f"a {org.kind} is not a university"})
        else:
            members.append(PartnershipMember(organisation_id=org.id, kind="university", lead=party.lead))
    if errors:
        raise InvalidInput("Invalid parties.", errors)
    if len({m.organisation_id for m in members}) != len(members):
        raise InvalidInput("A party appears twice.", [{"pointer": "/universities", "detail": "duplicate party"}])
    if sum(m.lead for m in members) != 1:
        raise RuleViolation("one-lead-university", "Exactly one university leads the partnership.")
    return members


async def _audit(
    session: AsyncSession, principal: Principal, p: Partnership, action: str, before: dict[str, Any]
) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type="partnership",
        resource_id=str(p.id),
        changes=diff(before, _snapshot(p)),
        concerns=Concerns(subject_org_id=p.county_governor_id),
        version=p.version,
    )


async def create_partnership(session: AsyncSession, principal: Principal, *, data: PartnershipCreate) -> Partnership:
    """A partnership in a county governor's region (that county governor, or the directorate)."""
    require(principal, Perm.partnerships_write)
    region = await region_of(session, principal, data.county_governor_id)
    programme = await programme_for_write(session, data.programme)
    partnership = Partnership(
        county_governor_id=region.id,
        programme_id=programme.id,
        **data.model_dump(exclude={"county_governor_id", "programme", "school_owner_ids", "universities"}),
    )
    partnership.members = await _parties(session, region, data.school_owner_ids, data.universities)
    session.add(partnership)
    await _audit(session, principal, partnership, "create", {})
    return partnership


async def _may_change(session: AsyncSession, principal: Principal, p: Partnership) -> None:
    require(principal, Perm.partnerships_write)
    policy.require_own_region(
        principal, p.county_governor_id, "Only the county governor of the region changes the partnership."
    )


async def update_partnership(
    session: AsyncSession, principal: Principal, *, partnership_id: str, data: PartnershipUpdate, if_match: str | None
) -> Partnership:
    """Change a partnership (If-Match); the parties are replaced whole when given."""
    p = await get_partnership(session, principal, partnership_id=partnership_id)
    await _may_change(session, principal, p)
    check_if_match(if_match, p.version)
    before = _snapshot(p)
    changes = data.model_dump(exclude_unset=True, exclude={"school_owner_ids", "universities"})
    for field in ("name", "status", "competence_areas"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null.", [{"pointer": f"/{field}", "detail": "cannot be null"}])
    for field, value in changes.items():
        setattr(p, field, value)
    if data.school_owner_ids is not None or data.universities is not None:
        region = await find_organisation(session, p.county_governor_id)
        assert region is not None
        current = PartnershipRead.of(p)
        owners = data.school_owner_ids if data.school_owner_ids is not None else current.school_owner_ids
        unis = (
            data.universities
            if data.universities is not None
            else [UniversityParty(id=u, lead=u == current.lead_university_id) for u in current.university_ids]
        )
        p.members = await _parties(session, region, owners, unis)
    if diff(before, _snapshot(p)):
        flag_modified(p, "name")  # a change of parties alone must still bump the version
        await _audit(session, principal, p, "update", before)
    return p


async def list_subcontracts(
    session: AsyncSession, principal: Principal, *, partnership_id: str, updated_since: datetime | None
) -> ListQuery:
    p = await get_partnership(session, principal, partnership_id=partnership_id)
    stmt = sa.select(Subcontract).where(Subcontract.partnership_id == p.id)
    if updated_since:
        stmt = stmt.where(Subcontract.updated_at >= updated_since)
    return ListQuery(stmt, (Subcontract.created_at, Subcontract.id))


async def create_subcontract(
    session: AsyncSession, principal: Principal, *, partnership_id: str, data: SubcontractCreate
) -> Subcontract:
    """A university of the partnership engages a third party, within the programme's share limit."""
    require(principal, Perm.subcontracts_write)
    p = await get_partnership(session, principal, partnership_id=partnership_id, lock=True)
    university_id = policy.acting_for(
        principal, data.university_id, Role.university, "A university engages subcontractors for itself only."
    )
    universities = {m.organisation_id for m in p.members if m.kind == "university"}
    if university_id not in universities:
        raise RuleViolation(
            "subcontract-by-partner-university",
            "The subcontract must be made by one of the partnership's universities.",
        )
    third = await find_organisation(session, data.third_party_id)
    if third is None:
        raise InvalidInput("Unknown third party.", [{"pointer": "/third_party_id", "detail": "unknown organisation"}])
    if third.kind != "third_party":
        raise RuleViolation("subcontractor-is-third-party", f"{third.name} is a {third.kind}, not a third party.")
    limit = await _share_limit(session, p)
    if limit is not None:
        if not p.budget:
            raise RuleViolation(
                "partnership-budget-required",
                "The partnership's plan budget must be set before third parties are engaged.",
            )
        held = await session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Subcontract.budget), 0)).where(
                Subcontract.partnership_id == p.id, Subcontract.third_party_id == third.id
            )
        ) or Decimal("0")
        share = (Decimal(held) + data.budget) / p.budget
        if share > limit:
            raise RuleViolation(
                "third-party-share-limit",
                f"{third.name} would hold {share:.1%} of the partnership's plan; the limit is {limit:.0%}.",
                limit=str(limit),
                share=str(share.quantize(Decimal("0.0001"))),
            )
    sub = Subcontract(
        partnership_id=p.id,
        university_id=university_id,
        third_party_id=third.id,
        description=data.description,
        budget=data.budget,
    )
    session.add(sub)
    await session.flush()
    await record_change(
        session,
        principal,
        action="create",
        resource_type="subcontract",
        resource_id=str(sub.id),
        changes=diff(
            {},
            jsonable(
                {
                    "partnership_id": p.id,
                    "university_id": university_id,
                    "third_party_id": third.id,
                    "budget": data.budget,
                }
            ),
        ),
        concerns=Concerns(subject_org_id=p.county_governor_id),
        version=sub.version,
    )
    return sub


async def _share_limit(session: AsyncSession, p: Partnership) -> Decimal | None:
    programme = await session.get(Programme, p.programme_id)
    raw = programme.limit("third_party_share_limit") if programme else None
    return Decimal(str(raw)) if raw is not None else None
