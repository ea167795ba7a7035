"""Concurrent sub-allocations from one parent, each in its own transaction on its own connection (PostgreSQL)."""

from __future__ import annotations

import asyncio
import os
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent, OutboxEvent
from app.auth.principal import Principal, Role
from app.core.errors import RuleViolation
from app.db.session import session_scope
from app.enrolments.models import Enrolment, EnrolmentPhase
from app.funding.models import Allocation
from app.funding.schemas import AllocationCreate
from app.funding.service import create_allocation
from app.programmes.service import find_programme
from app.reference.models import Organisation
from tests.auth.subjects import SYSTEM
from tests.conftest import BERGEN, CG_VESTLAND

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="SQLite serialises writers: the race needs PostgreSQL (CI runs it there)",
    ),
]
CG = Principal(Role.county_governor, CG_VESTLAND, frozenset({"read", "write"}), "race", "tests")


async def test_parallel_sub_allocations_never_exceed_the_parent(app):
    from app.enrolments.service.enrolling import enrol

    factory = app.state.sessionmaker
    async for s in session_scope(factory):
        programme = await find_programme(s, "desentralisert")
        owner = await s.get(Organisation, BERGEN)
        enrolment = await enrol(s, SYSTEM, programme=programme, owner=owner, start_year=2029, enrolled_by=CG_VESTLAND)
        parent = await create_allocation(
            s,
            SYSTEM,
            data=AllocationCreate(programme="desentralisert", year=2029, recipient_id=CG_VESTLAND, amount="1000.00"),
        )
    try:

        async def one() -> str:
            try:
                async for s in session_scope(factory):
                    await create_allocation(
                        s, CG, data=AllocationCreate(recipient_id=BERGEN, parent_id=parent.id, amount="150.00")
                    )
                return "created"
            except RuleViolation as exc:
                return str(exc.extra["rule"])

        outcomes = await asyncio.gather(*(one() for _ in range(16)))
        assert outcomes.count("created") == 6  # 6 x 150 = 900; a 7th would make 1050
        assert set(outcomes) == {"created", "allocation-exceeds-parent"}
        async for s in session_scope(factory):
            total = await s.scalar(sa.select(sa.func.sum(Allocation.amount)).where(Allocation.parent_id == parent.id))
            kept = await s.get(Allocation, parent.id)
            assert total == kept.sub_allocated == Decimal("900.00")
    finally:
        async for s in session_scope(factory):
            ids = [str(i) for i in (await s.scalars(sa.select(Allocation.id).where(Allocation.year == 2029))).all()]
            audit = sa.select(AuditEvent.id).where(AuditEvent.resource_id.in_([*ids, str(enrolment.id)]))
            await s.execute(sa.delete(OutboxEvent).where(OutboxEvent.audit_event_id.in_(audit)))
            await s.execute(sa.delete(AuditEvent).where(AuditEvent.resource_id.in_([*ids, str(enrolment.id)])))
            await s.execute(sa.delete(Allocation).where(Allocation.parent_id == parent.id))
            await s.execute(sa.delete(Allocation).where(Allocation.id == parent.id))
            await s.execute(sa.delete(EnrolmentPhase).where(EnrolmentPhase.enrolment_id == enrolment.id))
            await s.execute(sa.delete(Enrolment).where(Enrolment.id == enrolment.id))
