"""A recipient's report on an allocation (or an enrolment) for a period."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.money import MONEY_COLUMN
from app.db.base import Base, Tracked, UUIDPk

REPORT_STATUSES = ("draft", "submitted", "accepted", "returned")


class Report(Base, UUIDPk, Tracked):
    __tablename__ = "reports"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'submitted', 'accepted', 'returned')", name="status"),
        sa.CheckConstraint("allocation_id IS NOT NULL OR enrolment_id IS NOT NULL", name="subject"),
        sa.CheckConstraint("spent_total >= 0 AND co_financing_delivered >= 0", name="amounts"),
        sa.Index("ix_reports_updated", "updated_at", "id"),
        sa.Index("ix_reports_due", "status", "due_on"),
    )

    allocation_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("allocations.id"), index=True)
    enrolment_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    recipient_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    # Who reviews: the county governor of the region, or the directorate for a county governor's own report.
    region_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    reviewer_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    county_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date] = mapped_column(sa.Date, nullable=False)
    due_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    # [{"category": str, "amount": "123.00"}]
    spending: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)
    spent_total: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=Decimal("0.00"))
    co_financing_delivered: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=Decimal("0.00"))
    # [{"measure_id": uuid, "title": str, "note": str}] linked to the recipient's plan measures
    measures: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)
    evaluation: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="draft")
    flags: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewed_at: Mapped[datetime | None] = mapped_column()
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(100))
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
