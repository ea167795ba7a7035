"""Indicator values per school, selection rounds, their per-school results and candidate municipalities."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Tracked, UUIDPk

VALUE_STATUSES = ("present", "missing", "suppressed")
ROUND_STATUSES = ("draft", "computed", "under_review", "finalised")


class IndicatorValue(Base, Tracked):
    """One school's value of one indicator in one school year; missing or suppressed is not zero (rule 7)."""

    __tablename__ = "indicator_values"
    __table_args__ = (
        sa.CheckConstraint("status IN ('present', 'missing', 'suppressed')", name="status"),
        sa.CheckConstraint("(status = 'present') = (value IS NOT NULL)", name="value_when_present"),
        sa.Index("ix_indicator_values_year_indicator", "school_year", "indicator"),
        sa.Index("ix_indicator_values_updated", "updated_at", "school_id", "indicator", "school_year"),
    )

    school_id: Mapped[str] = mapped_column(sa.ForeignKey("schools.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(sa.String(48), primary_key=True)
    school_year: Mapped[str] = mapped_column(sa.String(9), primary_key=True)  # 2023-2024
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 3))
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="present")
    # Whose and where, copied from the school so that policy.owned scopes the values in SQL.
    school_owner_id: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    county_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)


class SelectionRound(Base, UUIDPk, Tracked):
    """A biennial identification of candidate municipalities (rules 1 and 7); its method is stored with it."""

    __tablename__ = "selection_rounds"
    __table_args__ = (
        sa.UniqueConstraint("programme_id", "year"),
        sa.CheckConstraint("status IN ('draft', 'computed', 'under_review', 'finalised')", name="status"),
        sa.Index("ix_selection_rounds_updated", "updated_at", "id"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    school_years: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    indicators: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False)
    # {"worst_percent": {indicator: P}, "top_share_percent": 25, "tie_rule": "include_all"}
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="draft")
    # What the last computation found: cut-offs, boundary share, counts, and a digest of its input data.
    summary: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime | None] = mapped_column()
    finalised_at: Mapped[datetime | None] = mapped_column()
    finalised_by: Mapped[str | None] = mapped_column(sa.String(100))


class RoundSchool(Base):
    """One school's risk points, share and national rank in a computed round."""

    __tablename__ = "selection_round_schools"
    __table_args__ = (sa.Index("ix_selection_round_schools_rank", "round_id", "rank", "school_id"),)

    round_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("selection_rounds.id"), primary_key=True)
    school_id: Mapped[str] = mapped_column(sa.ForeignKey("schools.id"), primary_key=True)
    school_owner_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    county_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    municipality_id: Mapped[str | None] = mapped_column(sa.String(16))
    points: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    values_present: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    share: Mapped[Decimal] = mapped_column(sa.Numeric(8, 6), nullable=False)
    rank: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    in_top: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    # [{"indicator", "school_year", "value", "cutoff", "point"}]
    details: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False)


class Candidate(Base, Tracked):
    """A municipality with at least one school in the top share, its exclusion (rule 1) and its assessment."""

    __tablename__ = "selection_candidates"
    __table_args__ = (
        sa.CheckConstraint("priority_rank IS NULL OR priority_rank >= 1", name="priority_rank"),
        sa.Index("ix_selection_candidates_order", "round_id", "county_id", "municipality_id"),
    )

    round_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("selection_rounds.id"), primary_key=True)
    municipality_id: Mapped[str] = mapped_column(sa.ForeignKey("municipalities.id"), primary_key=True)
    school_owner_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    county_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    top_schools: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    best_rank: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    eligible: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    excluded_reason: Mapped[str | None] = mapped_column(sa.String(32))
    explanation: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False)
    priority_rank: Mapped[int | None] = mapped_column(sa.Integer)
    recommend: Mapped[bool | None] = mapped_column(sa.Boolean)
    justification: Mapped[str | None] = mapped_column(sa.Text)
    assessed_by: Mapped[str | None] = mapped_column(sa.String(100))
    assessed_at: Mapped[datetime | None] = mapped_column()
    selected: Mapped[bool | None] = mapped_column(sa.Boolean)
    deviation_reason: Mapped[str | None] = mapped_column(sa.Text)
    offer_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
