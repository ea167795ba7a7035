"""Adding and changing organisations (the directorate keeps the register)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, diff, record_change, snapshot
from app.auth.cache import auth_changed
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import Conflict, InvalidInput
from app.core.etag import check_if_match
from app.reference.ids import county_id, municipality_id
from app.reference.models import County, Municipality, Organisation
from app.reference.orgnr import valid_orgnr
from app.reference.schemas import OrganisationCreate, OrganisationUpdate
from app.reference.service import get_organisation

AUDITED = [
    "kind",
    "name",
    "short_name",
    "orgnr",
    "country",
    "municipality_id",
    "county_id",
    "dbh_code",
    "commercial",
    "active",
]


def concerns_of(org: Organisation) -> Concerns:
    return Concerns(subject_org_id=org.id, municipality_id=org.municipality_id, county_id=org.county_id)


async def _location(session: AsyncSession, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve municipality_id / county_id aliases; a municipality implies its county."""
    errors = []
    out: dict[str, Any] = {}
    if data.get("municipality_id"):
        mid = municipality_id(data["municipality_id"])
        m = await session.get(Municipality, mid) if mid else None
        if m is None:
            errors.append({"pointer": "/municipality_id", "detail": "unknown municipality"})
        else:
            out["municipality_id"], out["county_id"] = m.id, m.county_id
    if data.get("county_id"):
        cid = county_id(data["county_id"])
        c = await session.get(County, cid) if cid else None
        if c is None:
            errors.append({"pointer": "/county_id", "detail": "unknown county"})
        elif out.get("county_id") not in (None, c.id):
            errors.append({"pointer": "/county_id", "detail": "not the county of municipality_id"})
        else:
            out["county_id"] = c.id
    if data.get("orgnr") and not valid_orgnr(data["orgnr"]):
        errors.append({"pointer": "/orgnr", "detail": "not a valid organisation number (MOD11 check digit)"})
    if errors:
        raise InvalidInput("Invalid organisation.", errors)
    return out


async def _orgnr_free(session: AsyncSession, orgnr: str | None, own_id: str | None = None) -> None:
    if orgnr is None:
        return
    taken = await session.scalar(
        sa.select(Organisation.id).where(sa.or_(Organisation.orgnr == orgnr, Organisation.id == orgnr))
    )
    if taken is not None and taken != own_id:
        raise Conflict(f"Organisation number {orgnr} is already registered ({taken}).")


async def create_organisation(session: AsyncSession, principal: Principal, *, data: OrganisationCreate) -> Organisation:
    """Register an organisation; its id is its organisation number, or a new UUID when it has none."""
    require(principal, Perm.reference_write)
    location = await _location(session, data.model_dump())
    await _orgnr_free(session, data.orgnr)
    org = Organisation(
        id=data.orgnr or str(uuid.uuid4()),
        kind=data.kind,
        name=data.name,
        short_name=data.short_name,
        orgnr=data.orgnr,
        country=data.country,
        dbh_code=data.dbh_code,
        commercial=data.commercial,
        active=True,
        municipality_id=location.get("municipality_id"),
        county_id=location.get("county_id"),
    )
    session.add(org)
    await session.flush()
    await record_change(
        session,
        principal,
        action="create",
        resource_type="organisation",
        resource_id=org.id,
        changes=diff({}, snapshot(org, AUDITED)),
        concerns=concerns_of(org),
        version=org.version,
    )
    return org


async def update_organisation(
    session: AsyncSession, principal: Principal, *, ref: str, data: OrganisationUpdate, if_match: str | None
) -> Organisation:
    """Change an organisation's name, location, organisation number or status (If-Match required)."""
    org = await get_organisation(session, principal, ref=ref)
    require(principal, Perm.reference_write)
    check_if_match(if_match, org.version)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "commercial", "active"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null.", [{"pointer": f"/{field}", "detail": "cannot be null"}])
    changes.update(await _location(session, changes))
    if changes.get("orgnr"):
        await _orgnr_free(session, changes["orgnr"], org.id)
    before = snapshot(org, AUDITED)
    for field, value in changes.items():
        setattr(org, field, value)
    delta = diff(before, snapshot(org, AUDITED))
    if "active" in delta:
        auth_changed(session)
    if delta:
        await session.flush()
        await record_change(
            session,
            principal,
            action="update",
            resource_type="organisation",
            resource_id=org.id,
            changes=delta,
            concerns=concerns_of(org),
            version=org.version,
        )
    return org
