"""Development plans, their measures, versions and review."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from app.core.etag import etag_of
from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, IfMatch, PageDep, PrincipalDep, SessionDep
from app.plans import service
from app.plans.models import PlanMeasure, PlanVersion
from app.plans.schemas import (
    Kind,
    Level,
    MeasureCreate,
    MeasureFields,
    MeasureRead,
    MeasureRow,
    PlanCreate,
    PlanRead,
    PlanStatus,
    PlanUpdate,
    ReviewIn,
    VersionDiff,
    VersionRead,
)

router = DomainRouter(prefix="/development-plans", tags=["development plans"])
PlanId = Annotated[str, Path(description="Development plan id (UUID).")]
Number = Annotated[int, Path(ge=1, le=2**31 - 1, description="Version number (1 = first submission).")]


def _row(m: PlanMeasure) -> MeasureRow:
    plan = m.plan
    return MeasureRow(
        **MeasureRead.model_validate(m).model_dump(),
        plan_title=plan.title,
        plan_status=plan.status,
        plan_level=plan.level,
        school_owner_id=plan.school_owner_id,
        county_id=plan.county_id,
    )


def _version(v: PlanVersion) -> VersionRead:
    return VersionRead.model_validate(v, from_attributes=True)


@router.get("", response_model=Page[PlanRead], responses=list_responses())
async def list_development_plans(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    school_owner: Annotated[str | None, Query(examples=["NO-5501"])] = None,
    county: Annotated[str | None, Query(examples=["NO-55"])] = None,
    programme: Annotated[str | None, Query(examples=["oppfolging"])] = None,
    level: Annotated[Level | None, Query()] = None,
    kind: Annotated[Kind | None, Query()] = None,
    status: Annotated[PlanStatus | None, Query()] = None,
    enrolment: Annotated[str | None, Query(description="Enrolment id.")] = None,
    updated_since: UpdatedSince = None,
):
    """Plans the caller may see (a university: its partners'), sorted by (updated_at, id)."""
    q = await service.list_plans(
        session,
        principal,
        school_owner=school_owner,
        county=county,
        programme=programme,
        level=level,
        kind=kind,
        status=status,
        enrolment=enrolment,
        updated_since=updated_since,
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=PlanRead,
        to_item=PlanRead.data_of,
        records=[],
        reuse_items=True,
    )


@router.get("/measures", response_model=Page[MeasureRow], responses=list_responses())
async def list_all_plan_measures(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    school_owner: Annotated[str | None, Query(examples=["NO-5501"])] = None,
    county: Annotated[str | None, Query(examples=["NO-55"])] = None,
    updated_since: UpdatedSince = None,
):
    """Every measure the caller may see, one row each with its plan, owner and county (CSV for reporting)."""
    q = service.list_measure_rows(principal, school_owner=school_owner, county=county, updated_since=updated_since)
    return await respond_list(
        request, response, session, stmt=q.stmt, order=q.order, page=page, schema=MeasureRow, to_item=_row
    )


@router.get("/{plan_id}", response_model=PlanRead, responses=read_responses())
async def get_development_plan(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, plan_id: PlanId
):
    """One plan with its SWOT, challenge picture, goals and participants."""
    plan = await service.get_plan(session, principal, plan_id=plan_id)
    return respond_item(request, response, PlanRead.of(plan), plan.version)


@router.post("", response_model=PlanRead, status_code=201, responses=write_responses())
async def create_development_plan(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: PlanCreate,
):
    """A draft plan of the calling school owner (owner, administration or school level)."""
    plan = await service.create_plan(session, principal, data=body)
    return idem.created(response, PlanRead.of(plan), f"{request.url.path}/{plan.id}", plan.version)


@router.patch("/{plan_id}", response_model=PlanRead, responses=write_responses(412, 428))
async def update_development_plan(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    plan_id: PlanId,
    body: PlanUpdate,
    if_match: IfMatch = None,
):
    """Edit a draft or returned plan (JSON merge patch, If-Match). A submitted plan is 409 until returned."""
    plan = await service.update_plan(session, principal, plan_id=plan_id, data=body, if_match=if_match)
    response.headers["ETag"] = etag_of(plan.version)
    return PlanRead.of(plan)


@router.post("/{plan_id}/submit", response_model=PlanRead, responses=write_responses())
async def submit_development_plan(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    plan_id: PlanId,
):
    """Submit for review (409 without goals or measures); freezes a version."""
    plan = await service.submit_plan(session, principal, plan_id=plan_id)
    return idem.done(response, PlanRead.of(plan), plan.version)


@router.post("/{plan_id}/approve", response_model=PlanRead, responses=write_responses())
async def approve_development_plan(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    plan_id: PlanId,
    body: ReviewIn | None = None,
):
    """Approve a submitted plan (the county governor of the region)."""
    plan = await service.approve_plan(session, principal, plan_id=plan_id, data=body or ReviewIn())
    return idem.done(response, PlanRead.of(plan), plan.version)


@router.post("/{plan_id}/return", response_model=PlanRead, responses=write_responses())
async def return_development_plan(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    plan_id: PlanId,
    body: ReviewIn,
):
    """Return a submitted plan with comments (the county governor of the region)."""
    plan = await service.return_plan(session, principal, plan_id=plan_id, data=body)
    return idem.done(response, PlanRead.of(plan), plan.version)


@router.get("/{plan_id}/measures", response_model=Page[MeasureRead], responses=list_responses(404))
async def list_plan_measures(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    plan_id: PlanId,
    updated_since: UpdatedSince = None,
):
    """The plan's measures, in the order they were added."""
    q = await service.list_measures(session, principal, plan_id=plan_id)
    stmt = q.stmt.where(PlanMeasure.updated_at >= updated_since) if updated_since else q.stmt
    return await respond_list(
        request,
        response,
        session,
        stmt=stmt,
        order=q.order,
        page=page,
        schema=MeasureRead,
        to_item=MeasureRead.model_validate,
    )


@router.post("/{plan_id}/measures", response_model=MeasureRead, status_code=201, responses=write_responses())
async def add_plan_measure(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    plan_id: PlanId,
    body: MeasureCreate,
):
    """Add a measure to a draft or returned plan."""
    m = await service.add_measure(session, principal, plan_id=plan_id, data=body)
    return idem.created(response, MeasureRead.model_validate(m), f"{request.url.path}/{m.id}", m.version)


@router.patch("/{plan_id}/measures/{measure_id}", response_model=MeasureRead, responses=write_responses(412, 428))
async def update_plan_measure(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    plan_id: PlanId,
    measure_id: Annotated[str, Path(description="Measure id (UUID).")],
    body: MeasureFields,
    if_match: IfMatch = None,
):
    """Change a measure of a draft or returned plan (If-Match)."""
    m = await service.update_measure(
        session, principal, plan_id=plan_id, measure_id=measure_id, data=body, if_match=if_match
    )
    response.headers["ETag"] = etag_of(m.version)
    return MeasureRead.model_validate(m)


@router.get("/{plan_id}/versions", response_model=Page[VersionRead], responses=list_responses(404))
async def list_plan_versions(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    plan_id: PlanId,
    updated_since: UpdatedSince = None,
):
    """Every submitted version, oldest first (a version never changes: `updated_since` is its submission)."""
    q = await service.list_versions(session, principal, plan_id=plan_id)
    stmt = q.stmt.where(PlanVersion.submitted_at >= updated_since) if updated_since else q.stmt
    return await respond_list(
        request, response, session, stmt=stmt, order=q.order, page=page, schema=VersionRead, to_item=_version
    )


@router.get("/{plan_id}/versions/{number}", response_model=VersionRead, responses=read_responses())
async def get_plan_version(session: SessionDep, principal: PrincipalDep, plan_id: PlanId, number: Number):
    """Exactly what was submitted as that version, with who and when."""
    return _version(await service.get_version(session, principal, plan_id=plan_id, number=number))


@router.get("/{plan_id}/versions/{number}/diff", response_model=VersionDiff, responses=read_responses())
async def diff_plan_versions(
    session: SessionDep,
    principal: PrincipalDep,
    plan_id: PlanId,
    number: Number,
    against: Annotated[
        int | None, Query(ge=0, le=2**31 - 1, description="The earlier version (default: the one before; 0: nothing).")
    ] = None,
):
    """What changed from version `against` to version `number`."""
    b = await service.get_version(session, principal, plan_id=plan_id, number=number)
    earlier = number - 1 if against is None else against
    a = await service.get_version(session, principal, plan_id=plan_id, number=earlier) if earlier else None
    return VersionDiff(
        plan_id=b.plan_id,
        from_version=earlier,
        to_version=number,
        changes=service.diff_versions(a.content if a else {}, b.content),
    )
