"""Counties, municipalities, organisations and which counties each county governor covers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, Tracked

ORG_KINDS = (
    "directorate",
    "county_governor",
    "regional_body",
    "municipality",
    "county_municipality",
    "private_school_owner",
    "university",
    "third_party",
)
SCHOOL_OWNER_KINDS = ("municipality", "county_municipality", "private_school_owner")
REGIONAL_KINDS = ("county_governor", "regional_body")


def name_at(names: Sequence[Any], day: date) -> str:
    """The name in force on `day` (the earliest one before any took effect)."""
    valid = [n for n in names if n.valid_from <= day]
    chosen = max(valid or names, key=lambda n: n.valid_from)
    return chosen.name


class County(Base, Tracked):
    __tablename__ = "counties"

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # NO-55, SE-18
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    number: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    names: Mapped[list[CountyName]] = relationship(
        order_by="CountyName.valid_from", cascade="all, delete-orphan", lazy="selectin"
    )

    def name_at(self, day: date) -> str:
        return name_at(self.names, day)


class CountyName(Base):
    __tablename__ = "county_names"

    county_id: Mapped[str] = mapped_column(sa.ForeignKey("counties.id"), primary_key=True)
    valid_from: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    short_name: Mapped[str | None] = mapped_column(sa.String(100))


class Municipality(Base, Tracked):
    __tablename__ = "municipalities"
    __table_args__ = (sa.UniqueConstraint("country", "number"),)

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)  # NO-5501, SE-1864
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    number: Mapped[str] = mapped_column(sa.String(8), nullable=False)
    county_id: Mapped[str] = mapped_column(sa.ForeignKey("counties.id"), nullable=False, index=True)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    names: Mapped[list[MunicipalityName]] = relationship(
        order_by="MunicipalityName.valid_from", cascade="all, delete-orphan", lazy="selectin"
    )

    def name_at(self, day: date) -> str:
        return name_at(self.names, day)


class MunicipalityName(Base):
    __tablename__ = "municipality_names"

    municipality_id: Mapped[str] = mapped_column(sa.ForeignKey("municipalities.id"), primary_key=True)
    valid_from: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)


class Organisation(Base, Tracked):
    """Any party: the directorate, county governors, school owners, universities, third parties.

    `id` is the public identifier: the organisation number where there is one, the municipality id
    for a municipality (its organisation number can be registered later), otherwise a UUID.
    """

    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {ORG_KINDS!r}", name="kind"),
        sa.Index("ix_organisations_kind_id", "kind", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    short_name: Mapped[str | None] = mapped_column(sa.String(50))
    orgnr: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False, default="NO")
    municipality_id: Mapped[str | None] = mapped_column(sa.ForeignKey("municipalities.id"), index=True)
    county_id: Mapped[str | None] = mapped_column(sa.ForeignKey("counties.id"), index=True)
    dbh_code: Mapped[str | None] = mapped_column(sa.String(10))
    commercial: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # Loaded only where it is shown (the county-governor endpoints, with selectinload): every other read of an
    # organisation (each write checks its caller's) would pay two queries for it.
    covered_counties: Mapped[list[County]] = relationship(
        secondary="region_counties", order_by="County.id", lazy="raise_on_sql"
    )


class RegionCounty(Base):
    """The counties a county governor (or a Swedish regional body) covers."""

    __tablename__ = "region_counties"

    organisation_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    county_id: Mapped[str] = mapped_column(sa.ForeignKey("counties.id"), primary_key=True, unique=True)


class School(Base, Tracked):
    """A school under its school owner (reference data, imported in bulk). `id` is its organisation number."""

    __tablename__ = "schools"
    __table_args__ = (
        sa.CheckConstraint("grade_from BETWEEN 1 AND 13 AND grade_to BETWEEN grade_from AND 13", name="grades"),
        sa.Index("ix_schools_updated", "updated_at", "id"),
    )

    id: Mapped[str] = mapped_column(sa.String(16), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    school_owner_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    county_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    municipality_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    grade_from: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    grade_to: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
