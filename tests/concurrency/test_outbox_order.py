"""Outbox writers append one at a time (app/audit/service.py): a writer whose change is not yet committed holds
the others back until it commits, so the feed's seq order is commit order and a reader following `after=<seq>`
never skips an event that commits late."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from app.audit.models import OutboxEvent
from app.audit.service import Concerns, SystemActor, record_change
from tests.concurrency.conftest import postgres_only

pytestmark = [pytest.mark.anyio, postgres_only]


async def _write(session, name: str) -> int:
    audit = await record_change(
        session,
        SystemActor(),
        action="test",
        resource_type="outbox_order",
        resource_id=name,
        changes={"name": name},
        concerns=Concerns(),
    )
    seq = await session.scalar(sa.select(OutboxEvent.seq).where(OutboxEvent.audit_event_id == audit.id))
    assert seq is not None
    return seq


async def test_a_second_writer_waits_for_the_first_to_commit_and_comes_after_it(live_app):
    factory = live_app.state.sessionmaker
    async with factory() as first, factory() as second:
        first_seq = await _write(first, "first")

        async def later() -> int:
            seq = await _write(second, "second")
            await second.commit()
            return seq

        waiting = asyncio.create_task(later())
        await asyncio.sleep(0.5)
        assert not waiting.done()  # held back while the first change is uncommitted
        await first.commit()
        second_seq = await asyncio.wait_for(waiting, 10)
    assert second_seq > first_seq
    async with factory() as reader:
        names = (
            await reader.scalars(
                sa.select(OutboxEvent.resource_id)
                .where(OutboxEvent.resource_type == "outbox_order")
                .order_by(OutboxEvent.seq)
            )
        ).all()
    assert names[-2:] == ["first", "second"]
