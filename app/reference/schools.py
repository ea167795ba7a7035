"""Schools under their school owners: reference data, read as the owner's, imported in bulk by the directorate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, record_change
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.bulk import Progress, execute_many, rows_in, table_of, update_by_key
from app.core.errors import NotFound
from app.core.tabular import RowErrors, read_table
from app.db.types import utcnow
from app.reference.ids import municipality_id
from app.reference.models import SCHOOL_OWNER_KINDS, Municipality, Organisation, School
from app.reference.orgnr import valid_orgnr
from app.reference.service import ListQuery

REQUIRED = ("id", "name", "school_owner_id", "grade_from", "grade_to")
OPTIONAL = ("municipality_id", "active")
FIELDS = ("name", "school_owner_id", "county_id", "municipality_id", "grade_from", "grade_to", "active")


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def list_schools(
    principal: Principal,
    *,
    school_owner: str | None,
    municipality: str | None,
    county: str | None,
    active: bool | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(School).where(policy.owned(principal, School))
    if school_owner:
        stmt = stmt.where(School.school_owner_id == (municipality_id(school_owner) or school_owner))
    if municipality:
        stmt = stmt.where(School.municipality_id == (municipality_id(municipality) or municipality))
    if county:
        stmt = stmt.where(School.county_id == county)
    if active is not None:
        stmt = stmt.where(School.active == active)
    if updated_since:
        stmt = stmt.where(School.updated_at >= updated_since)
    return ListQuery(stmt, (School.id,))


async def get_school(session: AsyncSession, principal: Principal, *, school_id: str) -> School:
    found = await session.scalar(sa.select(School).where(School.id == school_id, policy.owned(principal, School)))
    if found is None:
        raise NotFound(f"No school {school_id}.")
    return found


async def _owners(session: AsyncSession) -> dict[str, Organisation]:
    """School owners by id, organisation number and (for municipalities) bare number."""
    out: dict[str, Organisation] = {}
    for org in (await session.scalars(sa.select(Organisation).where(Organisation.kind.in_(SCHOOL_OWNER_KINDS)))).all():
        out[org.id] = org
        if org.orgnr:
            out[org.orgnr] = org
        if org.id.startswith("NO-"):
            out[org.id[3:]] = org
    return out


def _int(cells: dict[str, str], column: str, row: int, errors: RowErrors) -> int | None:
    try:
        value = int(cells[column])
    except ValueError:
        errors.add(row, column, "not a whole number")
        return None
    if not 1 <= value <= 13:
        errors.add(row, column, "a grade is 1-13")
        return None
    return value


def _bool(text: str) -> bool | None:
    return {"": True, "true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}.get(text.lower())


async def import_schools(
    session: AsyncSession,
    principal: Principal,
    *,
    body: bytes,
    content_type: str | None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update schools from a file; any bad row means nothing is imported (422 naming every one)."""
    require(principal, Perm.reference_write)
    table = read_table(body, content_type, REQUIRED, OPTIONAL)
    owners = await _owners(session)
    places: dict[str, str] = {
        mid: cid for mid, cid in (await session.execute(sa.select(Municipality.id, Municipality.county_id))).all()
    }
    errors = RowErrors()
    wanted: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for row, cells in table.rows:
        sid = cells["id"]
        if not valid_orgnr(sid):
            errors.add(row, "id", "not a valid organisation number (nine digits, MOD11)")
        elif sid in seen:
            errors.add(row, "id", "the same school appears twice in the file")
        seen.add(sid)
        if not cells["name"]:
            errors.add(row, "name", "required")
        owner = owners.get(cells["school_owner_id"])
        if owner is None:
            errors.add(row, "school_owner_id", "unknown school owner")
        grade_from = _int(cells, "grade_from", row, errors)
        grade_to = _int(cells, "grade_to", row, errors)
        if grade_from and grade_to and grade_to < grade_from:
            errors.add(row, "grade_to", "below grade_from")
        place = municipality_id(cells.get("municipality_id") or "") if cells.get("municipality_id") else None
        if cells.get("municipality_id") and place not in places:
            errors.add(row, "municipality_id", "unknown municipality")
        active = _bool(cells.get("active", ""))
        if active is None:
            errors.add(row, "active", "true or false")
        if owner is None or errors.count:
            continue
        where = place or owner.municipality_id
        wanted[sid] = {
            "name": cells["name"],
            "school_owner_id": owner.id,
            "municipality_id": where,
            "county_id": places.get(where) if where else owner.county_id,
            "grade_from": grade_from,
            "grade_to": grade_to,
            "active": active,
        }
    errors.raise_if_any()
    existing = {r.id: r for r in await rows_in(session, sa.select(table_of(School)), School.id, list(wanted))}
    now = utcnow()
    inserts, updates, unchanged = [], [], 0
    for sid, values in wanted.items():
        old = existing.get(sid)
        if old is None:
            inserts.append({"id": sid, **values, "created_at": now, "updated_at": now, "version": 1})
        elif any(getattr(old, f) != values[f] for f in FIELDS):
            updates.append({"_id": sid, **values, "updated_at": now, "version": old.version + 1})
        else:
            unchanged += 1
            if progress:
                progress(1)
    table_ = table_of(School)
    await execute_many(session, sa.insert(table_), inserts, progress)
    await execute_many(session, update_by_key(table_, ("id",), (*FIELDS, "updated_at", "version")), updates, progress)
    report = ImportReport(rows=len(table.rows), created=len(inserts), updated=len(updates), unchanged=unchanged)
    if inserts or updates:
        await record_change(
            session,
            principal,
            action="import",
            resource_type="school",
            resource_id="import",
            changes={"created": len(inserts), "updated": len(updates)},
            concerns=Concerns(),
        )
    return report
