"""Rate limits per client: 429 problem+json with Retry-After; in Redis the count is shared between processes."""

from __future__ import annotations

import os

import pytest

from app.core.ratelimit import MemoryLimiter, RedisLimiter

pytestmark = pytest.mark.anyio


@pytest.fixture
def limited(app):
    original = app.state.limiter
    app.state.limiter = MemoryLimiter(3)
    yield app
    app.state.limiter = original


async def test_the_fourth_request_in_a_minute_is_429_with_retry_after(client, auth, limited):
    headers = await auth("school_owner")
    for _ in range(3):
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    r = await client.get("/api/v1/me", headers=headers)
    assert r.status_code == 429
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert r.json()["type"] == "/problems/too-many-requests"
    # Another client has its own count.
    assert (await client.get("/api/v1/me", headers=await auth("school_owner"))).status_code == 200


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    import socket

    host, port = url.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("no Redis on 127.0.0.1:6379")
    return url


async def test_two_processes_share_one_count_in_redis(client, auth, app):
    url = _redis_url()
    first, second = RedisLimiter(3, url), RedisLimiter(3, url)  # two workers' limiters
    original = app.state.limiter
    headers = await auth("county_governor")
    try:
        counts = []
        for limiter in (first, second, first, second):
            app.state.limiter = limiter
            counts.append((await client.get("/api/v1/me", headers=headers)).status_code)
        assert counts == [200, 200, 200, 429]
    finally:
        app.state.limiter = original
        await first.redis.aclose()
        await second.redis.aclose()
