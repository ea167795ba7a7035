"""Recipients' reports, and the statistics endpoints (JSON, CSV or XLSX)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel, Field

from app.core.etag import etag_of
from app.core.listing import export_format, export_response, respond_item, respond_list
from app.core.openapi import CSV_CONTENT, list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, IfMatch, PageDep, PrincipalDep, SessionDep
from app.programmes.service import programme_filter
from app.reports import service, statistics
from app.reports.schemas import ReportCreate, ReportRead, ReportReview, ReportStatus, ReportUpdate

router = DomainRouter(tags=["reports and statistics"])
ReportId = Annotated[str, Path(description="Report id (UUID).")]
ProgrammeQ = Annotated[str | None, Query(examples=["desentralisert"])]
YearQ = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/reports", response_model=Page[ReportRead], responses=list_responses())
async def list_reports(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    status: Annotated[ReportStatus | None, Query()] = None,
    overdue: Annotated[bool | None, Query(description="true: not submitted (or returned) and past due.")] = None,
    recipient: Annotated[str | None, Query(examples=["NO-4601"])] = None,
    county_governor: Annotated[str | None, Query(examples=["974760665"])] = None,
    year: YearQ = None,
    allocation: Annotated[str | None, Query(description="Reports on this allocation.")] = None,
    updated_since: UpdatedSince = None,
):
    """Reports the caller may see (its own; its region's), sorted by (updated_at, id)."""
    q = await service.list_reports(
        session,
        principal,
        status=status,
        overdue=overdue,
        recipient=recipient,
        region=county_governor,
        year=year,
        allocation=allocation,
        updated_since=updated_since,
    )
    return await respond_list(
        request, response, session, stmt=q.stmt, order=q.order, page=page, schema=ReportRead, to_item=ReportRead.of
    )


@router.post("/reports", response_model=ReportRead, status_code=201, responses=write_responses())
async def create_report(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: ReportCreate,
):
    """A recipient's report on its allocation (or a school owner's on its enrolment), as a draft."""
    r = await service.create_report(session, principal, data=body)
    return idem.created(response, ReportRead.of(r), f"{request.url.path}/{r.id}", r.version)


@router.get("/reports/{report_id}", response_model=ReportRead, responses=read_responses())
async def get_report(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, report_id: ReportId
):
    """One report."""
    r = await service.get_report(session, principal, report_id=report_id)
    return respond_item(request, response, ReportRead.of(r), r.version)


@router.patch("/reports/{report_id}", response_model=ReportRead, responses=write_responses(412, 428))
async def update_report(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    report_id: ReportId,
    body: ReportUpdate,
    if_match: IfMatch = None,
):
    """Change a draft or returned report (the recipient; If-Match)."""
    r = await service.update_report(session, principal, report_id=report_id, data=body, if_match=if_match)
    response.headers["ETag"] = etag_of(r.version)
    return ReportRead.of(r)


@router.post("/reports/{report_id}/submit", response_model=ReportRead, responses=write_responses())
async def submit_report(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    report_id: ReportId,
):
    """Submit for review; spending above the allocation or co-financing below the requirement is flagged."""
    r = await service.submit_report(session, principal, report_id=report_id)
    return idem.done(response, ReportRead.of(r), r.version)


@router.post("/reports/{report_id}/accept", response_model=ReportRead, responses=write_responses())
async def accept_report(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    report_id: ReportId,
    body: ReportReview | None = None,
):
    """Accept a submitted report (its grantor: the county governor of the region; the directorate any)."""
    r = await service.review_report(session, principal, report_id=report_id, data=body or ReportReview(), accept=True)
    return idem.done(response, ReportRead.of(r), r.version)


@router.post("/reports/{report_id}/return", response_model=ReportRead, responses=write_responses())
async def return_report(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    report_id: ReportId,
    body: ReportReview,
):
    """Return a submitted report with a comment."""
    r = await service.review_report(session, principal, report_id=report_id, data=body, accept=False)
    return idem.done(response, ReportRead.of(r), r.version)


class Statistics(BaseModel):
    group_by: list[str] = Field(examples=[["county_governor"]])
    rows: list[dict[str, Any]] = Field(
        description="One row per group: the group's keys and its figures (money as exact decimal strings).",
        examples=[
            [{"level": "to_region", "county_governor": "974760665", "allocations": 1, "allocated": "10000000.00"}]
        ],
    )


STAT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": CSV_CONTENT, "description": "JSON; CSV or XLSX when asked with Accept."}
}


def _answer(request: Request, group_by: list[str], rows: list[dict[str, Any]], columns: list[str]) -> Any:
    fmt = export_format(request)
    if fmt is None:
        return Statistics(group_by=group_by, rows=rows)

    async def batch() -> AsyncIterator[list[Any]]:
        yield [SimpleNamespace(**row) for row in rows]

    return export_response(fmt, columns, batch())


GroupBy = Annotated[str | None, Query(description="Comma-separated dimensions.")]


@router.get("/statistics/allocations", response_model=Statistics, responses={**STAT_RESPONSES, **list_responses()})
async def allocation_statistics(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    group_by: GroupBy = None,
    programme: ProgrammeQ = None,
    year: YearQ = None,
):
    """Allocated, disbursed, reported spent and co-financing required / committed / delivered, by `level` and
    any of programme, year, county_governor, county, recipient_kind (default: county_governor)."""
    groups = statistics.parse_groups(group_by, statistics.ALLOCATION_GROUPS, ["county_governor"])
    rows = await statistics.allocation_statistics(
        session, principal, group_by=groups, programme_id=await programme_filter(session, programme), year=year
    )
    return _answer(request, groups, rows, ["level", *groups, "allocations", *statistics.MONEY_FIELDS])


@router.get("/statistics/enrolments", response_model=Statistics, responses={**STAT_RESPONSES, **list_responses()})
async def enrolment_statistics(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    group_by: GroupBy = None,
    programme: ProgrammeQ = None,
):
    """Enrolments counted by any of programme, phase (the active one), status, county (default: programme, status)."""
    groups = statistics.parse_groups(group_by, statistics.ENROLMENT_GROUPS, ["programme", "status"])
    rows = await statistics.enrolment_statistics(
        session, principal, group_by=groups, programme_id=await programme_filter(session, programme)
    )
    return _answer(request, groups, rows, [*groups, "enrolments"])


@router.get("/statistics/reports", response_model=Statistics, responses={**STAT_RESPONSES, **list_responses()})
async def report_statistics(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    group_by: GroupBy = None,
    programme: ProgrammeQ = None,
    year: YearQ = None,
):
    """Reports due, submitted, accepted, returned, overdue and flagged, by region (or programme, year, county)."""
    groups = statistics.parse_groups(group_by, statistics.REPORT_GROUPS, ["county_governor"])
    rows = await statistics.report_statistics(
        session, principal, group_by=groups, programme_id=await programme_filter(session, programme), year=year
    )
    columns = [*groups, "due", "submitted", "accepted", "returned", "overdue", "flagged"]
    return _answer(request, groups, rows, columns)
