"""Allocations, their life (decide, disburse, close) and the recipients' co-financing."""

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
from app.funding import co_financing, service
from app.funding.schemas import (
    AllocationCreate,
    AllocationRead,
    AllocationStatus,
    AllocationUpdate,
    CoFinancingCreate,
    CoFinancingRead,
    FromDecisionIn,
)

router = DomainRouter(prefix="/allocations", tags=["allocations"])
AllocationId = Annotated[str, Path(description="Allocation id (UUID).")]


@router.get("", response_model=Page[AllocationRead], responses=list_responses())
async def list_allocations(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    programme: Annotated[str | None, Query(examples=["desentralisert"])] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    county_governor: Annotated[str | None, Query(description="The region.", examples=["974760665"])] = None,
    recipient: Annotated[str | None, Query(examples=["NO-4601"])] = None,
    parent: Annotated[str | None, Query(description="Children of this allocation.")] = None,
    status: Annotated[AllocationStatus | None, Query()] = None,
    updated_since: UpdatedSince = None,
):
    """Allocations the caller may see (its region's; what it received), sorted by (updated_at, id)."""
    q = await service.list_allocations(
        session,
        principal,
        programme=programme,
        year=year,
        region=county_governor,
        recipient=recipient,
        parent=parent,
        status=status,
        updated_since=updated_since,
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=AllocationRead,
        to_item=AllocationRead.data_of,
        records=[],
        reuse_items=True,
    )


@router.post("", response_model=AllocationRead, status_code=201, responses=write_responses())
async def create_allocation(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: AllocationCreate,
):
    """The directorate to a county governor, or a county governor from its own allocation (rules 13, 15-17)."""
    a = await service.create_allocation(session, principal, data=body)
    return idem.created(response, AllocationRead.of(a), f"{request.url.path}/{a.id}", a.version)


@router.post("/from-decision", response_model=list[AllocationRead], status_code=201, responses=write_responses())
async def allocate_forum_decision(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: FromDecisionIn,
):
    """Turn a forum decision's distribution into allocations from the county governor's own, in one step."""
    created = await service.allocate_decision(session, principal, data=body)
    return idem.finish(response, 200 if dry_run else 201, [AllocationRead.of(a) for a in created])


@router.get("/{allocation_id}", response_model=AllocationRead, responses=read_responses())
async def get_allocation(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, allocation_id: AllocationId
):
    """One allocation with its sums: sub-allocated, co-financing required / committed / delivered, reported spent."""
    a = await service.get_allocation(session, principal, allocation_id=allocation_id)
    return respond_item(request, response, AllocationRead.of(a), a.version)


@router.patch("/{allocation_id}", response_model=AllocationRead, responses=write_responses(412, 428))
async def update_allocation(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    allocation_id: AllocationId,
    body: AllocationUpdate,
    if_match: IfMatch = None,
):
    """Change a proposed allocation (its grantor; If-Match)."""
    a = await service.update_allocation(session, principal, allocation_id=allocation_id, data=body, if_match=if_match)
    response.headers["ETag"] = etag_of(a.version)
    return AllocationRead.of(a)


async def _advance(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    allocation_id: str,
    action: str,
) -> AllocationRead:
    a = await service.advance(session, principal, allocation_id=allocation_id, action=action)
    return idem.done(response, AllocationRead.of(a), a.version)  # type: ignore[no-any-return]


@router.post("/{allocation_id}/decide", response_model=AllocationRead, responses=write_responses())
async def decide_allocation(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    allocation_id: AllocationId,
):
    """proposed -> decided (the grantor)."""
    return await _advance(response, session, principal, idem, allocation_id, "decide")


@router.post("/{allocation_id}/disburse", response_model=AllocationRead, responses=write_responses())
async def disburse_allocation(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    allocation_id: AllocationId,
):
    """decided -> disbursed (409 while the committed co-financing is below the requirement); opens the report."""
    return await _advance(response, session, principal, idem, allocation_id, "disburse")


@router.post("/{allocation_id}/close", response_model=AllocationRead, responses=write_responses())
async def close_allocation(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    allocation_id: AllocationId,
):
    """disbursed -> closed (the grantor)."""
    return await _advance(response, session, principal, idem, allocation_id, "close")


@router.get("/{allocation_id}/co-financing", response_model=Page[CoFinancingRead], responses=list_responses(404))
async def list_co_financing(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    allocation_id: AllocationId,
    updated_since: UpdatedSince = None,
):
    """The school owner's co-financing of the allocation, in the order it was registered."""
    q = await co_financing.list_co_financing(
        session, principal, allocation_id=allocation_id, updated_since=updated_since
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=CoFinancingRead,
        to_item=CoFinancingRead.model_validate,
    )


@router.post(
    "/{allocation_id}/co-financing", response_model=CoFinancingRead, status_code=201, responses=write_responses()
)
async def register_co_financing(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    allocation_id: AllocationId,
    body: CoFinancingCreate,
):
    """The receiving school owner commits co-financing: cash, salary or release time (rule 15)."""
    c = await co_financing.register(session, principal, allocation_id=allocation_id, data=body)
    return idem.created(response, CoFinancingRead.model_validate(c), f"{request.url.path}/{c.id}", c.version)
