"""kill -9 the server during a stream of writes with Idempotency-Keys: after a restart every acknowledged
write is there exactly once, retried keys replay instead of creating twice, and nothing is half-written."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.core.config import PROJECT_ROOT

pytestmark = pytest.mark.anyio
WRITES = 60


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp: Path, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'crash.db'}",
        "SIGNING_KEYS_DIR": str(tmp / "keys"),
        "GENERATE_SIGNING_KEY": "true",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PER_MINUTE": "0",
    }


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "app", *args], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _spawn(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 (our own CLI)
        [sys.executable, "-m", "app", "serve", *args],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _start(env: dict[str, str], port: int, *args: str) -> subprocess.Popen[bytes]:
    """`python -m app serve` (with `args`), once it answers /health/ready."""
    server = _spawn(env, *args)
    async with httpx.AsyncClient() as http:
        for _ in range(150):
            try:
                if (await http.get(f"http://127.0.0.1:{port}/health/ready")).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def _body(i: int) -> dict[str, str]:
    return {"kind": "private_school_owner", "name": f"Krasjtest skole {i}", "municipality_id": "NO-5501"}


async def test_acknowledged_writes_survive_kill_9_exactly_once(tmp_path):
    port = _port()
    env = _env(tmp_path, port)
    _run(env, "setup")
    token = _run(env, "mint-token", "--role", "directorate", "--org", "970018131").splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    base = f"http://127.0.0.1:{port}/api/v1"
    server = await _start(env, port)
    acknowledged: dict[int, str] = {}
    enough = asyncio.Event()

    async def write(http: httpx.AsyncClient, i: int) -> None:
        try:
            r = await http.post(
                f"{base}/organisations", json=_body(i), headers=headers | {"Idempotency-Key": f"crash-{i}"}
            )
            if r.status_code == 201:
                acknowledged[i] = r.json()["id"]
                if len(acknowledged) >= 5:
                    enough.set()
        except httpx.HTTPError:
            pass  # the server died under this request: not acknowledged

    async with httpx.AsyncClient(timeout=10) as http:
        tasks = []
        for i in range(WRITES):
            tasks.append(asyncio.create_task(write(http, i)))
            await asyncio.sleep(0.01)
            if i == WRITES // 2:
                await asyncio.wait_for(enough.wait(), timeout=60)
                os.kill(server.pid, signal.SIGKILL)
        await asyncio.gather(*tasks)
    server.wait()
    assert 5 <= len(acknowledged) < WRITES

    server = await _start(env, port)
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            for i in range(WRITES):  # the client retries every request with its key
                r = await http.post(
                    f"{base}/organisations", json=_body(i), headers=headers | {"Idempotency-Key": f"crash-{i}"}
                )
                assert r.status_code == 201, r.text
                if i in acknowledged:
                    assert r.headers.get("Idempotent-Replayed") == "true"
                    assert r.json()["id"] == acknowledged[i]
            found = []
            cursor = None
            while True:
                params = {"kind": "private_school_owner", "limit": 500} | ({"cursor": cursor} if cursor else {})
                page = (await http.get(f"{base}/organisations", params=params, headers=headers)).json()
                found += [o for o in page["items"] if o["name"].startswith("Krasjtest")]
                cursor = page["next_cursor"]
                if not cursor:
                    break
            names = [o["name"] for o in found]
            assert sorted(names) == sorted(_body(i)["name"] for i in range(WRITES))  # each exactly once
            for org in found:  # nothing half-written: every organisation has its audit record and feed event
                audit = (
                    await http.get(f"{base}/audit-events", params={"resource_id": org["id"]}, headers=headers)
                ).json()
                assert [a["action"] for a in audit["items"]] == ["create"], org
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
