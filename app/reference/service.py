"""Reading reference data: counties, county governors, municipalities and organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from app.auth import policy
from app.auth.principal import Principal
from app.core.errors import InvalidInput, NotFound
from app.core.statements import built_once
from app.reference.ids import county_id, municipality_id
from app.reference.models import (
    REGIONAL_KINDS,
    County,
    Municipality,
    MunicipalityName,
    Organisation,
    RegionCounty,
)


@dataclass(frozen=True)
class ListQuery:
    """A scoped, filtered statement and the (unique, ascending) columns it pages by."""

    stmt: sa.Select[Any]
    order: tuple[Any, ...]


def _county_param(ref: str, name: str = "county") -> str:
    cid = county_id(ref)
    if cid is None:
        raise InvalidInput(
            f"{ref!r} is not a county id.", [{"pointer": name, "detail": "expected NO-55 or 55 (query)"}]
        )
    return cid


def _like(q: str) -> str:
    escaped = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_counties(principal: Principal, *, country: str | None, updated_since: datetime | None) -> ListQuery:
    """Counties are public geography: every authenticated caller sees all of them."""
    stmt = sa.select(County)
    if country:
        stmt = stmt.where(County.country == country.upper())
    if updated_since:
        stmt = stmt.where(County.updated_at >= updated_since)
    return ListQuery(stmt, (County.id,))


async def get_county(session: AsyncSession, principal: Principal, *, ref: str) -> County:
    cid = county_id(ref)
    county = await session.get(County, cid) if cid else None
    if county is None:
        raise NotFound(f"No county {ref}.")
    return county


def list_county_governors(principal: Principal, *, country: str | None, updated_since: datetime | None) -> ListQuery:
    """County governors (and the Swedish regional body) are public: every caller sees them."""
    stmt = (
        sa.select(Organisation)
        .where(Organisation.kind.in_(REGIONAL_KINDS))
        .options(selectinload(Organisation.covered_counties))
    )
    if country:
        stmt = stmt.where(Organisation.country == country.upper())
    if updated_since:
        stmt = stmt.where(Organisation.updated_at >= updated_since)
    return ListQuery(stmt, (Organisation.id,))


async def get_county_governor(session: AsyncSession, principal: Principal, *, ref: str) -> Organisation:
    org = await session.scalar(
        sa.select(Organisation)
        .where(Organisation.kind.in_(REGIONAL_KINDS), sa.or_(Organisation.id == ref, Organisation.orgnr == ref))
        .options(selectinload(Organisation.covered_counties))
    )
    if org is None:
        raise NotFound(f"No county governor {ref}.")
    return org


@built_once
def list_municipalities(
    principal: Principal,
    *,
    county: str | None,
    county_governor: str | None,
    country: str | None,
    q: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Municipality).where(policy.municipalities(principal))
    if county:
        stmt = stmt.where(Municipality.county_id == _county_param(county))
    if county_governor:
        stmt = stmt.where(
            Municipality.county_id.in_(
                sa.select(RegionCounty.county_id)
                .join(Organisation, Organisation.id == RegionCounty.organisation_id)
                .where(sa.or_(Organisation.id == county_governor, Organisation.orgnr == county_governor))
            )
        )
    if country:
        stmt = stmt.where(Municipality.country == country.upper())
    if q:
        stmt = stmt.where(
            Municipality.id.in_(
                sa.select(MunicipalityName.municipality_id).where(
                    sa.func.lower(MunicipalityName.name).like(_like(q), escape="\\")
                )
            )
        )
    if updated_since:
        stmt = stmt.where(Municipality.updated_at >= updated_since)
    return ListQuery(stmt, (Municipality.id,))


async def get_municipality(session: AsyncSession, principal: Principal, *, ref: str) -> Municipality:
    mid = municipality_id(ref)
    found = None
    if mid:
        found = await session.scalar(
            sa.select(Municipality).where(Municipality.id == mid, policy.municipalities(principal))
        )
    if found is None:
        raise NotFound(f"No municipality {ref}.")
    return found


def list_organisations(
    principal: Principal,
    *,
    kind: str | None,
    county: str | None,
    municipality: str | None,
    q: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Organisation).where(policy.organisations(principal))
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    if county:
        stmt = stmt.where(Organisation.county_id == _county_param(county))
    if municipality:
        mid = municipality_id(municipality)
        if mid is None:
            raise InvalidInput(
                f"{municipality!r} is not a municipality id.",
                [{"pointer": "municipality", "detail": "expected NO-5501 or 5501 (query)"}],
            )
        stmt = stmt.where(Organisation.municipality_id == mid)
    if q:
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Organisation.name).like(_like(q), escape="\\"),
                sa.func.lower(Organisation.short_name).like(_like(q), escape="\\"),
            )
        )
    if updated_since:
        stmt = stmt.where(Organisation.updated_at >= updated_since)
    return ListQuery(stmt, (Organisation.id,))


def org_lookup(ref: str) -> ColumnElement[bool]:
    """Match an organisation by id, organisation number, or a municipality's number alias."""
    ref = ref.strip()
    conditions = [Organisation.id == ref, Organisation.orgnr == ref]
    mid = municipality_id(ref)
    if mid:
        conditions.append(Organisation.id == mid)
    return sa.or_(*conditions)


async def get_organisation(session: AsyncSession, principal: Principal, *, ref: str) -> Organisation:
    org = await session.scalar(sa.select(Organisation).where(org_lookup(ref), policy.organisations(principal)))
    if org is None:
        raise NotFound(f"No organisation {ref}.")
    return org


async def find_organisation(session: AsyncSession, ref: str) -> Organisation | None:
    """Unscoped lookup, for authentication and for validating references in writes."""
    return await session.scalar(sa.select(Organisation).where(org_lookup(ref)))
