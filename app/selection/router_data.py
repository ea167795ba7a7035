"""Schools and their indicator values: scoped lists, and the bulk imports (CSV or XLSX) of the directorate."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import UpdatedSince
from app.core.routing import DomainRouter
from app.core.tabular import IMPORT_BODY
from app.deps import DryRunDep, IdempotencyDep, PageDep, PrincipalDep, SessionDep
from app.reference import schools
from app.selection import indicator_data
from app.selection.indicators import INDICATORS
from app.selection.schemas import ImportResult, IndicatorValueRead, SchoolRead

router = DomainRouter(tags=["schools and indicator data"])
County = Annotated[str | None, Query(description="County id.", examples=["NO-55"])]
SchoolOwner = Annotated[str | None, Query(description="School owner id.", examples=["NO-5501"])]

SCHOOLS_FORMAT = (
    "Columns: `id` (organisation number), `name`, `school_owner_id` (e.g. `NO-5501`), `grade_from`, `grade_to`, "
    "and optionally `municipality_id` (where the school lies, default the owner's) and `active` (true/false)."
)
VALUES_FORMAT = (
    "Columns: `school_id`, `indicator` (one of " + ", ".join(f"`{c}`" for c in INDICATORS) + "), `school_year` "
    "(`2024-2025`), `value`: a number, `*` when suppressed (too few pupils), empty when missing."
)


def _result(report: schools.ImportReport) -> ImportResult:
    return ImportResult(rows=report.rows, created=report.created, updated=report.updated, unchanged=report.unchanged)


@router.get("/schools", response_model=Page[SchoolRead], responses=list_responses())
async def list_schools(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    school_owner: SchoolOwner = None,
    municipality: Annotated[str | None, Query(examples=["NO-5501"])] = None,
    county: County = None,
    active: bool | None = None,
    updated_since: UpdatedSince = None,
):
    """Schools the caller may see (its own; its region's; its partners'), sorted by id."""
    q = schools.list_schools(
        principal,
        school_owner=school_owner,
        municipality=municipality,
        county=county,
        active=active,
        updated_since=updated_since,
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=SchoolRead,
        to_item=SchoolRead.model_validate,
    )


@router.get("/schools/{school_id}", response_model=SchoolRead, responses=read_responses())
async def get_school(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    school_id: Annotated[str, Path(description="The school's organisation number.")],
):
    """One school."""
    s = await schools.get_school(session, principal, school_id=school_id)
    return respond_item(request, response, SchoolRead.model_validate(s), s.version)


@router.post(
    "/schools/import",
    response_model=ImportResult,
    responses=write_responses(413),
    openapi_extra={"requestBody": IMPORT_BODY},
    description="Create or update schools from a CSV or XLSX file (the directorate). "
    + SCHOOLS_FORMAT
    + " Any bad row answers 422 naming its row, column and reason, and nothing is imported.",
)
async def import_schools(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
):
    """Import schools (CSV or XLSX)."""
    report = await schools.import_schools(
        session, principal, body=await request.body(), content_type=request.headers.get("content-type")
    )
    return idem.done(response, _result(report))


@router.get("/indicator-values", response_model=Page[IndicatorValueRead], responses=list_responses())
async def list_indicator_values(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    school: Annotated[str | None, Query(examples=["974567890"])] = None,
    school_owner: SchoolOwner = None,
    county: County = None,
    indicator: Annotated[str | None, Query(examples=["survey_bullying_7"])] = None,
    school_year: Annotated[str | None, Query(examples=["2024-2025"])] = None,
    updated_since: UpdatedSince = None,
):
    """Indicator values of the schools the caller may see, sorted by (school, indicator, school year)."""
    q = indicator_data.list_values(
        principal,
        school=school,
        school_owner=school_owner,
        county=county,
        indicator=indicator,
        school_year=school_year,
        updated_since=updated_since,
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=IndicatorValueRead,
        to_item=IndicatorValueRead.model_validate,
    )


@router.post(
    "/indicator-values/import",
    response_model=ImportResult,
    responses=write_responses(413),
    openapi_extra={"requestBody": IMPORT_BODY},
    description="Create or update indicator values from a CSV or XLSX file (the directorate). "
    + VALUES_FORMAT
    + " Any bad row answers 422 naming its row, column and reason, and nothing is imported; "
    "the same file twice changes nothing.",
)
async def import_indicator_values(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
):
    """Import indicator values (CSV or XLSX)."""
    report = await indicator_data.import_values(
        session, principal, body=await request.body(), content_type=request.headers.get("content-type")
    )
    return idem.done(response, _result(report))
