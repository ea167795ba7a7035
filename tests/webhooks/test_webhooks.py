"""Webhooks against a real receiving HTTP server on 127.0.0.1: signed CloudEvents, scope, order, retries."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from app.webhooks.delivery import Timing, backoff, deliver_due, run_worker
from app.webhooks.models import WebhookSubscription
from tests.conftest import BERGEN, TROMSO
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.anyio
SECRET = "a-shared-secret-of-the-subscriber"
SOON = (datetime.now(UTC) + timedelta(days=30)).isoformat()
TIMING = Timing(timeout=5, base=60, cap=600)


@pytest.fixture
def http_allowed(app):
    app.state.settings.webhook_allow_http = True
    yield
    app.state.settings.webhook_allow_http = False


async def _offer(client, auth, owner):
    r = await client.post(
        "/api/v1/offers",
        json={"programme": "oppfolging", "school_owner_id": owner, "start_year": 2026, "deadline": SOON},
        headers=await auth("directorate"),
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _deliver(app) -> int:
    async with httpx.AsyncClient(timeout=5) as http:
        return await deliver_due(app.state.sessionmaker, http, TIMING)


def _verify(delivery: dict) -> dict:
    header = delivery["headers"]["Webhook-Signature"]
    parts = dict(p.split("=", 1) for p in header.split(","))
    expected = hmac.new(SECRET.encode(), f"{parts['t']}.".encode() + delivery["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    return json.loads(delivery["body"])


async def _subscribe(client, auth, url, **extra):
    r = await client.post(
        "/api/v1/webhook-subscriptions",
        json={"callback_url": url, "secret": SECRET, "resource_types": ["offer"]} | extra,
        headers=await auth("school_owner"),
    )
    assert r.status_code == 201, r.text
    assert "secret" not in r.json()
    return r.json()


async def test_a_subscriber_receives_signed_cloudevents_of_what_it_may_see_in_order(client, auth, app, http_allowed):
    with Receiver() as receiver:
        sub = await _subscribe(client, auth, receiver.url)
        mine = await _offer(client, auth, TROMSO)
        await _offer(client, auth, BERGEN)  # another municipality's: Tromsø may not see it
        r = await client.patch(
            f"/api/v1/offers/{mine['id']}",
            json={"terms": "Nye vilkår"},
            headers=await auth("directorate") | {"If-Match": f'"{mine["version"]}"'},
        )
        assert r.status_code == 200
        assert await _deliver(app) == 2
        events = [_verify(d) for d in receiver.received]
    assert [(e["data"]["resource_id"], e["data"]["action"]) for e in events] == [
        (mine["id"], "create"),
        (mine["id"], "update"),
    ]
    first = events[0]
    assert first["specversion"] == "1.0" and first["type"] == "no.udir.skoleutvikling.offer.create"
    assert first["data"]["subject_org_id"] == TROMSO and first["data"]["programme_id"]
    assert int(events[1]["id"]) > int(first["id"])
    r = await client.get(f"/api/v1/webhook-subscriptions/{sub['id']}", headers=await auth("school_owner"))
    assert r.json()["last_seq"] == int(events[1]["id"])


async def test_a_failure_is_retried_with_back_off_and_order_is_kept(client, auth, app, db, http_allowed):
    with Receiver() as receiver:
        sub = await _subscribe(client, auth, receiver.url)
        receiver.statuses = [500]
        first = await _offer(client, auth, TROMSO)
        assert await _deliver(app) == 0
        owner = await auth("school_owner")
        r = await client.get(f"/api/v1/webhook-subscriptions/{sub['id']}/deliveries", headers=owner)
        (attempt,) = r.json()["items"]
        assert (attempt["delivered"], attempt["response_status"], attempt["attempt"]) == (False, 500, 1)
        state = (await client.get(f"/api/v1/webhook-subscriptions/{sub['id']}", headers=owner)).json()
        assert state["failures"] == 1 and state["next_attempt_at"] and state["last_seq"] == sub["last_seq"]
        # Not due yet: nothing is sent, and a later event waits behind the failed one.
        r = await client.post(f"/api/v1/offers/{first['id']}/decline", json={"note": "Nei"}, headers=owner)
        assert r.status_code == 200
        assert await _deliver(app) == 0 and len(receiver.received) == 1
        row = await db.get(WebhookSubscription, __import__("uuid").UUID(sub["id"]))
        row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        await db.commit()
        assert await _deliver(app) == 2
        actions = [_verify(d)["data"]["action"] for d in receiver.received]
    assert actions == ["create", "create", "decline"]
    assert backoff(1, TIMING) == 60 and backoff(3, TIMING) == 240 and backoff(10, TIMING) == 600


async def test_redelivery_on_request_and_a_paused_subscription_waits(client, auth, app, http_allowed):
    with Receiver() as receiver:
        sub = await _subscribe(client, auth, receiver.url)
        await _offer(client, auth, TROMSO)
        assert await _deliver(app) == 1
        owner = await auth("school_owner")
        r = await client.post(
            f"/api/v1/webhook-subscriptions/{sub['id']}/redeliver", json={"after_seq": sub["last_seq"]}, headers=owner
        )
        assert r.status_code == 200
        assert await _deliver(app) == 1 and len(receiver.received) == 2
        assert receiver.received[0]["body"] == receiver.received[1]["body"]
        r = await client.get(f"/api/v1/webhook-subscriptions/{sub['id']}", headers=owner)
        r = await client.patch(
            f"/api/v1/webhook-subscriptions/{sub['id']}",
            json={"active": False},
            headers=owner | {"If-Match": f'"{r.json()["version"]}"'},
        )
        assert r.status_code == 200
        await client.post(
            "/api/v1/enrolments",
            json={"programme": "desentralisert", "school_owner_id": TROMSO, "start_year": 2026},
            headers=await auth("directorate"),
        )
        assert await _deliver(app) == 0


async def test_the_worker_loop_delivers_until_stopped(client, auth, app, http_allowed):
    import asyncio

    with Receiver() as receiver:
        await _subscribe(client, auth, receiver.url)
        await _offer(client, auth, TROMSO)
        stop = asyncio.Event()
        task = asyncio.create_task(run_worker(app.state.sessionmaker, TIMING, 0.05, stop))
        for _ in range(100):
            if receiver.received:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await task
        assert len(receiver.received) == 1


async def test_callbacks_must_be_https_and_subscriptions_are_the_owners(client, auth, db):
    owner = await auth("school_owner")
    r = await client.post(
        "/api/v1/webhook-subscriptions",
        json={"callback_url": "http://example.org/hook", "secret": SECRET},
        headers=owner,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/callback_url"
    r = await client.post(
        "/api/v1/webhook-subscriptions",
        json={"callback_url": "https://example.org/hook", "secret": SECRET},
        headers=owner,
    )
    assert r.status_code == 201
    sid = r.json()["id"]
    assert (
        await client.get(f"/api/v1/webhook-subscriptions/{sid}", headers=await auth("school_owner", BERGEN))
    ).status_code == 404
    assert (
        await client.get(f"/api/v1/webhook-subscriptions/{sid}", headers=await auth("directorate"))
    ).status_code == 200
    count = await db.scalar(sa.select(sa.func.count()).select_from(WebhookSubscription))
    assert count == 1
