"""Webhook subscriptions and their delivery attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.audit.models import BigId
from app.db.base import Base, Tracked, UUIDPk
from app.db.types import utcnow


class WebhookSubscription(Base, UUIDPk, Tracked):
    """A subscriber's callback and filters. `last_seq` is the last feed event delivered: the subscription's cursor."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (sa.Index("ix_webhook_subscriptions_updated", "updated_at", "id"),)

    owner_org_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    owner_role: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    client_id: Mapped[str | None] = mapped_column(sa.String(100))
    callback_url: Mapped[str] = mapped_column(sa.String(2000), nullable=False)
    secret: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    resource_types: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("programmes.id"))
    county_id: Mapped[str | None] = mapped_column(sa.String(16))
    municipality_id: Mapped[str | None] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    failures: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    # A worker leases a subscription while it delivers, so two workers never deliver one out of order.
    leased_until: Mapped[datetime | None] = mapped_column()


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (sa.Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("webhook_subscriptions.id"), nullable=False)
    event_seq: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    attempt: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    delivered: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    response_status: Mapped[int | None] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    duration_ms: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
