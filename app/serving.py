"""`serve`: the API in one uvicorn process, or in several workers that each take their own share of connections.

With `--workers N`, uvicorn binds one listening socket in its supervisor and every worker accepts from it.
asyncio accepts every connection waiting on the socket when it wakes, so the worker that wakes first takes a
whole burst: measured under wrk's 64 keep-alive connections, one worker of two took all of them in one run
of two (bench/README.md), and two workers served no more than one. Clients that keep their connections open
(integrations, proxies) stay on the worker that took them.

On Linux each worker binds a socket of its own to the same address with SO_REUSEPORT instead, and the kernel
spreads new connections over the workers' sockets by a hash of each connection's addresses. uvicorn's own
supervisor still starts, restarts and stops the workers: it hands each worker it starts a `ReusePortBinding`,
which arrives in the worker's process as a fresh socket bound there. A socket joins the group that shares
connections when it listens, which uvicorn does once the worker's application has started, so a starting
worker is handed no connections.

Elsewhere (the kernel does not spread connections over such sockets), with `--reload`, and with one worker,
uvicorn runs as it comes.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any, cast

from app.core.config import Settings

logger = logging.getLogger("uvicorn.error")


def spreads_connections() -> bool:
    """Whether the kernel spreads a port's connections over several sockets bound with SO_REUSEPORT."""
    return sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")


def bind_reuse_port(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with SO_REUSEPORT, not yet listening.

    Its protocol is given as TCP, not left at 0: the connections it accepts inherit it, and asyncio turns off
    Nagle's algorithm (TCP_NODELAY) only on a connection whose protocol says TCP. Left at 0, as uvicorn's own
    multi-worker socket is (uvicorn issue 3149), each response on a kept-alive connection waited for the
    client's delayed acknowledgement of its first part: 40 ms, measured (bench/README.md).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def already_listening(host: str, port: int) -> bool:
    """Whether something accepts connections on (host, port)."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class ReusePortBinding:
    """Where a worker's socket is to be bound. Pickled into a worker's process (as uvicorn's supervisor does
    with the sockets it hands each worker it starts), it arrives as a socket bound there (`bind_reuse_port`)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self) -> tuple[Any, tuple[str, int]]:
        return bind_reuse_port, (self.host, self.port)


def serve(settings: Settings, *, workers: int, reload: bool) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    options: dict[str, Any] = {"factory": True, "host": settings.host, "port": settings.port, "log_config": None}
    if workers == 1 or reload or not spreads_connections():
        uvicorn.run("app.main:create_app", workers=workers, reload=reload, **options)
        return
    config = uvicorn.Config("app.main:create_app", workers=workers, **options)
    # Fail here, not in every worker the supervisor would keep restarting, when the address cannot be bound; and
    # when a server already listens there: sharing its port, the workers would join it instead of failing.
    if already_listening(settings.host, settings.port):
        logger.error("%s:%d is already in use", settings.host, settings.port)
        sys.exit(1)
    try:
        bind_reuse_port(settings.host, settings.port).close()
    except OSError as exc:
        logger.error("cannot bind %s:%d: %s", settings.host, settings.port, exc)
        sys.exit(1)
    logger.info(
        "Uvicorn running on http://%s:%d with %d workers, each with its own socket (SO_REUSEPORT)",
        settings.host,
        settings.port,
        workers,
    )
    Multiprocess(config, sockets=[cast(socket.socket, ReusePortBinding(settings.host, settings.port))]).run()
