"""Webhook subscriptions: an organisation subscribes to the feed events it may see, filtered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import OutboxEvent
from app.audit.service import Concerns, diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import InvalidInput, NotFound
from app.core.etag import check_if_match
from app.enrolments.service.common import parse_uuid
from app.programmes.service import find_programme
from app.reference.ids import county_id, municipality_id
from app.reference.service import ListQuery
from app.webhooks.models import WebhookDelivery, WebhookSubscription
from app.webhooks.schemas import RedeliverIn, SubscriptionCreate, SubscriptionUpdate

AUDITED = ["callback_url", "resource_types", "programme_id", "county_id", "municipality_id", "active", "last_seq"]


def _url(url: Any, allow_http: bool, pointer: str = "/callback_url") -> str:
    text = str(url)
    if not allow_http and not text.startswith("https://"):
        raise InvalidInput("A callback must be https.", [{"pointer": pointer, "detail": "https required"}])
    return text


async def _audit(
    session: AsyncSession, principal: Principal, s: WebhookSubscription, action: str, before: dict[str, Any]
) -> None:
    await session.flush()
    await record_change(
        session,
        principal,
        action=action,
        resource_type="webhook_subscription",
        resource_id=str(s.id),
        changes=diff(before, snapshot(s, AUDITED)),
        concerns=Concerns(subject_org_id=s.owner_org_id),
        version=s.version,
    )


def list_subscriptions(principal: Principal, *, updated_since: datetime | None) -> ListQuery:
    stmt = sa.select(WebhookSubscription).where(policy.webhook_subscriptions(principal))
    if updated_since:
        stmt = stmt.where(WebhookSubscription.updated_at >= updated_since)
    return ListQuery(stmt, (WebhookSubscription.updated_at, WebhookSubscription.id))


async def get_subscription(session: AsyncSession, principal: Principal, *, subscription_id: str) -> WebhookSubscription:
    found = await session.scalar(
        sa.select(WebhookSubscription).where(
            WebhookSubscription.id == parse_uuid(subscription_id, "webhook subscription"),
            policy.webhook_subscriptions(principal),
        )
    )
    if found is None:
        raise NotFound(f"No webhook subscription {subscription_id}.")
    return found


async def create_subscription(
    session: AsyncSession, principal: Principal, *, data: SubscriptionCreate, allow_http: bool
) -> WebhookSubscription:
    """Subscribe the caller's organisation; delivery starts after `from_seq` (default: the feed's end)."""
    require(principal, Perm.webhooks_write)
    programme_id = None
    if data.programme:
        programme = await find_programme(session, data.programme)
        if programme is None:
            raise InvalidInput("Unknown programme.", [{"pointer": "/programme", "detail": "unknown programme"}])
        programme_id = programme.id
    start = data.from_seq
    if start is None:
        start = await session.scalar(sa.select(sa.func.coalesce(sa.func.max(OutboxEvent.seq), 0))) or 0
    s = WebhookSubscription(
        owner_org_id=principal.org_id,
        owner_role=principal.role.value,
        client_id=principal.client_id,
        callback_url=_url(data.callback_url, allow_http),
        secret=data.secret,
        resource_types=data.resource_types,
        programme_id=programme_id,
        county_id=county_id(data.county_id) if data.county_id else None,
        municipality_id=municipality_id(data.municipality_id) if data.municipality_id else None,
        active=True,
        last_seq=start,
        failures=0,
    )
    session.add(s)
    await _audit(session, principal, s, "create", {})
    return s


async def update_subscription(
    session: AsyncSession,
    principal: Principal,
    *,
    subscription_id: str,
    data: SubscriptionUpdate,
    if_match: str | None,
    allow_http: bool,
) -> WebhookSubscription:
    require(principal, Perm.webhooks_write)
    s = await get_subscription(session, principal, subscription_id=subscription_id)
    policy.require_acting_org(principal, s.owner_org_id, "Only the subscribing organisation changes its subscription.")
    check_if_match(if_match, s.version)
    before = snapshot(s, AUDITED)
    changes = data.model_dump(exclude_unset=True)
    if "callback_url" in changes and data.callback_url is not None:
        s.callback_url = _url(data.callback_url, allow_http)
    if data.secret is not None:
        s.secret = data.secret
    if data.resource_types is not None:
        s.resource_types = data.resource_types
    if data.active is not None:
        s.active = data.active
        if data.active:
            s.failures, s.next_attempt_at = 0, None
    await _audit(session, principal, s, "update", before)
    return s


async def redeliver(
    session: AsyncSession, principal: Principal, *, subscription_id: str, data: RedeliverIn
) -> WebhookSubscription:
    """Move the cursor back: every event after `after_seq` is delivered again, in order."""
    require(principal, Perm.webhooks_write)
    s = await get_subscription(session, principal, subscription_id=subscription_id)
    policy.require_acting_org(principal, s.owner_org_id, "Only the subscribing organisation asks for redelivery.")
    before = snapshot(s, AUDITED)
    s.last_seq = data.after_seq
    s.failures, s.next_attempt_at = 0, None
    await _audit(session, principal, s, "redeliver", before)
    return s


async def list_deliveries(
    session: AsyncSession, principal: Principal, *, subscription_id: str, updated_since: datetime | None
) -> ListQuery:
    s = await get_subscription(session, principal, subscription_id=subscription_id)
    stmt = sa.select(WebhookDelivery).where(WebhookDelivery.subscription_id == s.id)
    if updated_since:
        stmt = stmt.where(WebhookDelivery.attempted_at >= updated_since)
    return ListQuery(stmt, (WebhookDelivery.id,))
