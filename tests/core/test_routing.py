"""DomainRouter rules itself out of paths outside its routes' first segments, and only those."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from starlette.routing import Match

from app.core.routing import DomainRouter

pytestmark = pytest.mark.anyio


def _app() -> FastAPI:
    things = DomainRouter(prefix="/things")

    @things.get("")
    async def list_things() -> list[str]:
        return ["a"]

    @things.get("/{thing_id}")
    async def get_thing(thing_id: str) -> str:
        return thing_id

    by_id = DomainRouter()

    @by_id.get("/{anything}/raw")
    async def raw(anything: str) -> str:
        return anything

    api = APIRouter(prefix="/api/v1")
    api.include_router(things)
    api.include_router(by_id)
    app = FastAPI()
    app.include_router(api)
    return app


def test_first_segments():
    things = DomainRouter(prefix="/things")
    things.add_api_route("/{x}", lambda x: x)
    things.add_api_route("", lambda: None)
    assert things._first_segments() == ("/things",)
    assert things.matches({"type": "http", "path": "/api/v1/other", "method": "GET"}) == (Match.NONE, {})
    params = DomainRouter()
    params.add_api_route("/{x}/raw", lambda x: x)
    assert params._first_segments() is None


async def test_routes_behave_as_before():
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.get("/api/v1/things")).json() == ["a"]
        assert (await http.get("/api/v1/things/42")).json() == "42"
        assert (await http.post("/api/v1/things")).status_code == 405
        assert (await http.get("/api/v1/elsewhere")).status_code == 404
        assert (await http.get("/api/v1/elsewhere/raw")).json() == "elsewhere"
