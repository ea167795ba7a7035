"""Development plans with their measures and frozen versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.money import MONEY_COLUMN
from app.db.base import Base, Tracked, UUIDPk
from app.enrolments.models import OwnedMixin

PLAN_STATUSES = ("draft", "submitted", "approved", "returned")
EDITABLE = ("draft", "returned")
# The plan's JSON documents (a merge patch replaces each whole; a list reads them as plain data).
JSON_FIELDS = ("swot", "challenge_picture", "goals", "participants_involved", "based_on_plan_ids")


class DevelopmentPlan(Base, UUIDPk, OwnedMixin, Tracked):
    __tablename__ = "development_plans"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'submitted', 'approved', 'returned')", name="status"),
        sa.CheckConstraint("level IN ('owner', 'administration', 'school')", name="level"),
        sa.Index("ix_development_plans_updated", "updated_at", "id"),
    )

    level: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    school_name: Mapped[str | None] = mapped_column(sa.String(300))
    enrolment_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("enrolments.id"), index=True)
    programme_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    phase_code: Mapped[str | None] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    period_start: Mapped[date | None] = mapped_column(sa.Date)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="draft")
    swot: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    challenge_picture: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    goals: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)
    participants_involved: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    based_on_plan_ids: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    submitted_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    review_comment: Mapped[str | None] = mapped_column(sa.Text)
    reviewed_by_org_id: Mapped[str | None] = mapped_column(sa.String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column()


class PlanMeasure(Base, UUIDPk, Tracked):
    __tablename__ = "plan_measures"
    __table_args__ = (
        sa.CheckConstraint("status IN ('planned', 'ongoing', 'done', 'dropped')", name="status"),
        sa.CheckConstraint("budget IS NULL OR budget >= 0", name="budget"),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("development_plans.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    target_group: Mapped[str | None] = mapped_column(sa.String(300))
    responsible: Mapped[str | None] = mapped_column(sa.String(300))
    competence_partner_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organisations.id"))
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    budget: Mapped[Decimal | None] = mapped_column(MONEY_COLUMN)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="planned")
    plan: Mapped[DevelopmentPlan] = relationship(lazy="selectin", viewonly=True)


class PlanVersion(Base, UUIDPk):
    """Exactly what was submitted, with who and when."""

    __tablename__ = "plan_versions"
    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("development_plans.id"), nullable=False, index=True)
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    submitted_by_client: Mapped[str | None] = mapped_column(sa.String(100))
    submitted_by_org_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(nullable=False)
