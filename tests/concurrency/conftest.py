"""A PostgreSQL database of its own for tests whose requests commit in parallel (created, then dropped)."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.audit.service import SystemActor
from app.core.config import Settings
from app.db.session import session_scope
from app.main import create_app
from app.programmes.service import load_shipped_programmes
from app.reference.loader import load_reference_data
from tests.conftest import migrate

URL = os.environ.get("TEST_DATABASE_URL", "")
postgres_only = pytest.mark.skipif(
    not URL.startswith("postgresql"), reason="parallel commits need PostgreSQL (CI runs this leg there)"
)


@pytest.fixture(scope="module")
async def live_app(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    name = f"race_{secrets.token_hex(4)}"
    admin = create_async_engine(make_url(URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(URL).set(database=name).render_as_string(hide_password=False)
    try:
        await asyncio.to_thread(migrate, url)
        settings = Settings(
            database_url=url,
            signing_keys_dir=tmp_path_factory.mktemp("race-keys"),
            generate_signing_key=True,
            log_level="WARNING",
            _env_file=None,  # type: ignore[call-arg]
        )
        app = create_app(settings)
        async for s in session_scope(app.state.sessionmaker):
            await load_reference_data(s, SystemActor(client_id="system:tests"))
            await load_shipped_programmes(s, SystemActor(client_id="system:tests"))
        yield app
        await app.state.engine.dispose()
    finally:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
