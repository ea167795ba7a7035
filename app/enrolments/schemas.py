"""Schemas for offers, enrolments, phases, participants, guidance, gatherings and workshops."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from app.core.inputs import Input
from app.core.page_json import read_documents
from app.core.records import fields_of
from app.db.types import utcnow
from app.enrolments.models import Enrolment, EnrolmentPhase, Offer

OfferStatus = Literal["open", "accepted", "declined", "withdrawn", "expired"]
EnrolmentStatus = Literal["active", "completed", "withdrawn"]
ParticipantRole = Literal[
    "political_leadership",
    "administrative_leadership",
    "school_owner_staff",
    "school_leader",
    "teacher",
    "kindergarten_representative",
    "ppt",
    "union_representative",
]


class Tracked(BaseModel):
    created_at: datetime
    updated_at: datetime
    version: int


# Offers ---------------------------------------------------------------------------------------


class OfferCreate(Input):
    programme: str = Field(description="Programme code or id.", examples=["oppfolging"])
    school_owner_id: str = Field(description="The school owner offered the programme.", examples=["NO-5501"])
    start_year: int = Field(ge=2000, le=2100, description="The year the effort starts.", examples=[2026])
    deadline: AwareDatetime = Field(description="Answer before this instant.", examples=["2026-06-01T23:59:59+02:00"])
    terms: str | None = Field(default=None, max_length=10000, examples=["Tilbudet er frivillig."])
    includes_guidance: bool | None = Field(
        default=None, description="Default: the programme's rule (the follow-up scheme always includes guidance)."
    )

    @field_validator("deadline")
    @classmethod
    def _future(cls, value: datetime) -> datetime:
        if value <= utcnow():
            raise ValueError("deadline must be in the future")
        return value


class OfferUpdate(Input):
    deadline: AwareDatetime | None = Field(default=None, description="Extend or shorten the deadline of an open offer.")
    terms: str | None = Field(default=None, max_length=10000)


class OfferAnswer(Input):
    note: str | None = Field(default=None, max_length=2000, examples=["Kommunestyret vedtok å takke ja 12. mai."])


class AgreementIn(Input):
    document_reference: str = Field(min_length=1, max_length=300, examples=["Sak 2026/1234, dok. 7"])
    signed_on: date = Field(examples=["2026-06-15"])


class OfferRead(Tracked):
    id: uuid.UUID
    programme_id: uuid.UUID
    school_owner_id: str = Field(examples=["NO-5501"])
    county_id: str | None = Field(default=None, examples=["NO-55"])
    municipality_id: str | None = Field(default=None, examples=["NO-5501"])
    start_year: int = Field(examples=[2026])
    deadline: datetime
    terms: str | None = None
    includes_guidance: bool
    status: OfferStatus = Field(description="`expired`: still unanswered when the deadline passed.")
    offered_by_org_id: str = Field(examples=["970018131"])
    offered_by_role: str = Field(examples=["directorate"])
    selection_round_id: uuid.UUID | None = None
    responded_at: datetime | None = None
    responded_by: str | None = Field(default=None, description="Client that answered.")
    response_note: str | None = None
    agreement_reference: str | None = None
    agreement_signed_on: date | None = None
    enrolment_id: uuid.UUID | None = None

    @classmethod
    def of(cls, o: Offer) -> OfferRead:
        read = cls.model_validate(o, from_attributes=True)
        if o.status == "open" and o.deadline <= utcnow():
            read.status = "expired"
        return read


# Enrolments and phases ------------------------------------------------------------------------


class GoalRead(BaseModel):
    code: str = Field(examples=["utfordringsbilde"])
    text: str
    done: bool
    comment: str | None = None
    updated_at: datetime | None = None


class GoalUpdate(Input):
    done: bool | None = None
    comment: str | None = Field(default=None, max_length=2000, examples=["Utfordringsbildet ble lagt fram i mars."])


class PhaseRead(Tracked):
    id: uuid.UUID
    position: int = Field(examples=[1])
    code: str = Field(examples=["forfase"])
    name: str = Field(examples=["Forfase"])
    status: Literal["pending", "active", "completed"]
    planned_start: date | None = Field(default=None, examples=["2026-08-01"])
    planned_end: date | None = Field(default=None, examples=["2027-07-31"])
    started_at: datetime | None = None
    completed_at: datetime | None = None
    requires_plan: bool
    requires_leadership: bool
    goals: list[GoalRead]
    goals_done: int = Field(description="Progress: goals marked done.")
    goals_total: int

    @classmethod
    def data_of(cls, p: EnrolmentPhase) -> dict[str, Any]:
        """The fields as plain data, the goals read by their schema (app/core/page_json.py)."""
        data = read_documents(cls, fields_of(p, _PHASE_COLUMNS), ("goals",))
        goals = data["goals"]
        data["goals_done"] = sum(1 for g in goals if g["done"])
        data["goals_total"] = len(goals)
        return data

    @classmethod
    def of(cls, p: EnrolmentPhase) -> PhaseRead:
        return cls.model_validate(cls.data_of(p))


class EnrolmentCreate(Input):
    programme: str = Field(examples=["desentralisert"])
    school_owner_id: str = Field(examples=["NO-4601"])
    start_year: int = Field(ge=2000, le=2100, examples=[2026])
    guidance: bool = False


class EnrolmentUpdate(Input):
    implementation_plan_reference: str | None = Field(
        default=None,
        max_length=300,
        description="A reference to the decision behind the implementation plan (e.g. a council resolution). "
        "The implementation phase itself waits for a submitted development plan of kind implementation_plan.",
        examples=["Plan for gjennomføringsfasen, vedtatt i kommunestyret 2027-06-10"],
    )


class WithdrawIn(Input):
    reason: str = Field(min_length=1, max_length=2000, examples=["Kommunesammenslåing"])


_PHASE_COLUMNS = tuple(k for k in PhaseRead.model_fields if k not in ("goals_done", "goals_total"))


class EnrolmentRead(Tracked):
    id: uuid.UUID
    programme_id: uuid.UUID
    school_owner_id: str = Field(examples=["NO-5501"])
    county_id: str | None = Field(default=None, examples=["NO-55"])
    municipality_id: str | None = Field(default=None, examples=["NO-5501"])
    start_year: int
    period_start: date
    period_end: date | None = None
    status: EnrolmentStatus
    offer_id: uuid.UUID | None = None
    guidance_offered: bool
    implementation_plan_reference: str | None = None
    enrolled_by_org_id: str
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    completed_at: datetime | None = None
    current_phase: str | None = Field(default=None, description="Code of the active phase.", examples=["forfase"])
    phases: list[PhaseRead]

    @classmethod
    def data_of(cls, e: Enrolment) -> dict[str, Any]:
        """The fields as plain data, every one of them: a list writes its page of these (app/core/page_json.py)."""
        data = fields_of(e, _ENROLMENT_COLUMNS)
        data["current_phase"] = next((p.code for p in e.phases if p.status == "active"), None)
        data["phases"] = [PhaseRead.data_of(p) for p in e.phases]
        return data

    @classmethod
    def of(cls, e: Enrolment) -> EnrolmentRead:
        return cls.model_validate(cls.data_of(e))


_ENROLMENT_COLUMNS = tuple(k for k in EnrolmentRead.model_fields if k not in ("phases", "current_phase"))


# Participants and guidance --------------------------------------------------------------------


class ParticipantCreate(Input):
    name: str = Field(min_length=1, max_length=200, examples=["Kari Nordmann"])
    role: ParticipantRole = Field(examples=["political_leadership"])
    title: str | None = Field(default=None, max_length=200, examples=["Ordfører"])
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")


class ParticipantRead(Tracked):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    enrolment_id: uuid.UUID
    name: str
    role: ParticipantRole
    title: str | None = None
    email: str | None = None


class GuidanceCreate(Input):
    guide_name: str = Field(min_length=1, max_length=200, examples=["Ola Veileder"])
    guide_organisation_id: str | None = Field(
        default=None, description="E.g. a university centre.", examples=["970422528"]
    )
    period_start: date = Field(examples=["2026-08-15"])
    period_end: date | None = Field(default=None, examples=["2027-07-31"])
    notes: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _period(self) -> GuidanceCreate:
        if self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class GuidanceRead(Tracked):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    enrolment_id: uuid.UUID
    guide_name: str
    guide_organisation_id: str | None = None
    period_start: date
    period_end: date | None = None
    notes: str | None = None


# Gatherings and workshops ---------------------------------------------------------------------


class GatheringCreate(Input):
    programme: str = Field(examples=["skup"])
    title: str = Field(min_length=1, max_length=300, examples=["Samling 1: skoleeierrollen"])
    region: str | None = Field(default=None, max_length=200, examples=["Nord"])
    county_id: str | None = Field(default=None, examples=["NO-55"])
    starts_on: date = Field(examples=["2011-10-20"])
    ends_on: date = Field(examples=["2011-10-21"])
    location: str | None = Field(default=None, max_length=300, examples=["Tromsø"])

    @model_validator(mode="after")
    def _order(self) -> GatheringCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class GatheringRead(Tracked):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    title: str
    region: str | None = None
    county_id: str | None = None
    starts_on: date
    ends_on: date
    location: str | None = None


class MemberCreate(Input):
    school_owner_id: str = Field(examples=["NO-5501"])


class MemberRead(Tracked):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    gathering_id: uuid.UUID
    school_owner_id: str
    county_id: str | None = None


class RegistrationCreate(Input):
    school_owner_id: str | None = Field(default=None, description="Default: the caller's own organisation.")
    person_name: str = Field(min_length=1, max_length=200, examples=["Per Rådmann"])
    role: ParticipantRole = Field(examples=["administrative_leadership"])


class RegistrationRead(Tracked):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    gathering_id: uuid.UUID
    school_owner_id: str
    county_id: str | None = None
    person_name: str
    role: ParticipantRole


class WorkshopCreate(Input):
    programme: str = Field(examples=["skup"])
    theme: str = Field(min_length=1, max_length=300, examples=["Vurdering for læring"])
    starts_on: date = Field(examples=["2011-11-10"])
    ends_on: date = Field(examples=["2011-11-10"])
    capacity: int = Field(ge=1, le=10000, examples=[40])
    location: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _order(self) -> WorkshopCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class WorkshopRead(Tracked):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    theme: str
    starts_on: date
    ends_on: date
    capacity: int
    location: str | None = None


class SignupCreate(Input):
    school_owner_id: str | None = Field(default=None, description="Default: the caller's own organisation.")


class SignupRead(Tracked):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    workshop_id: uuid.UUID
    school_owner_id: str
    county_id: str | None = None
