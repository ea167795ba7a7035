"""Several workers share the connections: each binds its own socket (SO_REUSEPORT) and the kernel spreads
new connections over them, instead of the first worker to wake taking a whole burst (app/serving.py)."""

from __future__ import annotations

import asyncio
import pickle
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import PROJECT_ROOT
from app.serving import ReusePortBinding, spreads_connections
from tests.reliability.test_crash import _env, _port, _run, _start

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not spreads_connections(), reason="the kernel spreads connections over sockets on Linux only"),
]
CONNECTIONS = 24


def test_a_binding_arrives_in_a_worker_as_a_socket_of_its_own():
    port = _port()
    first = pickle.loads(pickle.dumps(ReusePortBinding("127.0.0.1", port)))  # noqa: S301 (our own object)
    second = pickle.loads(pickle.dumps(ReusePortBinding("127.0.0.1", port)))  # noqa: S301
    try:
        assert isinstance(first, socket.socket)
        assert first.getsockname() == second.getsockname() == ("127.0.0.1", port)
        assert first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
        assert first.fileno() != second.fileno()
    finally:
        first.close()
        second.close()


async def test_connections_a_worker_accepts_send_at_once():
    """Nagle's algorithm off (TCP_NODELAY) on every accepted connection, as uvicorn's single process has it.

    With it on, the second part of each response on a kept-alive connection waited for the client's delayed
    acknowledgement of the first (40 ms): two workers answered /health/live 1,450 times a second, one 5,900.
    """
    sock = pickle.loads(pickle.dumps(ReusePortBinding("127.0.0.1", _port())))  # noqa: S301 (our own object)
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Report(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            peer = transport.get_extra_info("socket")
            accepted.set_result(peer.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Report, sock=sock)
    try:
        _, writer = await asyncio.open_connection(*sock.getsockname())
        assert await asyncio.wait_for(accepted, 10) == 1
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_a_port_taken_without_sharing_is_refused():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError):
            pickle.loads(pickle.dumps(ReusePortBinding("127.0.0.1", taken.getsockname()[1])))  # noqa: S301


def _tcp(port: int, state: str) -> list[str]:
    """The inodes of the TCP sockets on local `port` in `state` (01 established, 0A listening)."""
    found = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            found.append(fields[9])
    return found


def _established(pid: int, port: int) -> int:
    """How many established TCP connections to `port` the process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return sum(1 for inode in _tcp(port, "01") if inode in inodes)


def _workers(pid: int) -> list[int]:
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


async def test_two_workers_both_take_a_burst_of_connections(tmp_path):
    port = _port()
    env = _env(tmp_path, port)
    _run(env, "setup")
    server = await _start(env, port, "--workers", "2")
    try:
        workers = _workers(server.pid)
        assert len(workers) == 2
        for _ in range(300):  # a worker listens once its application has started: wait for the second
            if len(_tcp(port, "0A")) == 2:
                break
            await asyncio.sleep(0.1)
        assert len(_tcp(port, "0A")) == 2, "each worker listens on a socket of its own"
        # A burst, as a client that opens its pool at once: every connection open before any is answered.
        streams = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in range(CONNECTIONS)))
        for _, writer in streams:
            writer.write(b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answers = await asyncio.gather(*(reader.readuntil(b"\r\n\r\n") for reader, _ in streams))
        assert all(a.startswith(b"HTTP/1.1 200") for a in answers)
        held = [_established(w, port) for w in workers]
        assert sum(held) == CONNECTIONS
        assert min(held) > 0, f"one worker took every connection: {held}"
        for _, writer in streams:
            writer.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def _serve_two_workers(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`serve --workers 2`, expected to refuse to start (a server that starts would run into the timeout)."""
    return subprocess.run(
        [sys.executable, "-m", "app", "serve", "--workers", "2"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_refuses_a_port_another_server_listens_on(tmp_path):
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # could be shared: serve must not join it
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _serve_two_workers(_env(tmp_path, port))
    assert done.returncode == 1


def test_serve_refuses_an_address_it_cannot_bind(tmp_path):
    env = {**_env(tmp_path, _port()), "HOST": "192.0.2.1"}  # TEST-NET-1: no address of this machine
    done = _serve_two_workers(env)
    assert done.returncode == 1
    assert "cannot bind 192.0.2.1" in done.stderr
