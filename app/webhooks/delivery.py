"""Delivery of the change feed to webhook subscriptions: in order per subscription, at least once.

Each subscription's cursor (`last_seq`) lives in the database and only moves past an event once the
subscriber answered 2xx, so a restart of the worker or of the database loses nothing (an event may be
delivered twice: at least once). A worker leases a subscription (`leased_until`) before it sends, so two
workers never deliver one subscription at the same time. A failure blocks the subscription's later events
(order is kept) and is retried with exponential back-off up to a cap.

Each delivery is a CloudEvents 1.0 JSON document, signed in `Webhook-Signature: t=<unix time>,v1=<hex>`
where v1 = HMAC-SHA256(secret, "<t>." + body).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.models import OutboxEvent
from app.auth import policy
from app.auth.principal import Principal, Role
from app.core.bulk import table_of
from app.db.types import utcnow
from app.webhooks.models import WebhookDelivery, WebhookSubscription

log = logging.getLogger("app.webhooks")
BATCH = 50
LEASE = timedelta(seconds=120)
SIGNATURE_HEADER = "Webhook-Signature"


@dataclass(frozen=True)
class Timing:
    timeout: float = 10.0
    base: float = 5.0
    cap: float = 3600.0


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def cloud_event(e: OutboxEvent) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": str(e.seq),
        "source": "/api/v1/events",
        "type": f"no.udir.skoleutvikling.{e.resource_type}.{e.action}",
        "subject": f"{e.resource_type}/{e.resource_id}",
        "time": e.occurred_at.isoformat(),
        "datacontenttype": "application/json",
        "data": {
            "seq": e.seq,
            "resource_type": e.resource_type,
            "resource_id": e.resource_id,
            "action": e.action,
            "version": e.version,
            "subject_org_id": e.subject_org_id,
            "municipality_id": e.municipality_id,
            "county_id": e.county_id,
            "programme_id": str(e.programme_id) if e.programme_id else None,
        },
    }


def backoff(failures: int, timing: Timing) -> float:
    return float(min(timing.cap, timing.base * 2 ** max(failures - 1, 0)))


def _matching(sub: WebhookSubscription) -> Any:
    """The feed events this subscription receives: what its owner may see, through its filters."""
    owner = Principal(Role(sub.owner_role), sub.owner_org_id, frozenset({"read"}), sub.client_id, "webhook")
    stmt = sa.select(OutboxEvent).where(OutboxEvent.seq > sub.last_seq, policy.events(owner))
    if sub.resource_types:
        stmt = stmt.where(OutboxEvent.resource_type.in_(sub.resource_types))
    if sub.programme_id:
        stmt = stmt.where(OutboxEvent.programme_id == sub.programme_id)
    if sub.county_id:
        stmt = stmt.where(OutboxEvent.county_id == sub.county_id)
    if sub.municipality_id:
        stmt = stmt.where(OutboxEvent.municipality_id == sub.municipality_id)
    return stmt.order_by(OutboxEvent.seq).limit(BATCH)


async def _lease(session: AsyncSession, sub_id: Any, now: datetime) -> bool:
    t = table_of(WebhookSubscription).c
    result = await session.execute(
        sa.update(table_of(WebhookSubscription))
        .where(t.id == sub_id, sa.or_(t.leased_until.is_(None), t.leased_until < now))
        .values(leased_until=now + LEASE)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _send(
    client: httpx.AsyncClient, sub: WebhookSubscription, e: OutboxEvent
) -> tuple[bool, int | None, str | None, int]:
    body = json.dumps(cloud_event(e), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/cloudevents+json",
        SIGNATURE_HEADER: sign(sub.secret, int(time.time()), body),
        "Webhook-Id": f"{sub.id}:{e.seq}",
    }
    started = time.perf_counter()
    try:
        response = await client.post(sub.callback_url, content=body, headers=headers)
        ok = 200 <= response.status_code < 300
        return ok, response.status_code, None if ok else f"HTTP {response.status_code}", _ms(started)
    except httpx.HTTPError as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:500], _ms(started)


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


async def deliver_subscription(
    factory: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, sub_id: Any, timing: Timing
) -> int:
    """Deliver one subscription's waiting events in order until one fails; returns how many were delivered."""
    now = utcnow()
    async with factory() as session, session.begin():
        if not await _lease(session, sub_id, now):
            return 0
    delivered = 0
    try:
        async with factory() as session:
            sub = await session.get(WebhookSubscription, sub_id)
            assert sub is not None
            events = list((await session.scalars(_matching(sub))).all())
        for e in events:
            ok, status, error, ms = await _send(client, sub, e)
            async with factory() as session, session.begin():
                fresh = await session.get(WebhookSubscription, sub_id)
                assert fresh is not None
                session.add(
                    WebhookDelivery(
                        subscription_id=sub_id,
                        event_seq=e.seq,
                        attempt=fresh.failures + 1,
                        delivered=ok,
                        response_status=status,
                        error=error,
                        duration_ms=ms,
                        attempted_at=utcnow(),
                    )
                )
                if ok:
                    fresh.last_seq = max(fresh.last_seq, e.seq)
                    fresh.failures, fresh.next_attempt_at = 0, None
                    delivered += 1
                else:
                    fresh.failures += 1
                    fresh.next_attempt_at = utcnow() + timedelta(seconds=backoff(fresh.failures, timing))
            if not ok:
                log.warning(
                    "webhook delivery failed", extra={"subscription": str(sub_id), "seq": e.seq, "error": error}
                )
                break
    finally:
        async with factory() as session, session.begin():
            await session.execute(
                sa.update(table_of(WebhookSubscription))
                .where(table_of(WebhookSubscription).c.id == sub_id)
                .values(leased_until=None)
            )
    return delivered


async def deliver_due(factory: async_sessionmaker[AsyncSession], client: httpx.AsyncClient, timing: Timing) -> int:
    """One pass over every active subscription whose next attempt is due."""
    now = utcnow()
    async with factory() as session:
        due = list(
            (
                await session.scalars(
                    sa.select(WebhookSubscription.id).where(
                        WebhookSubscription.active.is_(True),
                        sa.or_(
                            WebhookSubscription.next_attempt_at.is_(None), WebhookSubscription.next_attempt_at <= now
                        ),
                    )
                )
            ).all()
        )
    total = 0
    for sub_id in due:
        total += await deliver_subscription(factory, client, sub_id, timing)
    return total


async def run_worker(
    factory: async_sessionmaker[AsyncSession], timing: Timing, poll_seconds: float, stop: asyncio.Event
) -> None:
    """Deliver until `stop` is set; a database that goes away is waited for, not fatal."""
    async with httpx.AsyncClient(timeout=timing.timeout, follow_redirects=False) as client:
        while not stop.is_set():
            try:
                delivered = await deliver_due(factory, client, timing)
            except Exception:  # the database restarting, say: log, wait, go on
                log.exception("webhook worker pass failed")
                delivered = 0
            if not delivered:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
                except TimeoutError:
                    pass
