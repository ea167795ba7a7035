"""Every error the service can produce is application/problem+json."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert {"type", "title", "status", "detail", "instance"} <= set(body)
    assert body["status"] == status
    return body


async def test_unknown_route_is_404_problem(client):
    body = assert_problem(await client.get("/api/v1/no-such-thing"), 404)
    assert body["instance"] == "/api/v1/no-such-thing"


async def test_wrong_method_is_405_problem(client, auth):
    assert_problem(await client.delete("/api/v1/municipalities", headers=await auth("directorate")), 405)


async def test_validation_names_every_bad_field(client, auth):
    r = await client.post(
        "/api/v1/clients", json={"name": "", "role": "king", "scopes": ["admin"]}, headers=await auth("directorate")
    )
    body = assert_problem(r, 422)
    pointers = sorted(e["pointer"] for e in body["errors"])
    assert pointers == ["/name", "/organisation_id", "/role", "/scopes/0"]


async def test_limit_out_of_range_and_garbled_cursor_are_422_naming_the_parameter(client, auth):
    h = await auth("directorate")
    for params, name in [
        ({"limit": 0}, "limit"),
        ({"limit": 10000}, "limit"),
        ({"cursor": "%%%garbage"}, "cursor"),
        ({"cursor": "WyJ4IiwxXQ"}, "cursor"),
        ({"cursor": "WzFd"}, "cursor"),
        ({"cursor": "bm90IGpzb24"}, "cursor"),
    ]:
        body = assert_problem(await client.get("/api/v1/municipalities", params=params, headers=h), 422)
        assert [e["pointer"] for e in body["errors"]] == [name], params


async def test_body_over_the_limit_is_413_problem(client, auth):
    h = await auth("directorate")
    headers = {**h, "content-type": "application/json"}
    r = await client.post("/api/v1/clients", content=b"x" * (65 * 1024), headers=headers)
    assert_problem(r, 413)


async def test_chunked_body_over_the_limit_is_413_problem(client, auth):
    h = await auth("directorate")

    async def chunks():
        for _ in range(70):
            yield b"x" * 1024

    r = await client.post("/api/v1/clients", content=chunks(), headers={**h, "content-type": "application/json"})
    assert_problem(r, 413)


async def test_unhandled_error_is_500_without_internals_and_with_request_id(app, client, auth, monkeypatch):
    from app.reference import service

    async def boom(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM internals")

    monkeypatch.setattr(service, "get_county", boom)
    r = await client.get("/api/v1/counties/NO-55", headers={**await auth("directorate"), "X-Request-ID": "trace-500"})
    body = assert_problem(r, 500)
    assert "SELECT" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    assert body["request_id"] == "trace-500"
    assert r.headers["x-request-id"] == "trace-500"


async def test_request_id_is_echoed_or_generated(client):
    r = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    r = await client.get("/health/live")
    assert len(r.headers["x-request-id"]) == 32
    r = await client.get("/health/live", headers={"X-Request-ID": "bad id with spaces\n"})
    assert r.headers["x-request-id"] != "bad id with spaces\n"
