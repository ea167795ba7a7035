"""Migrations are the only way the schema is made: they match the models, and they go down and up again."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.models import metadata
from app.db.session import make_engine
from tests.conftest import migrate


def _diff(settings) -> list:
    async def run() -> list:
        engine = make_engine(settings)
        async with engine.connect() as conn:
            diffs = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), metadata)
            )
        await engine.dispose()
        return diffs

    return asyncio.run(run())


def test_models_and_migrations_do_not_differ(settings, migrated):
    assert _diff(settings) == []


def _scratch_postgres(url: str, action: str) -> str:
    """Create or drop a scratch database beside the test database; returns its URL."""
    base = make_url(url)
    name = f"{base.database}_roundtrip"

    async def run() -> None:
        engine = create_async_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            if action == "create":
                await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        await engine.dispose()

    asyncio.run(run())
    return base.set(database=name).render_as_string(hide_password=False)


def test_upgrade_downgrade_upgrade(tmp_path, settings):
    if settings.is_sqlite:
        url = f"sqlite+aiosqlite:///{tmp_path / 'roundtrip.db'}"
    else:
        url = _scratch_postgres(settings.database_url, "create")
    try:
        migrate(url)
        migrate(url, "base", down=True)
        migrate(url)
        assert _diff(settings.model_copy(update={"database_url": url})) == []
    finally:
        if not settings.is_sqlite:
            _scratch_postgres(settings.database_url, "drop")
