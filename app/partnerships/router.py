"""Partnerships, subcontracts, collaboration forums, forum members and decisions."""

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
from app.partnerships import forums, service
from app.partnerships.schemas import (
    DecisionCreate,
    DecisionRead,
    ForumCreate,
    ForumMemberCreate,
    ForumMemberRead,
    ForumRead,
    PartnershipCreate,
    PartnershipRead,
    PartnershipStatus,
    PartnershipUpdate,
    SubcontractCreate,
    SubcontractRead,
)

router = DomainRouter(tags=["partnerships and forums"])
PartnershipId = Annotated[str, Path(description="Partnership id (UUID).")]
ForumId = Annotated[str, Path(description="Forum id (UUID).")]
Region = Annotated[str | None, Query(description="County governor id: the region.", examples=["974760665"])]
Programme = Annotated[str | None, Query(description="Programme code or id.", examples=["desentralisert"])]


@router.get("/partnerships", response_model=Page[PartnershipRead], responses=list_responses())
async def list_partnerships(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    county_governor: Region = None,
    programme: Programme = None,
    university: Annotated[str | None, Query(examples=["917641404"])] = None,
    school_owner: Annotated[str | None, Query(examples=["NO-4601"])] = None,
    status: Annotated[PartnershipStatus | None, Query()] = None,
    updated_since: UpdatedSince = None,
):
    """Partnerships the caller may see (its own, or its region's), sorted by (updated_at, id)."""
    q = await service.list_partnerships(
        session,
        principal,
        county_governor=county_governor,
        programme=programme,
        university=university,
        school_owner=school_owner,
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
        schema=PartnershipRead,
        to_item=PartnershipRead.of,
    )


@router.get("/partnerships/{partnership_id}", response_model=PartnershipRead, responses=read_responses())
async def get_partnership(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, partnership_id: PartnershipId
):
    """One partnership with its school owners and universities."""
    p = await service.get_partnership(session, principal, partnership_id=partnership_id)
    return respond_item(request, response, PartnershipRead.of(p), p.version)


@router.post("/partnerships", response_model=PartnershipRead, status_code=201, responses=write_responses())
async def create_partnership(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: PartnershipCreate,
):
    """A partnership of school owners in the region with one lead university and possibly more (county governor)."""
    p = await service.create_partnership(session, principal, data=body)
    return idem.created(response, PartnershipRead.of(p), f"{request.url.path}/{p.id}", p.version)


@router.patch("/partnerships/{partnership_id}", response_model=PartnershipRead, responses=write_responses(412, 428))
async def update_partnership(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    partnership_id: PartnershipId,
    body: PartnershipUpdate,
    if_match: IfMatch = None,
):
    """Change a partnership (JSON merge patch, If-Match); parties are replaced whole when given."""
    p = await service.update_partnership(
        session, principal, partnership_id=partnership_id, data=body, if_match=if_match
    )
    response.headers["ETag"] = etag_of(p.version)
    return PartnershipRead.of(p)


@router.get(
    "/partnerships/{partnership_id}/subcontracts", response_model=Page[SubcontractRead], responses=list_responses(404)
)
async def list_subcontracts(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    partnership_id: PartnershipId,
    updated_since: UpdatedSince = None,
):
    """Third parties engaged under the partnership, in the order they were engaged."""
    q = await service.list_subcontracts(session, principal, partnership_id=partnership_id, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=SubcontractRead,
        to_item=SubcontractRead.model_validate,
    )


@router.post(
    "/partnerships/{partnership_id}/subcontracts",
    response_model=SubcontractRead,
    status_code=201,
    responses=write_responses(),
)
async def create_subcontract(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    partnership_id: PartnershipId,
    body: SubcontractCreate,
):
    """A partner university engages a third party; a share above the programme's limit is 409."""
    s = await service.create_subcontract(session, principal, partnership_id=partnership_id, data=body)
    return idem.created(response, SubcontractRead.model_validate(s), f"{request.url.path}/{s.id}", s.version)


@router.get("/forums", response_model=Page[ForumRead], responses=list_responses())
async def list_forums(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    county_governor: Region = None,
    programme: Programme = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    updated_since: UpdatedSince = None,
):
    """Collaboration forums the caller runs or is a member of, sorted by (updated_at, id)."""
    q = await forums.list_forums(
        session, principal, county_governor=county_governor, programme=programme, year=year, updated_since=updated_since
    )
    return await respond_list(
        request, response, session, stmt=q.stmt, order=q.order, page=page, schema=ForumRead, to_item=ForumRead.of
    )


@router.get("/forums/{forum_id}", response_model=ForumRead, responses=read_responses())
async def get_forum(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, forum_id: ForumId
):
    """One forum."""
    f = await forums.get_forum(session, principal, forum_id=forum_id)
    return respond_item(request, response, ForumRead.of(f), f.version)


@router.post("/forums", response_model=ForumRead, status_code=201, responses=write_responses())
async def create_forum(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: ForumCreate,
):
    """The forum of a region for a programme year (its county governor, or the directorate)."""
    f = await forums.create_forum(session, principal, data=body)
    return idem.created(response, ForumRead.of(f), f"{request.url.path}/{f.id}", f.version)


@router.get("/forums/{forum_id}/members", response_model=Page[ForumMemberRead], responses=list_responses(404))
async def list_forum_members(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    forum_id: ForumId,
    updated_since: UpdatedSince = None,
):
    """The forum's members, in the order they joined."""
    q = await forums.list_members(session, principal, forum_id=forum_id, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=ForumMemberRead,
        to_item=ForumMemberRead.model_validate,
    )


@router.post("/forums/{forum_id}/members", response_model=ForumMemberRead, status_code=201, responses=write_responses())
async def add_forum_member(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    forum_id: ForumId,
    body: ForumMemberCreate,
):
    """Add a member: school owner, university, teacher union or another relevant actor."""
    m = await forums.add_member(session, principal, forum_id=forum_id, data=body)
    return idem.created(response, ForumMemberRead.model_validate(m), f"{request.url.path}/{m.id}", m.version)


@router.get("/forums/{forum_id}/decisions", response_model=Page[DecisionRead], responses=list_responses(404))
async def list_forum_decisions(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    forum_id: ForumId,
    updated_since: UpdatedSince = None,
):
    """The forum's decisions, by meeting date."""
    q = await forums.list_decisions(session, principal, forum_id=forum_id, updated_since=updated_since)
    return await respond_list(
        request, response, session, stmt=q.stmt, order=q.order, page=page, schema=DecisionRead, to_item=DecisionRead.of
    )


@router.get("/forums/{forum_id}/decisions/{decision_id}", response_model=DecisionRead, responses=read_responses())
async def get_forum_decision(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    forum_id: ForumId,
    decision_id: Annotated[str, Path(description="Decision id (UUID).")],
):
    """One decision with its priorities and the distribution of the region's funds."""
    d = await forums.get_decision(session, principal, forum_id=forum_id, decision_id=decision_id)
    return respond_item(request, response, DecisionRead.of(d), d.version)


@router.post("/forums/{forum_id}/decisions", response_model=DecisionRead, status_code=201, responses=write_responses())
async def record_forum_decision(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    forum_id: ForumId,
    body: DecisionCreate,
):
    """Record a decision (the county governor only): priorities, distribution, and whether it was consensus."""
    d = await forums.record_decision(session, principal, forum_id=forum_id, data=body)
    return idem.created(response, DecisionRead.of(d), f"{request.url.path}/{d.id}", d.version)
