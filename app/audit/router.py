"""The audit log and the change feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

from app.audit import query
from app.audit.schemas import AuditEventRead, EventRead
from app.core.listing import respond_list
from app.core.openapi import list_responses
from app.core.pagination import Page
from app.core.params import Instant
from app.core.routing import DomainRouter
from app.deps import PageDep, PrincipalDep, SessionDep

router = DomainRouter(tags=["audit and events"])


@router.get("/audit-events", response_model=Page[AuditEventRead], responses=list_responses())
async def list_audit_events(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    resource_type: Annotated[str | None, Query(examples=["client"])] = None,
    resource_id: Annotated[str | None, Query()] = None,
    actor: Annotated[str | None, Query(description="Client id or organisation id of whoever made the change.")] = None,
    since: Annotated[Instant | None, Query(description="At or after (RFC 3339).")] = None,
    until: Annotated[Instant | None, Query(description="Before (RFC 3339).")] = None,
):
    """Audit records the caller may see, oldest first (by id). Directorate: all; county governor: its region."""
    q = query.list_audit_events(
        principal, resource_type=resource_type, resource_id=resource_id, actor=actor, since=since, until=until
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=AuditEventRead,
        to_item=AuditEventRead.data_of,
        records=[],
    )


@router.get("/events", response_model=Page[EventRead], responses=list_responses())
async def list_events(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    after: Annotated[
        int, Query(ge=0, le=2**63 - 1, description="The last `seq` you have seen; 0 for the beginning.")
    ] = 0,
    resource_type: Annotated[str | None, Query(examples=["municipality"])] = None,
    county: Annotated[str | None, Query(examples=["NO-55"])] = None,
    municipality: Annotated[str | None, Query(examples=["NO-5501"])] = None,
):
    """The ordered change feed: every change the caller may see, in commit order, after `after`."""
    q = query.list_events(principal, after=after, resource_type=resource_type, county=county, municipality=municipality)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=EventRead,
        to_item=EventRead.model_validate,
    )
