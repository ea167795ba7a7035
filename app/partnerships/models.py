"""Partnerships between school owners and universities; subcontracts; collaboration forums and decisions."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.money import MONEY_COLUMN
from app.db.base import Base, Tracked, UUIDPk


class Partnership(Base, UUIDPk, Tracked):
    __tablename__ = "partnerships"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'active', 'ended')", name="status"),
        sa.CheckConstraint("budget IS NULL OR budget >= 0", name="budget"),
        sa.Index("ix_partnerships_updated", "updated_at", "id"),
    )

    county_governor_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    competence_areas: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    budget: Mapped[Decimal | None] = mapped_column(MONEY_COLUMN)
    agreement_reference: Mapped[str | None] = mapped_column(sa.String(300))
    agreement_signed_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="active")
    members: Mapped[list[PartnershipMember]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PartnershipMember.organisation_id"
    )


class PartnershipMember(Base):
    """A party to a partnership: a school owner, or a university (one of them the lead)."""

    __tablename__ = "partnership_members"
    __table_args__ = (sa.CheckConstraint("kind IN ('school_owner', 'university')", name="kind"),)

    partnership_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("partnerships.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    lead: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)


class Subcontract(Base, UUIDPk, Tracked):
    """A third party engaged and paid by one of the partnership's universities (rule 16)."""

    __tablename__ = "subcontracts"
    __table_args__ = (sa.CheckConstraint("budget > 0", name="budget"),)

    partnership_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("partnerships.id"), nullable=False, index=True)
    university_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    third_party_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, nullable=False)
    budget: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False)


class Forum(Base, UUIDPk, Tracked):
    """The collaboration forum of a county governor's region for one programme year."""

    __tablename__ = "forums"
    __table_args__ = (sa.UniqueConstraint("county_governor_id", "programme_id", "year"),)

    county_governor_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)


class ForumMember(Base, UUIDPk, Tracked):
    __tablename__ = "forum_members"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('school_owner', 'university', 'teacher_union', 'other')", name="kind"),
    )

    forum_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("forums.id"), nullable=False, index=True)
    organisation_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    organisation_name: Mapped[str | None] = mapped_column(sa.String(300))
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    representative_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)


class ForumDecision(Base, UUIDPk, Tracked):
    __tablename__ = "forum_decisions"
    __table_args__ = (sa.CheckConstraint("reached_by IN ('consensus', 'county_governor')", name="reached_by"),)

    forum_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("forums.id"), nullable=False, index=True)
    meeting_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    reached_by: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    justification: Mapped[str | None] = mapped_column(sa.Text)
    # [{"area": str, "school_owner_ids": [...], "university_ids": [...]}]
    priorities: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)
    # [{"recipient_id": str, "amount": "123.00", "purpose": str}]; the funding issue turns these into allocations.
    distribution: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)
    total: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=Decimal("0"))
