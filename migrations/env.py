"""Alembic environment: async engine from DATABASE_URL (or the URL handed in by the caller)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from app.core.config import get_settings
from app.db.models import metadata
from app.db.session import make_engine
from app.db.types import UTCDateTime

config = context.config


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the project's UTCDateTime as a plain timezone-aware DateTime in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _online() -> None:
    settings = get_settings()
    url = config.attributes.get("database_url") or settings.database_url
    engine = make_engine(settings.model_copy(update={"database_url": url}))
    async with engine.connect() as conn:
        await conn.run_sync(_run)
        await conn.commit()
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
connection: Any = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    asyncio.run(_online())
