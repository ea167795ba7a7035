"""Writing many rows at once inside the request's transaction: Core executemany, in batches, with progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

BATCH = 5000
Progress = Callable[[int], None]


async def execute_many(
    session: AsyncSession, stmt: Any, rows: list[dict[str, Any]], progress: Progress | None = None
) -> None:
    """Run `stmt` for every row (executemany), BATCH rows at a time; `progress(n)` after each batch."""
    conn = await session.connection()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        await conn.execute(stmt, batch)
        if progress:
            progress(len(batch))


def table_of(model: Any) -> sa.Table:
    """A mapped class's Table, typed for Core statements."""
    return cast(sa.Table, model.__table__)


def update_by_key(table: sa.Table, keys: tuple[str, ...], fields: tuple[str, ...]) -> Any:
    """UPDATE table SET fields = :fields WHERE keys = :_keys (bound per row, for executemany)."""
    where = [table.c[k] == sa.bindparam(f"_{k}") for k in keys]
    return sa.update(table).where(*where).values({f: sa.bindparam(f) for f in fields})


async def rows_in(session: AsyncSession, stmt: sa.Select[Any], column: Any, keys: list[Any]) -> list[Any]:
    """The rows of `stmt` whose `column` is one of `keys`, asked in chunks (drivers cap bound parameters)."""
    out: list[Any] = []
    for start in range(0, len(keys), BATCH):
        out.extend((await session.execute(stmt.where(column.in_(keys[start : start + BATCH])))).all())
    return out
