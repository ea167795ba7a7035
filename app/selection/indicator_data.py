"""Indicator values per school, indicator and school year (rule 6): scoped reads and the bulk import.

A value is a number, `*` for suppressed (too few pupils to publish) or empty for missing; neither of the
last two is zero, and neither counts in a school's share of risk points (rule 7).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, record_change
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.bulk import Progress, execute_many, table_of, update_by_key
from app.core.tabular import RowErrors, read_table
from app.db.types import utcnow
from app.reference.models import School
from app.reference.schools import ImportReport
from app.reference.service import ListQuery
from app.selection.indicators import INDICATORS
from app.selection.models import IndicatorValue

REQUIRED = ("school_id", "indicator", "school_year", "value")
SUPPRESSED = ("*", "suppressed")
_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
THOUSANDTH = Decimal("0.001")


def valid_school_year(text: str) -> bool:
    m = _YEAR.match(text)
    return m is not None and int(m.group(2)) == int(m.group(1)) + 1


def list_values(
    principal: Principal,
    *,
    school: str | None,
    school_owner: str | None,
    county: str | None,
    indicator: str | None,
    school_year: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(IndicatorValue).where(policy.owned(principal, IndicatorValue))
    for column, value in (
        (IndicatorValue.school_id, school),
        (IndicatorValue.school_owner_id, school_owner),
        (IndicatorValue.county_id, county),
        (IndicatorValue.indicator, indicator),
        (IndicatorValue.school_year, school_year),
    ):
        if value:
            stmt = stmt.where(column == value)
    if updated_since:
        stmt = stmt.where(IndicatorValue.updated_at >= updated_since)
    return ListQuery(stmt, (IndicatorValue.school_id, IndicatorValue.indicator, IndicatorValue.school_year))


def _value(code: str, text: str, row: int, errors: RowErrors) -> tuple[str, Decimal | None]:
    if text == "":
        return "missing", None
    if text.lower() in SUPPRESSED:
        return "suppressed", None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        errors.add(row, "value", "not a number (use * for suppressed, leave empty for missing)")
        return "present", None
    if not value.is_finite():
        errors.add(row, "value", "not a number")
        return "present", None
    indicator = INDICATORS.get(code)
    if indicator and not indicator.low <= value <= indicator.high:
        errors.add(row, "value", f"out of range for {code} ({indicator.low}-{indicator.high})")
    if value != value.quantize(THOUSANDTH):
        errors.add(row, "value", "at most three decimals")
    return "present", value


async def import_values(
    session: AsyncSession,
    principal: Principal,
    *,
    body: bytes,
    content_type: str | None,
    progress: Progress | None = None,
) -> ImportReport:
    """Create or update indicator values; any bad row means nothing is imported. The same file twice changes nothing."""
    require(principal, Perm.reference_write)
    table = read_table(body, content_type, REQUIRED, ())
    schools = {
        r.id: r for r in (await session.execute(sa.select(School.id, School.school_owner_id, School.county_id))).all()
    }
    errors = RowErrors()
    wanted: dict[tuple[str, str, str], tuple[str, Decimal | None]] = {}
    for row, cells in table.rows:
        sid, code, year = cells["school_id"], cells["indicator"], cells["school_year"]
        if sid not in schools:
            errors.add(row, "school_id", "unknown school")
        if code not in INDICATORS:
            errors.add(row, "indicator", "unknown indicator")
        if not valid_school_year(year):
            errors.add(row, "school_year", "a school year is written 2023-2024")
        key = (sid, code, year)
        if key in wanted:
            errors.add(row, "school_id", f"the same school, indicator and school year appear twice ({code} {year})")
        wanted[key] = _value(code, cells["value"], row, errors)
    errors.raise_if_any()

    years = sorted({k[2] for k in wanted})
    t = table_of(IndicatorValue)
    existing = {
        (r.school_id, r.indicator, r.school_year): r
        for r in (
            await session.execute(
                sa.select(t.c.school_id, t.c.indicator, t.c.school_year, t.c.value, t.c.status, t.c.version).where(
                    t.c.school_year.in_(years)
                )
            )
        ).all()
    }
    now = utcnow()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for (sid, code, year), (status, value) in wanted.items():
        old = existing.get((sid, code, year))
        if old is None:
            school = schools[sid]
            inserts.append(
                {
                    "school_id": sid,
                    "indicator": code,
                    "school_year": year,
                    "value": value,
                    "status": status,
                    "school_owner_id": school.school_owner_id,
                    "county_id": school.county_id,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        elif old.status != status or old.value != value:
            updates.append(
                {
                    "_school_id": sid,
                    "_indicator": code,
                    "_school_year": year,
                    "value": value,
                    "status": status,
                    "updated_at": now,
                    "version": old.version + 1,
                }
            )
        elif progress:
            progress(1)
    await execute_many(session, sa.insert(t), inserts, progress)
    keys = ("school_id", "indicator", "school_year")
    await execute_many(session, update_by_key(t, keys, ("value", "status", "updated_at", "version")), updates, progress)
    report = ImportReport(
        rows=len(table.rows),
        created=len(inserts),
        updated=len(updates),
        unchanged=len(wanted) - len(inserts) - len(updates),
    )
    if inserts or updates:
        await record_change(
            session,
            principal,
            action="import",
            resource_type="indicator_value",
            resource_id="import",
            changes={"created": report.created, "updated": report.updated, "school_years": years},
            concerns=Concerns(),
        )
    return report
