"""Statistics for dashboards and reporting clients: grouped sums and counts, each inside the caller's scope.

Allocation figures are always split by `level` (`to_region`: the directorate to county governors;
`to_recipient`: county governors on to school owners and universities) so that no krone is counted twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import policy
from app.auth.principal import Principal
from app.core.errors import InvalidInput
from app.enrolments.models import Enrolment, EnrolmentPhase
from app.funding.models import Allocation
from app.programmes.models import Programme
from app.reports.models import Report

ALLOCATION_GROUPS = {
    "programme": Programme.code,
    "year": Allocation.year,
    "county_governor": Allocation.region_id,
    "county": Allocation.county_id,
    "recipient_kind": Allocation.recipient_kind,
}
ENROLMENT_GROUPS = ("programme", "phase", "status", "county")
REPORT_GROUPS = {
    "county_governor": Report.region_id,
    "programme": Programme.code,
    "year": Report.year,
    "county": Report.county_id,
}
MONEY_FIELDS = (
    "allocated",
    "disbursed",
    "reported_spent",
    "co_financing_required",
    "co_financing_committed",
    "co_financing_delivered",
)


def parse_groups(raw: str | None, allowed: Any, default: list[str]) -> list[str]:
    groups = [g.strip() for g in raw.split(",") if g.strip()] if raw else default
    bad = [g for g in groups if g not in allowed]
    if bad or len(set(groups)) != len(groups):
        raise InvalidInput(
            f"group_by takes {', '.join(allowed)} (each once).",
            [{"pointer": "group_by", "detail": f"unknown or repeated: {', '.join(bad) or 'repeated'} (query)"}],
        )
    return groups


CENT = Decimal("0.01")


def _exact(name: str, value: Any) -> Any:
    """Sums of money as exact two-place decimals (SQLite sums NUMERIC as floating point: quantize to the øre)."""
    if name in MONEY_FIELDS:
        return Decimal(str(value or 0)).quantize(CENT)
    return value


async def _rows(session: AsyncSession, stmt: Any, names: list[str]) -> list[dict[str, Any]]:
    return [{n: _exact(n, v) for n, v in zip(names, row, strict=True)} for row in (await session.execute(stmt)).all()]


async def allocation_statistics(
    session: AsyncSession, principal: Principal, *, group_by: list[str], programme_id: Any, year: int | None
) -> list[dict[str, Any]]:
    a = Allocation
    level = sa.case((a.parent_id.is_(None), "to_region"), else_="to_recipient")
    keys = [level.label("level"), *[ALLOCATION_GROUPS[g].label(g) for g in group_by]]
    paid = a.status.in_(("disbursed", "closed"))
    metrics = [
        sa.func.count().label("allocations"),
        sa.func.sum(a.amount).label("allocated"),
        sa.func.coalesce(sa.func.sum(sa.case((paid, a.amount), else_=0)), 0).label("disbursed"),
        sa.func.sum(a.reported_spent).label("reported_spent"),
        sa.func.sum(a.co_financing_required).label("co_financing_required"),
        sa.func.sum(a.co_financing_committed).label("co_financing_committed"),
        sa.func.sum(a.co_financing_delivered).label("co_financing_delivered"),
    ]
    stmt = (
        sa.select(*keys, *metrics)
        .join(Programme, Programme.id == a.programme_id)
        .where(policy.allocations(principal))
        .group_by(*keys)
        .order_by(*keys)
    )
    if programme_id is not None:
        stmt = stmt.where(a.programme_id == programme_id)
    if year:
        stmt = stmt.where(a.year == year)
    return await _rows(session, stmt, ["level", *group_by, "allocations", *MONEY_FIELDS])


async def enrolment_statistics(
    session: AsyncSession, principal: Principal, *, group_by: list[str], programme_id: Any
) -> list[dict[str, Any]]:
    phase = (
        sa.select(EnrolmentPhase.code)
        .where(EnrolmentPhase.enrolment_id == Enrolment.id, EnrolmentPhase.status == "active")
        .limit(1)
        .scalar_subquery()
    )
    columns = {
        "programme": Programme.code,
        "phase": sa.func.coalesce(phase, "none"),
        "status": Enrolment.status,
        "county": Enrolment.county_id,
    }
    keys: list[Any] = [columns[g].label(g) for g in group_by]
    stmt = (
        sa.select(*keys, sa.func.count().label("enrolments"))
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(policy.owned(principal, Enrolment))
        .group_by(*keys)
        .order_by(*keys)
    )
    if programme_id is not None:
        stmt = stmt.where(Enrolment.programme_id == programme_id)
    return await _rows(session, stmt, [*group_by, "enrolments"])


async def report_statistics(
    session: AsyncSession, principal: Principal, *, group_by: list[str], programme_id: Any, year: int | None
) -> list[dict[str, Any]]:
    keys = [REPORT_GROUPS[g].label(g) for g in group_by]
    late = sa.and_(Report.status.in_(("draft", "returned")), Report.due_on < date.today())

    def count(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    metrics = [
        sa.func.count().label("due"),
        count(Report.status.in_(("submitted", "accepted"))).label("submitted"),
        count(Report.status == "accepted").label("accepted"),
        count(Report.status == "returned").label("returned"),
        count(late).label("overdue"),
        count(sa.func.json_array_length(Report.flags) > 0).label("flagged"),
    ]
    stmt = (
        sa.select(*keys, *metrics)
        .join(Programme, Programme.id == Report.programme_id)
        .where(policy.reports(principal))
        .group_by(*keys)
        .order_by(*keys)
    )
    if programme_id is not None:
        stmt = stmt.where(Report.programme_id == programme_id)
    if year:
        stmt = stmt.where(Report.year == year)
    return await _rows(session, stmt, [*group_by, "due", "submitted", "accepted", "returned", "overdue", "flagged"])
