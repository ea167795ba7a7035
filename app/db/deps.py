"""The request's session: one transaction, committed before the response is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

DRY_RUN = "dry_run"


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Commit when the endpoint succeeds, roll back when it raises or when the request is a dry run."""
    reads = request.method in ("GET", "HEAD")
    factory = request.app.state.read_sessionmaker if reads else request.app.state.sessionmaker
    async with request.app.state.db_slots.hold(), factory() as session:
        try:
            yield session
            if reads:
                # Nothing to commit (a read-only session refuses writes), and on PostgreSQL reads run in
                # autocommit: closing the session releases its connection.
                return
            if session.info.get(DRY_RUN):
                await session.rollback()
            else:
                await session.commit()
        except BaseException:
            await session.rollback()
            raise
