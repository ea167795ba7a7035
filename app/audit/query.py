"""Reading the audit log and the change feed, scoped to the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditEvent, OutboxEvent
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.statements import built_once
from app.reference.service import ListQuery


def list_audit_events(principal: Principal, **filters: Any) -> ListQuery:
    """The list's statement; `filters` are those of `_audit_events`, which builds it once per caller and filters."""
    require(principal, Perm.audit_read)
    return _audit_events(principal, **filters)


@built_once
def _audit_events(
    principal: Principal,
    *,
    resource_type: str | None,
    resource_id: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
) -> ListQuery:
    stmt = sa.select(AuditEvent).where(policy.audit_events(principal))
    if resource_type:
        stmt = stmt.where(AuditEvent.resource_type == resource_type)
    if resource_id:
        stmt = stmt.where(AuditEvent.resource_id == resource_id)
    if actor:
        stmt = stmt.where(sa.or_(AuditEvent.actor_client_id == actor, AuditEvent.actor_org_id == actor))
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    return ListQuery(stmt, (AuditEvent.id,))


def list_events(
    principal: Principal, *, after: int, resource_type: str | None, county: str | None, municipality: str | None
) -> ListQuery:
    require(principal, Perm.events_read)
    stmt = sa.select(OutboxEvent).where(OutboxEvent.seq > after, policy.events(principal))
    if resource_type:
        stmt = stmt.where(OutboxEvent.resource_type == resource_type)
    if county:
        stmt = stmt.where(OutboxEvent.county_id == county)
    if municipality:
        stmt = stmt.where(OutboxEvent.municipality_id == municipality)
    return ListQuery(stmt, (OutboxEvent.seq,))
