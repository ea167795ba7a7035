"""Allocations and co-financing. Amounts are exact (Numeric(16, 2)); the running sums are kept on the row.

`sub_allocated`, `co_financing_committed`, `co_financing_delivered` and `reported_spent` are maintained in
the transaction of the change that moves them, by conditional UPDATEs, so that a check such as "the
children never sum above the parent" holds under concurrency and is backed by a CHECK constraint.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.money import MONEY_COLUMN
from app.db.base import Base, Tracked, UUIDPk

ALLOCATION_STATUSES = ("proposed", "decided", "disbursed", "closed")
PURPOSES = (
    "continuing_education",
    "further_education",
    "guidance",
    "gatherings",
    "competence_partnership",
    "administration",
    "other",
)
CO_FINANCING_KINDS = ("cash", "salary", "release_time")
ZERO = Decimal("0.00")


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Allocation(Base, UUIDPk, Tracked):
    __tablename__ = "allocations"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {_in(ALLOCATION_STATUSES)}", name="status"),
        sa.CheckConstraint(f"purpose IN {_in(PURPOSES)}", name="purpose"),
        sa.CheckConstraint("amount > 0", name="amount"),
        sa.CheckConstraint("sub_allocated >= 0 AND sub_allocated <= amount", name="sub_allocated"),
        sa.CheckConstraint("co_financing_committed >= 0 AND co_financing_delivered >= 0", name="co_financing"),
        sa.Index("ix_allocations_updated", "updated_at", "id"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False, index=True)
    year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    grantor_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    recipient_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    recipient_kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    # The county governor (or Swedish regional body) whose region the money flows through.
    region_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    county_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    parent_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("allocations.id"), index=True)
    forum_decision_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("forum_decisions.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    purpose: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="proposed")
    note: Mapped[str | None] = mapped_column(sa.Text)
    sub_allocated: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=ZERO)
    co_financing_required: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=ZERO)
    co_financing_committed: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=ZERO)
    co_financing_delivered: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=ZERO)
    reported_spent: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False, default=ZERO)
    decided_at: Mapped[datetime | None] = mapped_column()
    disbursed_at: Mapped[datetime | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()


class CoFinancing(Base, UUIDPk, Tracked):
    """A school owner's own contribution to an allocation (rule 15: cash, or salary / release time)."""

    __tablename__ = "co_financing"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {_in(CO_FINANCING_KINDS)}", name="kind"),
        sa.CheckConstraint("amount > 0", name="amount"),
    )

    allocation_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("allocations.id"), nullable=False, index=True)
    school_owner_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY_COLUMN, nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
