"""What every enrolment use case needs: scoped fetches, the school owner named in a request, eligibility."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns
from app.auth import policy
from app.auth.principal import Principal
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.core.statements import built_once
from app.enrolments.models import Enrolment
from app.programmes.models import Programme
from app.reference.models import SCHOOL_OWNER_KINDS, Organisation
from app.reference.service import org_lookup

M = TypeVar("M")


def parse_uuid(value: str, label: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound(f"No {label} {value}.") from exc


def query_uuid(value: str, name: str) -> uuid.UUID:
    """A UUID in a query filter: anything else is 422 naming the parameter (not 404: nothing was addressed)."""
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise InvalidInput(f"{name} must be a UUID.", [{"pointer": name, "detail": "not a UUID (query)"}]) from exc


async def get_owned(session: AsyncSession, principal: Principal, model: type[M], ref: str, label: str) -> M:
    """An object that belongs to a school owner, if the caller may see it; else 404."""
    stmt: Any = sa.select(model).where(model.id == parse_uuid(ref, label), policy.owned(principal, model))  # type: ignore[attr-defined]
    found = await session.scalar(stmt)
    if found is None:
        raise NotFound(f"No {label} {ref}.")
    return found


def concerns(obj: Any) -> Concerns:
    return Concerns(
        subject_org_id=obj.school_owner_id,
        municipality_id=obj.municipality_id,
        county_id=obj.county_id,
        programme_id=getattr(obj, "programme_id", None),
    )


@built_once
def _visible_organisation(principal: Principal, ref: str) -> sa.Select[Organisation]:
    """The organisation `ref` names among those the caller sees: one statement per caller and reference, built
    once (every plan a school owner creates names the owner itself; app/core/statements.py)."""
    return sa.select(Organisation).where(org_lookup(ref), policy.organisations(principal))


async def school_owner_for_write(
    session: AsyncSession, principal: Principal, ref: str | None, pointer: str = "/school_owner_id"
) -> Organisation:
    """The school owner a request names, among those the caller sees; otherwise 422 (never revealing others)."""
    if not ref:
        raise InvalidInput("A school owner is required.", [{"pointer": pointer, "detail": "required"}])
    org = await session.scalar(_visible_organisation(principal, ref.strip()))
    if org is None or org.kind not in SCHOOL_OWNER_KINDS:
        raise InvalidInput(f"No school owner {ref}.", [{"pointer": pointer, "detail": "unknown school owner"}])
    if not org.active:
        raise RuleViolation("school-owner-active", f"{org.name} is no longer an active school owner.")
    return org


def check_eligible(programme: Programme, owner: Organisation, start_year: int) -> None:
    """The owner's kind may take part (the vocational variant is for county municipalities; rule 18: from 2019)."""
    if owner.kind not in programme.eligible_owner_kinds:
        raise RuleViolation(
            "owner-kind-eligible",
            f"{programme.name} is for {', '.join(programme.eligible_owner_kinds)}; {owner.name} is a {owner.kind}.",
        )
    since = programme.county_municipalities_from_year
    if owner.kind == "county_municipality" and since and start_year < since:
        raise RuleViolation(
            "county-municipalities-from-year", f"County municipalities take part in {programme.name} from {since}."
        )
    if owner.country != programme.country:
        raise RuleViolation("programme-country", f"{programme.name} is for school owners in {programme.country}.")


async def active_enrolment(session: AsyncSession, owner_id: str, programme_id: uuid.UUID) -> Enrolment | None:
    return await session.scalar(
        sa.select(Enrolment).where(
            Enrolment.school_owner_id == owner_id, Enrolment.programme_id == programme_id, Enrolment.status == "active"
        )
    )


def owner_fields(owner: Organisation) -> dict[str, Any]:
    return {"school_owner_id": owner.id, "county_id": owner.county_id, "municipality_id": owner.municipality_id}
