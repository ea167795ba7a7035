"""The webhook worker: its own process (`python -m app webhook-worker`), or a task in the API process."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from app.core.config import Settings
from app.webhooks.delivery import Timing, run_worker


def timing_of(settings: Settings) -> Timing:
    return Timing(
        timeout=settings.webhook_timeout_seconds,
        base=settings.webhook_retry_base_seconds,
        cap=settings.webhook_retry_cap_seconds,
    )


def start_in_process_worker(app: Any) -> Callable[[], Awaitable[None]]:
    """The embedded mode: deliver from inside the API process; returns the function that stops it."""
    settings: Settings = app.state.settings
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_worker(app.state.sessionmaker, timing_of(settings), settings.webhook_poll_seconds, stop)
    )

    async def shutdown() -> None:
        stop.set()
        await task

    return shutdown


async def run_standalone(settings: Settings) -> None:
    """Run until SIGTERM or SIGINT, then finish the delivery in hand and stop."""
    from app.core.logging import configure_logging
    from app.db.session import make_engine, make_sessionmaker

    configure_logging(settings.log_level)
    engine = make_engine(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await run_worker(make_sessionmaker(engine), timing_of(settings), settings.webhook_poll_seconds, stop)
    finally:
        await engine.dispose()
