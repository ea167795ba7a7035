"""The audit log and the ordered event outbox, both written in the transaction of the change."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.db.types import utcnow

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.Index("ix_audit_events_resource", "resource_type", "resource_id", "id"),
        sa.Index("ix_audit_events_county_id", "county_id", "id"),
        sa.Index("ix_audit_events_subject_org_id", "subject_org_id", "id"),
        sa.Index("ix_audit_events_actor_org_id", "actor_org_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)
    actor_client_id: Mapped[str | None] = mapped_column(sa.String(100))
    actor_org_id: Mapped[str | None] = mapped_column(sa.String(64))
    actor_role: Mapped[str | None] = mapped_column(sa.String(32))
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    resource_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    resource_id: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    reason: Mapped[str | None] = mapped_column(sa.Text)
    request_id: Mapped[str | None] = mapped_column(sa.String(128))
    subject_org_id: Mapped[str | None] = mapped_column(sa.String(64))
    municipality_id: Mapped[str | None] = mapped_column(sa.String(16))
    county_id: Mapped[str | None] = mapped_column(sa.String(16))


class OutboxEvent(Base):
    """The change feed. `seq` is the order clients follow; it equals commit order (see audit.service)."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        sa.Index("ix_outbox_events_county_id", "county_id", "seq"),
        sa.Index("ix_outbox_events_subject_org_id", "subject_org_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    resource_type: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    resource_id: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    version: Mapped[int | None] = mapped_column(sa.Integer)
    subject_org_id: Mapped[str | None] = mapped_column(sa.String(64))
    municipality_id: Mapped[str | None] = mapped_column(sa.String(16))
    county_id: Mapped[str | None] = mapped_column(sa.String(16))
    programme_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    audit_event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("audit_events.id"))
