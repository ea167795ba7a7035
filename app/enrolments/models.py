"""Offers, enrolments, their phases, participants and guidance; SKUP gatherings and workshops."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base, Tracked, UUIDPk

OFFER_STATUSES = ("open", "accepted", "declined", "withdrawn")
ENROLMENT_STATUSES = ("active", "completed", "withdrawn")
PHASE_STATUSES = ("pending", "active", "completed")
PARTICIPANT_ROLES = (
    "political_leadership",
    "administrative_leadership",
    "school_owner_staff",
    "school_leader",
    "teacher",
    "kindergarten_representative",
    "ppt",
    "union_representative",
)


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class OwnedMixin:
    """Whose it is and where: the keys policy.py scopes by (county and municipality at the time of creation)."""

    school_owner_id: Mapped[str] = mapped_column(sa.ForeignKey("organisations.id"), nullable=False, index=True)
    county_id: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    municipality_id: Mapped[str | None] = mapped_column(sa.String(16))


class Offer(Base, UUIDPk, OwnedMixin, Tracked):
    __tablename__ = "offers"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {_in(OFFER_STATUSES)}", name="status"),
        sa.Index("ix_offers_updated", "updated_at", "id"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False, index=True)
    start_year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    deadline: Mapped[datetime] = mapped_column(nullable=False)
    terms: Mapped[str | None] = mapped_column(sa.Text)
    includes_guidance: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="open")
    offered_by_org_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    offered_by_role: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    selection_round_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    responded_at: Mapped[datetime | None] = mapped_column()
    responded_by: Mapped[str | None] = mapped_column(sa.String(100))
    response_note: Mapped[str | None] = mapped_column(sa.Text)
    agreement_reference: Mapped[str | None] = mapped_column(sa.String(300))
    agreement_signed_on: Mapped[date | None] = mapped_column(sa.Date)
    enrolment_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)


class Enrolment(Base, UUIDPk, OwnedMixin, Tracked):
    __tablename__ = "enrolments"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {_in(ENROLMENT_STATUSES)}", name="status"),
        # One active enrolment per school owner and programme (a bug in a service cannot break this).
        sa.Index(
            "uq_enrolments_active_owner_programme",
            "school_owner_id",
            "programme_id",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
        sa.Index("ix_enrolments_updated", "updated_at", "id"),
    )

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False, index=True)
    start_year: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="active")
    offer_id: Mapped[uuid.UUID | None] = mapped_column(sa.ForeignKey("offers.id"))
    guidance_offered: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    implementation_plan_reference: Mapped[str | None] = mapped_column(sa.String(300))
    enrolled_by_org_id: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    withdrawn_at: Mapped[datetime | None] = mapped_column()
    withdrawal_reason: Mapped[str | None] = mapped_column(sa.Text)
    completed_at: Mapped[datetime | None] = mapped_column()
    phases: Mapped[list[EnrolmentPhase]] = relationship(
        order_by="EnrolmentPhase.position", lazy="selectin", cascade="all, delete-orphan"
    )


class EnrolmentPhase(Base, UUIDPk, Tracked):
    __tablename__ = "enrolment_phases"
    __table_args__ = (
        sa.CheckConstraint(f"status IN {_in(PHASE_STATUSES)}", name="status"),
        sa.UniqueConstraint("enrolment_id", "position"),
    )

    enrolment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enrolments.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    planned_start: Mapped[date | None] = mapped_column(sa.Date)
    planned_end: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="pending")
    started_at: Mapped[datetime | None] = mapped_column()
    completed_at: Mapped[datetime | None] = mapped_column()
    requires_plan: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    requires_leadership: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # [{code, text, done, comment, updated_at, updated_by}] copied from the template at enrolment.
    goals: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, nullable=False, default=list)


class Participant(Base, UUIDPk, Tracked):
    __tablename__ = "participants"
    __table_args__ = (sa.CheckConstraint(f"role IN {_in(PARTICIPANT_ROLES)}", name="role"),)

    enrolment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enrolments.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    title: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(200))


class GuidanceAssignment(Base, UUIDPk, Tracked):
    __tablename__ = "guidance_assignments"

    enrolment_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("enrolments.id"), nullable=False, index=True)
    guide_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    guide_organisation_id: Mapped[str | None] = mapped_column(sa.ForeignKey("organisations.id"))
    period_start: Mapped[date] = mapped_column(sa.Date, nullable=False)
    period_end: Mapped[date | None] = mapped_column(sa.Date)
    notes: Mapped[str | None] = mapped_column(sa.Text)


class Gathering(Base, UUIDPk, Tracked):
    __tablename__ = "gatherings"

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False, index=True)
    title: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    region: Mapped[str | None] = mapped_column(sa.String(200))
    county_id: Mapped[str | None] = mapped_column(sa.ForeignKey("counties.id"))
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    location: Mapped[str | None] = mapped_column(sa.String(300))


class GatheringMember(Base, UUIDPk, OwnedMixin, Tracked):
    __tablename__ = "gathering_members"
    __table_args__ = (sa.UniqueConstraint("gathering_id", "school_owner_id"),)

    gathering_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("gatherings.id"), nullable=False, index=True)


class GatheringRegistration(Base, UUIDPk, OwnedMixin, Tracked):
    __tablename__ = "gathering_registrations"

    gathering_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("gatherings.id"), nullable=False, index=True)
    person_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(40), nullable=False)


class Workshop(Base, UUIDPk, Tracked):
    __tablename__ = "workshops"
    __table_args__ = (sa.CheckConstraint("capacity > 0", name="capacity"),)

    programme_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("programmes.id"), nullable=False, index=True)
    theme: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    starts_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(sa.Date, nullable=False)
    capacity: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    location: Mapped[str | None] = mapped_column(sa.String(300))


class WorkshopSignup(Base, UUIDPk, OwnedMixin, Tracked):
    __tablename__ = "workshop_signups"
    __table_args__ = (sa.UniqueConstraint("workshop_id", "school_owner_id"),)

    workshop_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("workshops.id"), nullable=False, index=True)
