"""Timestamps come back as aware datetimes in UTC on both databases, whatever offset they were written with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.core.records import read_records
from app.reference.models import County

pytestmark = pytest.mark.anyio

OSLO_SUMMER = timezone(timedelta(hours=2))


async def _write_and_read(db, written: datetime) -> tuple[datetime, datetime]:
    await db.execute(sa.update(County).where(County.id == "NO-55").values(updated_at=written))
    if db.get_bind().dialect.name == "postgresql":
        # The session's time zone must not leak into what is read (asyncpg decodes timestamptz as UTC).
        await db.execute(sa.text("SET LOCAL TimeZone = 'Europe/Oslo'"))
    db.expunge_all()
    through_orm = await db.scalar(sa.select(County.updated_at).where(County.id == "NO-55"))
    (record,) = await read_records(db, sa.select(County.updated_at.label("updated_at")).where(County.id == "NO-55"))
    return through_orm, record.updated_at


async def test_a_timestamp_written_with_an_offset_is_read_back_in_utc(db):
    written = datetime(2026, 6, 1, 12, 0, 0, 123456, tzinfo=OSLO_SUMMER)
    for value in await _write_and_read(db, written):
        assert value == written
        assert value.tzinfo is UTC
        assert (value.hour, value.microsecond) == (10, 123456)


async def test_a_naive_timestamp_is_refused(db):
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        await db.execute(sa.update(County).where(County.id == "NO-55").values(updated_at=datetime(2026, 6, 1)))
