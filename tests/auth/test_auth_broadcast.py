"""With REDIS_URL, a client disabled through one worker is refused by every worker at once, as by one worker.

A real server with two worker processes: each holds verified principals for an hour (AUTH_CACHE_SECONDS), so
without the broadcast the worker that did not commit the change would keep answering the disabled client.
"""

from __future__ import annotations

import asyncio
import json
import signal

import httpx
import pytest

from tests.core.test_rate_limit import _redis_url
from tests.reliability.test_crash import _env, _port, _run, _start

pytestmark = pytest.mark.anyio
ROUNDS = 40


async def _statuses(url: str, headers: dict[str, str]) -> set[int]:
    """Status of GET /me sent ROUNDS times, each on a new connection (so both workers answer some)."""
    seen = set()
    for _ in range(ROUNDS):
        async with httpx.AsyncClient(timeout=10) as http:
            seen.add((await http.get(url, headers=headers)).status_code)
    return seen


async def test_a_client_disabled_through_one_worker_is_refused_by_all_at_once(tmp_path):
    port = _port()
    env = _env(tmp_path, port) | {"REDIS_URL": _redis_url(), "AUTH_CACHE_SECONDS": "3600"}
    _run(env, "setup")
    udir = _run(env, "mint-token", "--role", "directorate", "--org", "970018131").splitlines()[-1]
    created = json.loads(_run(env, "create-client", "--name", "cg", "--role", "county_governor", "--org", "974760665"))
    server = await _start(env, port, "--workers", "2")
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            token = await http.post(
                f"{base}/api/v1/auth/token",
                data={"grant_type": "client_credentials", **{k: created[k] for k in ("client_id", "client_secret")}},
            )
            assert token.status_code == 200, token.text
            cg = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert await _statuses(f"{base}/api/v1/me", cg) == {200}

            admin = {"Authorization": f"Bearer {udir}"}
            current = await http.get(f"{base}/api/v1/clients/{created['client_id']}", headers=admin)
            disabled = await http.patch(
                f"{base}/api/v1/clients/{created['client_id']}",
                json={"enabled": False},
                headers=admin | {"If-Match": current.headers["ETag"]},
            )
            assert disabled.status_code == 200, disabled.text
        await asyncio.sleep(0.5)
        assert await _statuses(f"{base}/api/v1/me", cg) == {401}
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
