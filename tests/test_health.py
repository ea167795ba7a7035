"""Health and metrics."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


async def test_live_and_ready(client):
    assert (await client.get("/health/live")).json() == {"status": "ok"}
    r = await client.get("/health/ready")
    assert r.status_code == 200 and r.json()["database"] == "ok"


async def test_ready_is_503_problem_when_the_database_is_gone(app, client):
    class Broken:
        def connect(self):
            raise OSError("connection refused")

    engine = app.state.engine
    app.state.engine = Broken()
    try:
        r = await client.get("/health/ready")
    finally:
        app.state.engine = engine
    assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json"


async def test_metrics_count_requests_by_route_template_and_status(client, auth):
    h = await auth("directorate")
    await client.get("/api/v1/municipalities/NO-5501", headers=h)
    await client.get("/api/v1/municipalities/NO-9999", headers=h)
    text = (await client.get("/metrics")).text
    assert 'route="/api/v1/municipalities/{municipality_id}",status="200"' in text
    assert 'route="/api/v1/municipalities/{municipality_id}",status="404"' in text
    assert "http_request_duration_seconds_bucket" in text
