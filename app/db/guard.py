"""Inserting where a unique constraint may refuse: the refusal becomes the project's error, not a 500."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_guarded(session: AsyncSession, obj: Any, error: Exception) -> None:
    """Insert `obj` in a savepoint; if a constraint refuses it, raise `error` with the transaction still usable.

    The session is flushed first so that nothing else pending goes out inside the savepoint
    (`begin_nested()` flushes pending objects *before* it opens the savepoint).
    """
    await session.flush()
    try:
        async with session.begin_nested():
            session.add(obj)
            await session.flush()
    except IntegrityError as exc:
        raise error from exc
