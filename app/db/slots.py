"""First come, first served admission to the connection pool.

SQLAlchemy's asyncio pool hands a returned connection to whoever asks next: a request that had been waiting
for one, woken by the return, often finds a request that just arrived has taken it, and goes back to the end
of the queue. Under load (64 concurrent clients, 20 connections) most requests never waited, while some
waited seconds (measured: pool waits p50 0 ms, p99 625 ms, max 5.9 s). Requests now take a slot, in the order
they asked, before their session can take a connection; there are as many slots as the connections the pool
keeps open (app/db/session.request_slots), so a request holding a slot never waits for the pool.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ConnectionSlots:
    def __init__(self, size: int | None) -> None:
        """`size`: the connections the pool keeps open; None admits everyone at once (SQLite)."""
        self.size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None

    def _current(self) -> asyncio.Semaphore | None:
        """The semaphore of the running event loop (the app may be served by several loops in turn, e.g. tests)."""
        if self.size is None:
            return None
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:
            self._loop, self._semaphore = loop, asyncio.Semaphore(self.size)
        return self._semaphore

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        """Wait for a slot, first come first served (asyncio.Semaphore lets no newcomer pass a waiter)."""
        semaphore = self._current()
        if semaphore is None:
            yield
            return
        async with semaphore:
            yield
