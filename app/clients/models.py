"""API clients: programs registered by the directorate, each bound to a role and an organisation."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Tracked


class ApiClient(Base, Tracked):
    __tablename__ = "api_clients"
    __table_args__ = (
        sa.CheckConstraint("role IN ('directorate', 'county_governor', 'school_owner', 'university')", name="role"),
    )

    id: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    scopes: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="read write")
    secret_hash: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # Bumped when the secret is rotated; tokens carry it (`gen`) and older generations are refused.
    secret_generation: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    created_by: Mapped[str | None] = mapped_column(sa.String(100))
