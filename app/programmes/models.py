"""Programmes: data, not code. Phases, goals, limits and money rules are fields the directorate edits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Tracked, UUIDPk


class Programme(Base, UUIDPk, Tracked):
    __tablename__ = "programmes"
    __table_args__ = (
        sa.CheckConstraint("cycle IN ('phased', 'yearly')", name="cycle"),
        sa.CheckConstraint("co_financing_ratio IS NULL OR co_financing_ratio >= 0", name="co_financing_ratio"),
    )

    code: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    description: Mapped[str | None] = mapped_column(sa.Text)
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False, default="NO")
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False, default="NOK")
    cycle: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="phased")
    co_financing_ratio: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 4))
    co_financing_kinds: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    allowed_recipient_kinds: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    eligible_owner_kinds: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    county_municipalities_from_year: Mapped[int | None] = mapped_column(sa.Integer)
    offer_roles: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    offers_include_guidance: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    limits: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    phases: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)

    def limit(self, name: str) -> Any:
        return (self.limits or {}).get(name)
