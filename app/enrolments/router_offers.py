"""Offers and the answers to them."""

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
from app.enrolments.schemas import AgreementIn, OfferAnswer, OfferCreate, OfferRead, OfferStatus, OfferUpdate
from app.enrolments.service import offers as service

router = DomainRouter(prefix="/offers", tags=["offers"])
OfferId = Annotated[str, Path(description="Offer id (UUID).")]


@router.get("", response_model=Page[OfferRead], responses=list_responses())
async def list_offers(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    programme: Annotated[str | None, Query(description="Programme code or id.", examples=["oppfolging"])] = None,
    status: Annotated[OfferStatus | None, Query()] = None,
    school_owner: Annotated[str | None, Query(examples=["NO-5501"])] = None,
    county: Annotated[str | None, Query(examples=["NO-55"])] = None,
    start_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    updated_since: UpdatedSince = None,
):
    """Offers the caller may see, sorted by (updated_at, id) so that a client can sync incrementally."""
    q = await service.list_offers(
        session,
        principal,
        programme=programme,
        status=status,
        school_owner=school_owner,
        county=county,
        start_year=start_year,
        updated_since=updated_since,
    )
    return await respond_list(
        request, response, session, stmt=q.stmt, order=q.order, page=page, schema=OfferRead, to_item=OfferRead.of
    )


@router.get("/{offer_id}", response_model=OfferRead, responses=read_responses())
async def get_offer(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, offer_id: OfferId
):
    """One offer."""
    offer = await service.get_offer(session, principal, offer_id=offer_id)
    return respond_item(request, response, OfferRead.of(offer), offer.version)


@router.post("", response_model=OfferRead, status_code=201, responses=write_responses())
async def create_offer(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: OfferCreate,
):
    """Offer a programme to a school owner with a deadline (directorate; county governor where the programme says)."""
    offer = await service.create_offer(session, principal, data=body)
    return idem.created(response, OfferRead.of(offer), f"{request.url.path}/{offer.id}", offer.version)


@router.patch("/{offer_id}", response_model=OfferRead, responses=write_responses(412, 428))
async def update_offer(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    offer_id: OfferId,
    body: OfferUpdate,
    if_match: IfMatch = None,
):
    """Change the deadline or terms of an open offer (the offerer; If-Match)."""
    offer = await service.update_offer(session, principal, offer_id=offer_id, data=body, if_match=if_match)
    response.headers["ETag"] = etag_of(offer.version)
    return OfferRead.of(offer)


@router.post("/{offer_id}/accept", response_model=OfferRead, responses=write_responses())
async def accept_offer(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    offer_id: OfferId,
    body: OfferAnswer | None = None,
):
    """Accept before the deadline (the school owner itself); creates the enrolment. After the deadline: 409."""
    offer = await service.accept_offer(session, principal, offer_id=offer_id, data=body or OfferAnswer())
    return idem.done(response, OfferRead.of(offer), offer.version)


@router.post("/{offer_id}/decline", response_model=OfferRead, responses=write_responses())
async def decline_offer(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    offer_id: OfferId,
    body: OfferAnswer | None = None,
):
    """Decline before the deadline (the school owner itself)."""
    offer = await service.decline_offer(session, principal, offer_id=offer_id, data=body or OfferAnswer())
    return idem.done(response, OfferRead.of(offer), offer.version)


@router.post("/{offer_id}/withdraw", response_model=OfferRead, responses=write_responses())
async def withdraw_offer(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    offer_id: OfferId,
    body: OfferAnswer | None = None,
):
    """Withdraw an unanswered offer (the offerer)."""
    offer = await service.withdraw_offer(session, principal, offer_id=offer_id, data=body or OfferAnswer())
    return idem.done(response, OfferRead.of(offer), offer.version)


@router.post("/{offer_id}/agreement", response_model=OfferRead, responses=write_responses())
async def register_agreement(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    offer_id: OfferId,
    body: AgreementIn,
):
    """Register the signed agreement of an accepted offer (document reference and date)."""
    offer = await service.register_agreement(session, principal, offer_id=offer_id, data=body)
    return idem.done(response, OfferRead.of(offer), offer.version)
