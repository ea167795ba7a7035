"""Recipients' reports (rule 12): draft -> submitted -> accepted or returned; the reviewer is the grantor.

A submitted report whose spending exceeds its allocation, or whose delivered co-financing is below the
requirement, is flagged (and counted in the statistics), never silently accepted. The allocation's
`reported_spent` and `co_financing_delivered` sum its submitted and accepted reports.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.core.etag import check_if_match
from app.db.types import utcnow
from app.enrolments.models import Enrolment
from app.enrolments.service.common import get_owned, parse_uuid, query_uuid
from app.funding.models import Allocation
from app.plans.models import DevelopmentPlan, PlanMeasure
from app.programmes.models import Programme
from app.reference.models import RegionCounty
from app.reference.service import ListQuery
from app.reports.models import Report
from app.reports.schemas import ReportCreate, ReportFields, ReportReview, ReportUpdate

AUDITED = ["status", "spent_total", "co_financing_delivered", "evaluation", "flags", "review_comment"]
COUNTED = ("submitted", "accepted")


def due_on(programme: Programme, year: int) -> date:
    month, day = (programme.limit("report_due") or "03-01").split("-")
    return date(year + 1, int(month), int(day))


async def list_reports(
    session: AsyncSession,
    principal: Principal,
    *,
    status: str | None,
    overdue: bool | None,
    recipient: str | None,
    region: str | None,
    year: int | None,
    allocation: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Report).where(policy.reports(principal))
    late = sa.and_(Report.status.in_(("draft", "returned")), Report.due_on < date.today())
    if overdue is not None:
        stmt = stmt.where(late if overdue else sa.not_(late))
    for column, value in (
        (Report.status, status),
        (Report.recipient_id, recipient),
        (Report.region_id, region),
        (Report.year, year),
    ):
        if value:
            stmt = stmt.where(column == value)
    if allocation:
        stmt = stmt.where(Report.allocation_id == query_uuid(allocation, "allocation"))
    if updated_since:
        stmt = stmt.where(Report.updated_at >= updated_since)
    return ListQuery(stmt, (Report.updated_at, Report.id))


async def get_report(session: AsyncSession, principal: Principal, *, report_id: str) -> Report:
    found = await session.scalar(
        sa.select(Report).where(Report.id == parse_uuid(report_id, "report"), policy.reports(principal))
    )
    if found is None:
        raise NotFound(f"No report {report_id}.")
    return found


async def _audit(session: AsyncSession, principal: Principal, r: Report, action: str, before: dict[str, Any]) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type="report",
        resource_id=str(r.id),
        changes=diff(before, snapshot(r, AUDITED)),
        concerns=Concerns(subject_org_id=r.recipient_id, county_id=r.county_id, programme_id=r.programme_id),
        version=r.version,
    )


async def open_report_for(session: AsyncSession, principal: Principal, a: Allocation) -> Report:
    """A disbursed allocation owes a report: a draft for the recipient, due when the programme says."""
    programme = await session.get(Programme, a.programme_id)
    assert programme is not None
    r = Report(
        allocation_id=a.id,
        programme_id=a.programme_id,
        year=a.year,
        recipient_id=a.recipient_id,
        region_id=a.region_id,
        reviewer_id=a.grantor_id,
        county_id=a.county_id,
        period_start=date(a.year, 1, 1),
        period_end=date(a.year, 12, 31),
        due_on=due_on(programme, a.year),
        status="draft",
    )
    session.add(r)
    await _audit(session, principal, r, "create", {})
    return r


async def _apply(session: AsyncSession, r: Report, data: ReportFields) -> None:
    changes = data.model_dump(exclude_unset=True)
    if "spending" in changes:
        lines = data.spending or []
        r.spending = [{"category": s.category, "amount": str(s.amount)} for s in lines]
        r.spent_total = sum((s.amount for s in lines), Decimal("0.00"))
    if "co_financing_delivered" in changes:
        r.co_financing_delivered = data.co_financing_delivered or Decimal("0.00")
    if "evaluation" in changes:
        r.evaluation = data.evaluation
    if "measures" in changes:
        done = data.measures or []
        found = {
            m.id: m.title
            for m in (
                await session.scalars(
                    sa.select(PlanMeasure)
                    .join(DevelopmentPlan, DevelopmentPlan.id == PlanMeasure.plan_id)
                    .where(
                        PlanMeasure.id.in_([m.measure_id for m in done]),
                        DevelopmentPlan.school_owner_id == r.recipient_id,
                    )
                )
            ).all()
        }
        bad = [
            {"pointer": f"/measures/{i}/measure_id", "detail": "not a measure of the recipient's plans"}
            for i, m in enumerate(done)
            if m.measure_id not in found
        ]
        if bad:
            raise InvalidInput("Unknown plan measures.", bad)
        r.measures = [{"measure_id": str(m.measure_id), "title": found[m.measure_id], "note": m.note} for m in done]


async def create_report(session: AsyncSession, principal: Principal, *, data: ReportCreate) -> Report:
    """A recipient reports on its allocation, or a school owner on its enrolment."""
    require(principal, Perm.reports_write)
    if data.allocation_id is not None:
        a = await session.scalar(
            sa.select(Allocation).where(Allocation.id == data.allocation_id, policy.allocations(principal))
        )
        if a is None:
            raise InvalidInput("Unknown allocation.", [{"pointer": "/allocation_id", "detail": "unknown allocation"}])
        policy.require_acting_org(principal, a.recipient_id, "A recipient reports on its own allocations only.")
        programme = await session.get(Programme, a.programme_id)
        assert programme is not None
        fields: dict[str, Any] = {
            "programme_id": a.programme_id,
            "year": a.year,
            "recipient_id": a.recipient_id,
            "region_id": a.region_id,
            "reviewer_id": a.grantor_id,
            "county_id": a.county_id,
        }
    else:
        e = await get_owned(session, principal, Enrolment, str(data.enrolment_id), "enrolment")
        policy.require_acting_org(principal, e.school_owner_id, "A school owner reports on its own enrolments only.")
        governor = await session.scalar(
            sa.select(RegionCounty.organisation_id).where(RegionCounty.county_id == e.county_id)
        )
        programme = await session.get(Programme, e.programme_id)
        assert programme is not None and governor is not None
        fields = {
            "programme_id": e.programme_id,
            "year": data.period_start.year,
            "recipient_id": e.school_owner_id,
            "region_id": governor,
            "reviewer_id": governor,
            "county_id": e.county_id,
        }
    r = Report(
        allocation_id=data.allocation_id,
        enrolment_id=data.enrolment_id,
        period_start=data.period_start,
        period_end=data.period_end,
        due_on=due_on(programme, fields["year"]),
        status="draft",
        **fields,
    )
    await _apply(session, r, data)
    session.add(r)
    await _audit(session, principal, r, "create", {})
    return r


def _editable(r: Report) -> None:
    if r.status not in ("draft", "returned"):
        raise RuleViolation("report-status", f"The report is {r.status}; only a draft or returned report changes.")


async def update_report(
    session: AsyncSession, principal: Principal, *, report_id: str, data: ReportUpdate, if_match: str | None
) -> Report:
    require(principal, Perm.reports_write)
    r = await get_report(session, principal, report_id=report_id)
    policy.require_acting_org(principal, r.recipient_id, "Only the recipient changes its report.")
    check_if_match(if_match, r.version)
    _editable(r)
    before = snapshot(r, AUDITED)
    await _apply(session, r, data)
    await _audit(session, principal, r, "update", before)
    return r


async def _recount(session: AsyncSession, allocation_id: Any) -> None:
    """The allocation's reported spending and delivered co-financing: its submitted and accepted reports."""
    if allocation_id is None:
        return
    spent, delivered = (
        await session.execute(
            sa.select(
                sa.func.coalesce(sa.func.sum(Report.spent_total), 0),
                sa.func.coalesce(sa.func.sum(Report.co_financing_delivered), 0),
            ).where(Report.allocation_id == allocation_id, Report.status.in_(COUNTED))
        )
    ).one()
    a = await session.get(Allocation, allocation_id)
    assert a is not None
    a.reported_spent, a.co_financing_delivered = Decimal(spent), Decimal(delivered)


async def submit_report(session: AsyncSession, principal: Principal, *, report_id: str) -> Report:
    """Submit for review; spending above the allocation or co-financing below the requirement is flagged."""
    require(principal, Perm.reports_write)
    r = await get_report(session, principal, report_id=report_id)
    policy.require_acting_org(principal, r.recipient_id, "Only the recipient submits its report.")
    _editable(r)
    before = snapshot(r, AUDITED)
    flags = []
    if r.allocation_id is not None:
        a = await session.get(Allocation, r.allocation_id)
        assert a is not None
        others = await session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(Report.spent_total), 0)).where(
                Report.allocation_id == a.id, Report.status.in_(COUNTED), Report.id != r.id
            )
        )
        if Decimal(others or 0) + r.spent_total > a.amount:
            flags.append("spending-exceeds-allocation")
        if r.co_financing_delivered < a.co_financing_required:
            flags.append("co-financing-below-requirement")
    r.flags = flags
    r.status = "submitted"
    r.submitted_at = utcnow()
    await _audit(session, principal, r, "submit", before)
    await _recount(session, r.allocation_id)
    return r


async def review_report(
    session: AsyncSession, principal: Principal, *, report_id: str, data: ReportReview, accept: bool
) -> Report:
    """The reviewer (the grantor; the directorate may review any) accepts or returns a submitted report."""
    require(principal, Perm.reports_review)
    r = await get_report(session, principal, report_id=report_id)
    policy.require_reviewer(principal, r.reviewer_id, "The report is reviewed by its grantor.")
    if r.status != "submitted":
        raise RuleViolation("report-status", f"The report is {r.status}; only a submitted report is reviewed.")
    if not accept and not (data.comment or "").strip():
        raise InvalidInput("Say why the report is returned.", [{"pointer": "/comment", "detail": "required"}])
    before = snapshot(r, AUDITED)
    r.status = "accepted" if accept else "returned"
    r.reviewed_at = utcnow()
    r.reviewed_by = principal.client_id
    r.review_comment = data.comment
    await _audit(session, principal, r, "accept" if accept else "return", before)
    await _recount(session, r.allocation_id)
    return r
