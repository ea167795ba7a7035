"""Webhook subscriptions, their delivery attempts, and redelivery."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, Response

from app.core.etag import etag_of
from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, IfMatch, PageDep, PrincipalDep, SessionDep
from app.webhooks import service
from app.webhooks.schemas import DeliveryRead, RedeliverIn, SubscriptionCreate, SubscriptionRead, SubscriptionUpdate

router = DomainRouter(prefix="/webhook-subscriptions", tags=["webhooks"])
SubscriptionId = Annotated[str, Path(description="Webhook subscription id (UUID).")]


@router.get("", response_model=Page[SubscriptionRead], responses=list_responses())
async def list_webhook_subscriptions(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    updated_since: UpdatedSince = None,
):
    """The caller's organisation's subscriptions (the directorate: all), sorted by (updated_at, id)."""
    q = service.list_subscriptions(principal, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=SubscriptionRead,
        to_item=SubscriptionRead.model_validate,
    )


@router.post("", response_model=SubscriptionRead, status_code=201, responses=write_responses())
async def create_webhook_subscription(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: SubscriptionCreate,
):
    """Subscribe to the feed events the caller may see, filtered; delivered as signed CloudEvents."""
    s = await service.create_subscription(
        session, principal, data=body, allow_http=request.app.state.settings.webhook_allow_http
    )
    return idem.created(response, SubscriptionRead.model_validate(s), f"{request.url.path}/{s.id}", s.version)


@router.get("/{subscription_id}", response_model=SubscriptionRead, responses=read_responses())
async def get_webhook_subscription(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, subscription_id: SubscriptionId
):
    """One subscription with its cursor (`last_seq`) and failure state."""
    s = await service.get_subscription(session, principal, subscription_id=subscription_id)
    return respond_item(request, response, SubscriptionRead.model_validate(s), s.version)


@router.patch("/{subscription_id}", response_model=SubscriptionRead, responses=write_responses(412, 428))
async def update_webhook_subscription(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    subscription_id: SubscriptionId,
    body: SubscriptionUpdate,
    if_match: IfMatch = None,
):
    """Change the callback, secret, types or pause it (`active: false`; If-Match)."""
    s = await service.update_subscription(
        session,
        principal,
        subscription_id=subscription_id,
        data=body,
        if_match=if_match,
        allow_http=request.app.state.settings.webhook_allow_http,
    )
    response.headers["ETag"] = etag_of(s.version)
    return SubscriptionRead.model_validate(s)


@router.post("/{subscription_id}/redeliver", response_model=SubscriptionRead, responses=write_responses())
async def redeliver_webhook_events(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    subscription_id: SubscriptionId,
    body: RedeliverIn,
):
    """Deliver again, in order, every event after `after_seq`."""
    s = await service.redeliver(session, principal, subscription_id=subscription_id, data=body)
    return idem.done(response, SubscriptionRead.model_validate(s), s.version)


@router.get("/{subscription_id}/deliveries", response_model=Page[DeliveryRead], responses=list_responses(404))
async def list_webhook_deliveries(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    subscription_id: SubscriptionId,
    updated_since: UpdatedSince = None,
):
    """Every delivery attempt and its result, oldest first."""
    q = await service.list_deliveries(session, principal, subscription_id=subscription_id, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=DeliveryRead,
        to_item=DeliveryRead.model_validate,
    )
