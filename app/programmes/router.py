"""Programmes and their phase templates."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query, Request, Response

from app.core.etag import etag_of
from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import Country, UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, IfMatch, PageDep, PrincipalDep, SessionDep
from app.programmes import service
from app.programmes.schemas import ProgrammeCreate, ProgrammeRead, ProgrammeUpdate

router = DomainRouter(prefix="/programmes", tags=["programmes"])
ProgrammeRef = Annotated[str, Path(description="Programme id (UUID) or code.", examples=["oppfolging"])]


@router.get("", response_model=Page[ProgrammeRead], responses=list_responses())
async def list_programmes(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    country: Country = None,
    cycle: Annotated[Literal["phased", "yearly"] | None, Query()] = None,
    active: Annotated[bool | None, Query()] = None,
    updated_since: UpdatedSince = None,
):
    """Programmes, sorted by code. Every caller sees them."""
    q = service.list_programmes(principal, country=country, cycle=cycle, active=active, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=ProgrammeRead,
        to_item=ProgrammeRead.of,
    )


@router.get("/{programme_id}", response_model=ProgrammeRead, responses=read_responses())
async def get_programme(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, programme_id: ProgrammeRef
):
    """One programme with its phase templates, goal checklists, limits and money rules."""
    programme = await service.get_programme(session, principal, ref=programme_id)
    return respond_item(request, response, ProgrammeRead.of(programme), programme.version)


@router.post("", response_model=ProgrammeRead, status_code=201, responses=write_responses())
async def create_programme(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: ProgrammeCreate,
):
    """Create a programme (directorate): a new programme needs no release."""
    programme = await service.create_programme(session, principal, data=body)
    return idem.created(response, ProgrammeRead.of(programme), f"{request.url.path}/{programme.id}", programme.version)


@router.patch("/{programme_id}", response_model=ProgrammeRead, responses=write_responses(412, 428))
async def update_programme(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    programme_id: ProgrammeRef,
    body: ProgrammeUpdate,
    if_match: IfMatch = None,
):
    """Edit a programme (directorate; JSON merge patch, If-Match). `phases` and `limits` are replaced whole."""
    programme = await service.update_programme(session, principal, ref=programme_id, data=body, if_match=if_match)
    response.headers["ETag"] = etag_of(programme.version)
    return ProgrammeRead.of(programme)
