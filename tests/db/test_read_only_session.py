"""GET requests run in a read-only session: a write made through it fails loudly instead of committing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.db.session import make_read_sessionmaker
from app.reference.models import County

pytestmark = pytest.mark.anyio


async def test_a_read_session_refuses_to_flush_a_change(app):
    async with make_read_sessionmaker(app.state.engine)() as session:
        county = await session.get(County, "NO-55")
        assert county is not None
        county.number = "99"
        with pytest.raises(RuntimeError, match="read-only"):
            await session.flush()


async def test_a_read_session_refuses_update_statements(app):
    async with make_read_sessionmaker(app.state.engine)() as session:
        with pytest.raises(RuntimeError, match="read-only"):
            await session.execute(sa.update(County).where(County.id == "NO-55").values(number="99"))
        assert (await session.scalar(sa.select(County.number).where(County.id == "NO-55"))) == "55"


async def test_a_read_session_reads(app):
    async with make_read_sessionmaker(app.state.engine)() as session:
        assert await session.scalar(sa.select(sa.func.count()).select_from(County)) >= 15
