"""SKUP gatherings with their regional groups and registrations; workshops with sign-ups."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, PageDep, PrincipalDep, SessionDep
from app.enrolments.schemas import (
    GatheringCreate,
    GatheringRead,
    MemberCreate,
    MemberRead,
    RegistrationCreate,
    RegistrationRead,
    SignupCreate,
    SignupRead,
    WorkshopCreate,
    WorkshopRead,
)
from app.enrolments.service import gatherings as service

router = DomainRouter(tags=["gatherings and workshops"])
GatheringId = Annotated[str, Path(description="Gathering id (UUID).")]
WorkshopId = Annotated[str, Path(description="Workshop id (UUID).")]
Programme = Annotated[str | None, Query(description="Programme code or id.", examples=["skup"])]


@router.get("/gatherings", response_model=Page[GatheringRead], responses=list_responses())
async def list_gatherings(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    programme: Programme = None,
    updated_since: UpdatedSince = None,
):
    """Gatherings (samlinger), sorted by start date."""
    q = await service.list_gatherings(session, principal, programme=programme, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=GatheringRead,
        to_item=GatheringRead.model_validate,
    )


@router.get("/gatherings/{gathering_id}", response_model=GatheringRead, responses=read_responses())
async def get_gathering(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, gathering_id: GatheringId
):
    """One gathering."""
    g = await service.get_gathering(session, principal, gathering_id=gathering_id)
    return respond_item(request, response, GatheringRead.model_validate(g), g.version)


@router.post("/gatherings", response_model=GatheringRead, status_code=201, responses=write_responses())
async def create_gathering(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: GatheringCreate,
):
    """Plan a gathering (directorate); its length must be the programme's (SKUP: two days)."""
    g = await service.create_gathering(session, principal, data=body)
    return idem.created(response, GatheringRead.model_validate(g), f"{request.url.path}/{g.id}", g.version)


@router.get("/gatherings/{gathering_id}/members", response_model=Page[MemberRead], responses=list_responses(404))
async def list_gathering_members(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    gathering_id: GatheringId,
    updated_since: UpdatedSince = None,
):
    """The school owners in the gathering's regional group that the caller may see, by school owner id."""
    g = await service.get_gathering(session, principal, gathering_id=gathering_id)
    q = service.list_members(principal, g, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=MemberRead,
        to_item=MemberRead.model_validate,
    )


@router.post(
    "/gatherings/{gathering_id}/members", response_model=MemberRead, status_code=201, responses=write_responses()
)
async def add_gathering_member(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    gathering_id: GatheringId,
    body: MemberCreate,
):
    """Put an enrolled school owner in the group (directorate); a full group is 409."""
    m = await service.add_member(session, principal, gathering_id=gathering_id, data=body)
    return idem.created(response, MemberRead.model_validate(m), f"{request.url.path}/{m.id}", m.version)


@router.get(
    "/gatherings/{gathering_id}/registrations", response_model=Page[RegistrationRead], responses=list_responses(404)
)
async def list_gathering_registrations(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    gathering_id: GatheringId,
    updated_since: UpdatedSince = None,
):
    """Registered persons the caller may see, in the order they registered."""
    g = await service.get_gathering(session, principal, gathering_id=gathering_id)
    q = service.list_registrations(principal, g, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=RegistrationRead,
        to_item=RegistrationRead.model_validate,
    )


@router.post(
    "/gatherings/{gathering_id}/registrations",
    response_model=RegistrationRead,
    status_code=201,
    responses=write_responses(),
)
async def register_for_gathering(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    gathering_id: GatheringId,
    body: RegistrationCreate,
):
    """Register a person of a school owner in the group; more than the programme's limit is 409."""
    r = await service.register_person(session, principal, gathering_id=gathering_id, data=body)
    return idem.created(response, RegistrationRead.model_validate(r), f"{request.url.path}/{r.id}", r.version)


@router.get("/workshops", response_model=Page[WorkshopRead], responses=list_responses())
async def list_workshops(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    programme: Programme = None,
    updated_since: UpdatedSince = None,
):
    """Workshops (arbeidsseminarer), sorted by start date."""
    q = await service.list_workshops(session, principal, programme=programme, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=WorkshopRead,
        to_item=WorkshopRead.model_validate,
    )


@router.get("/workshops/{workshop_id}", response_model=WorkshopRead, responses=read_responses())
async def get_workshop(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, workshop_id: WorkshopId
):
    """One workshop."""
    w = await service.get_workshop(session, principal, workshop_id=workshop_id)
    return respond_item(request, response, WorkshopRead.model_validate(w), w.version)


@router.post("/workshops", response_model=WorkshopRead, status_code=201, responses=write_responses())
async def create_workshop(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: WorkshopCreate,
):
    """Offer a workshop on a theme with a capacity (directorate)."""
    w = await service.create_workshop(session, principal, data=body)
    return idem.created(response, WorkshopRead.model_validate(w), f"{request.url.path}/{w.id}", w.version)


@router.get("/workshops/{workshop_id}/signups", response_model=Page[SignupRead], responses=list_responses(404))
async def list_workshop_signups(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    workshop_id: WorkshopId,
    updated_since: UpdatedSince = None,
):
    """Sign-ups the caller may see, in the order they came."""
    w = await service.get_workshop(session, principal, workshop_id=workshop_id)
    q = service.list_signups(principal, w, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=SignupRead,
        to_item=SignupRead.model_validate,
    )


@router.post(
    "/workshops/{workshop_id}/signups", response_model=SignupRead, status_code=201, responses=write_responses()
)
async def sign_up_for_workshop(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    workshop_id: WorkshopId,
    body: SignupCreate | None = None,
):
    """Sign up for a workshop (the school owner itself, enrolled in the programme); full is 409."""
    s = await service.sign_up(session, principal, workshop_id=workshop_id, data=body or SignupCreate())
    return idem.created(response, SignupRead.model_validate(s), f"{request.url.path}/{s.id}", s.version)
