"""Write the audit record and the outbox event of a change, in the change's own transaction."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent, OutboxEvent
from app.core.context import audit_reason_var, request_id_var

# Any constant: the key of the transaction-level advisory lock that orders outbox writers.
OUTBOX_LOCK_KEY = 7_301_924_611


class Actor(Protocol):
    @property
    def client_id(self) -> str | None: ...
    @property
    def org_id(self) -> str | None: ...
    @property
    def role(self) -> str | None: ...


@dataclass(frozen=True)
class SystemActor:
    client_id: str | None = "system"
    org_id: str | None = None
    role: str | None = "system"


@dataclass(frozen=True)
class Concerns:
    """Whom a change concerns: the keys by which readers of audit and events are scoped."""

    subject_org_id: str | None = None
    municipality_id: str | None = None
    county_id: str | None = None
    programme_id: Any = None


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: jsonable(getattr(obj, f)) for f in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """{field: {"before": old, "after": new}} for every field whose value changed."""
    keys = list(dict.fromkeys([*before, *after]))
    return {k: {"before": before.get(k), "after": after.get(k)} for k in keys if before.get(k) != after.get(k)}


async def record_change(
    session: AsyncSession,
    actor: Actor,
    *,
    action: str,
    resource_type: str,
    resource_id: str,
    changes: dict[str, Any],
    concerns: Concerns,
    version: int | None = None,
) -> AuditEvent:
    """Append the audit record and the feed event. Call it last in a service, just before the commit."""
    audit = AuditEvent(
        actor_client_id=actor.client_id,
        actor_org_id=actor.org_id,
        actor_role=actor.role,
        action=action,
        resource_type=resource_type,
        resource_id=resource_id,
        changes=jsonable(changes),
        reason=audit_reason_var.get(),
        request_id=request_id_var.get(),
        subject_org_id=concerns.subject_org_id,
        municipality_id=concerns.municipality_id,
        county_id=concerns.county_id,
    )
    session.add(audit)
    await session.flush()
    event = {
        "resource_type": resource_type,
        "resource_id": resource_id,
        "action": action,
        "version": version,
        "subject_org_id": concerns.subject_org_id,
        "municipality_id": concerns.municipality_id,
        "county_id": concerns.county_id,
        "programme_id": concerns.programme_id,
        "audit_event_id": audit.id,
        "occurred_at": audit.occurred_at,
    }
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # Held to commit: writers append to the outbox one at a time, so seq order is commit order and a reader
        # following `after=<seq>` never skips an event that commits late. The lock is taken in the insert's own
        # statement, before its row draws a seq: one round trip fewer while every other writer waits for it.
        await session.execute(_locked_outbox_insert(tuple(event)), event)
    else:
        session.add(OutboxEvent(**event))
        await session.flush()
    return audit


@functools.cache
def _locked_outbox_insert(columns: tuple[str, ...]) -> sa.Insert:
    """INSERT INTO outbox_events (columns) SELECT :columns FROM (SELECT pg_advisory_xact_lock(key)) AS outbox_lock.

    The subquery holds a volatile function, so PostgreSQL runs it (takes the lock) before it forms the row and
    draws the seq from its sequence.
    """
    table = cast(sa.Table, OutboxEvent.__table__)
    lock = sa.select(sa.func.pg_advisory_xact_lock(OUTBOX_LOCK_KEY).label("locked")).subquery("outbox_lock")
    values = sa.select(*(sa.bindparam(c, type_=table.c[c].type) for c in columns)).select_from(lock)
    return sa.insert(table).from_select(list(columns), values)
