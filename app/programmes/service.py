"""Programmes: everyone reads them; the directorate creates and edits them (no release needed)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from importlib import resources
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, Concerns, diff, jsonable, record_change
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.etag import check_if_match
from app.programmes.models import Programme
from app.programmes.schemas import ProgrammeCreate, ProgrammeUpdate
from app.reference.service import ListQuery

JSON_FIELDS = ("limits", "phases")
AUDITED = [
    "code",
    "name",
    "description",
    "country",
    "currency",
    "cycle",
    "co_financing_ratio",
    "co_financing_kinds",
    "allowed_recipient_kinds",
    "eligible_owner_kinds",
    "county_municipalities_from_year",
    "offer_roles",
    "offers_include_guidance",
    "limits",
    "phases",
    "active",
]


def _snapshot(p: Programme) -> dict[str, Any]:
    return {f: jsonable(getattr(p, f)) for f in AUDITED}


def list_programmes(
    principal: Principal,
    *,
    country: str | None,
    cycle: str | None,
    active: bool | None,
    updated_since: datetime | None,
) -> ListQuery:
    """Programmes are visible to every caller."""
    stmt = sa.select(Programme)
    if country:
        stmt = stmt.where(Programme.country == country.upper())
    if cycle:
        stmt = stmt.where(Programme.cycle == cycle)
    if active is not None:
        stmt = stmt.where(Programme.active == active)
    if updated_since:
        stmt = stmt.where(Programme.updated_at >= updated_since)
    return ListQuery(stmt, (Programme.code,))


async def find_programme(session: AsyncSession, ref: str) -> Programme | None:
    """By UUID or by code."""
    try:
        return await session.get(Programme, uuid.UUID(ref))
    except ValueError:
        return await session.scalar(sa.select(Programme).where(Programme.code == ref))


async def get_programme(session: AsyncSession, principal: Principal, *, ref: str) -> Programme:
    programme = await find_programme(session, ref)
    if programme is None:
        raise NotFound(f"No programme {ref}.")
    return programme


async def programme_filter(session: AsyncSession, ref: str | None) -> uuid.UUID | None:
    """A `programme` query filter (code or id) as an id; an unknown programme is 422."""
    if not ref:
        return None
    programme = await find_programme(session, ref)
    if programme is None:
        raise InvalidInput(f"No programme {ref}.", [{"pointer": "programme", "detail": "unknown programme (query)"}])
    return programme.id


async def programme_for_write(session: AsyncSession, ref: str, pointer: str = "/programme") -> Programme:
    """A programme named in a request body: unknown is 422 naming the field, inactive is 409."""
    programme = await find_programme(session, ref)
    if programme is None:
        raise InvalidInput(f"No programme {ref}.", [{"pointer": pointer, "detail": "unknown programme"}])
    if not programme.active:
        raise Conflict(f"The programme {programme.code} is no longer active.")
    return programme


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (jsonable(v) if k in JSON_FIELDS else v) for k, v in data.items()}


async def create_programme(
    session: AsyncSession, actor: Principal | Actor, *, data: ProgrammeCreate, check: bool = True
) -> Programme:
    """A new programme, with its phase templates and rules."""
    if check:
        require(actor, Perm.programmes_write)  # type: ignore[arg-type]
    if await find_programme(session, data.code) is not None:
        raise Conflict(f"A programme with code {data.code} exists.")
    programme = Programme(**_values(data.model_dump(mode="json") | {"co_financing_ratio": data.co_financing_ratio}))
    session.add(programme)
    await session.flush()
    await record_change(
        session,
        actor,
        action="create",
        resource_type="programme",
        resource_id=str(programme.id),
        changes=diff({}, _snapshot(programme)),
        concerns=Concerns(),
        version=programme.version,
    )
    return programme


async def update_programme(
    session: AsyncSession, principal: Principal, *, ref: str, data: ProgrammeUpdate, if_match: str | None
) -> Programme:
    """Edit a programme; `phases` and `limits` are replaced whole. Running enrolments keep their phases."""
    programme = await get_programme(session, principal, ref=ref)
    require(principal, Perm.programmes_write)
    check_if_match(if_match, programme.version)
    changes = data.model_dump(exclude_unset=True, mode="json")
    if "co_financing_ratio" in changes:
        changes["co_financing_ratio"] = data.co_financing_ratio
    for field in ("name", "active", "phases", "limits", "offer_roles", "eligible_owner_kinds"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null.", [{"pointer": f"/{field}", "detail": "cannot be null"}])
    before = _snapshot(programme)
    for field, value in _values(changes).items():
        setattr(programme, field, value)
    delta = diff(before, _snapshot(programme))
    if delta:
        await session.flush()
        await record_change(
            session,
            principal,
            action="update",
            resource_type="programme",
            resource_id=str(programme.id),
            changes=delta,
            concerns=Concerns(),
            version=programme.version,
        )
    return programme


async def load_shipped_programmes(session: AsyncSession, actor: Actor) -> dict[str, int]:
    """Create the shipped programmes that are missing; never overwrite what the directorate has edited."""
    text = resources.files("app.programmes").joinpath("data", "programmes.json").read_text(encoding="utf-8")
    created = 0
    for entry in json.loads(text):
        data = ProgrammeCreate.model_validate(entry)
        if await find_programme(session, data.code) is None:
            await create_programme(session, actor, data=data, check=False)
            created += 1
    return {"programme": created} if created else {}
