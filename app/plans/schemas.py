"""Development plan schemas: SWOT, challenge picture, goals, measures, versions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.inputs import Input
from app.core.money import MoneyOrZero
from app.core.page_json import read_documents
from app.core.records import fields_of
from app.enrolments.schemas import ParticipantRole
from app.plans.models import JSON_FIELDS, DevelopmentPlan

Level = Literal["owner", "administration", "school"]
Kind = Literal["pre_phase_plan", "implementation_plan", "swot", "competence_needs", "free"]
PlanStatus = Literal["draft", "submitted", "approved", "returned"]
MeasureStatus = Literal["planned", "ongoing", "done", "dropped"]


class Swot(Input):
    strengths: list[str] = Field(default_factory=list, examples=[["Godt samarbeid med PPT"]])
    weaknesses: list[str] = Field(default_factory=list)
    opportunities: list[str] = Field(default_factory=list)
    threats: list[str] = Field(default_factory=list)


class DataSource(Input):
    name: str = Field(min_length=1, max_length=300, examples=["Elevundersøkelsen 2025"])
    kind: Literal["quantitative", "qualitative"] = Field(examples=["quantitative"])


class ChallengePicture(Input):
    text: str = Field(default="", max_length=20000, examples=["Lav mestring i lesing på 5. trinn ..."])
    data_sources: list[DataSource] = Field(default_factory=list)


class Goal(Input):
    text: str = Field(min_length=1, max_length=2000, examples=["Færre elever på laveste mestringsnivå i lesing"])
    indicator: str | None = Field(default=None, max_length=300, examples=["Nasjonale prøver 5. trinn, lesing"])
    baseline: str | None = Field(default=None, max_length=100, examples=["32 %"])
    target: str | None = Field(default=None, max_length=100, examples=["20 %"])
    deadline: date | None = Field(default=None, examples=["2029-06-30"])


class PlanFields(Input):
    title: str | None = Field(default=None, min_length=1, max_length=300, examples=["Plan for gjennomføringsfasen"])
    school_name: str | None = Field(default=None, max_length=300, examples=["Kvaløya skole"])
    phase_code: str | None = Field(default=None, max_length=64, examples=["gjennomforingsfase"])
    period_start: date | None = None
    period_end: date | None = None
    swot: Swot | None = None
    challenge_picture: ChallengePicture | None = None
    goals: list[Goal] | None = None
    participants_involved: list[ParticipantRole] | None = Field(default=None, examples=[["school_leader", "ppt"]])
    based_on_plan_ids: list[uuid.UUID] | None = Field(default=None, description="School-level plans it rests on.")


class PlanCreate(PlanFields):
    title: str = Field(min_length=1, max_length=300, examples=["Plan for gjennomføringsfasen"])  # type: ignore[assignment]
    level: Level = Field(examples=["owner"])
    kind: Kind = Field(examples=["implementation_plan"])
    enrolment_id: uuid.UUID | None = Field(default=None, description="The enrolment the plan belongs to.")
    school_owner_id: str | None = Field(default=None, description="Default: the calling school owner.")

    @model_validator(mode="after")
    def _school(self) -> PlanCreate:
        if self.level == "school" and not self.school_name:
            raise ValueError("a school-level plan names its school (school_name)")
        return self


class PlanUpdate(PlanFields):
    """JSON merge patch of a draft or returned plan; lists and objects are replaced whole."""


class ReviewIn(Input):
    comment: str | None = Field(default=None, max_length=10000, examples=["Målene må knyttes til indikatorer."])


class PlanRead(BaseModel):
    id: uuid.UUID
    school_owner_id: str = Field(examples=["NO-5501"])
    county_id: str | None = None
    municipality_id: str | None = None
    level: Level
    school_name: str | None = None
    enrolment_id: uuid.UUID | None = None
    programme_id: uuid.UUID | None = None
    phase_code: str | None = None
    kind: Kind
    title: str
    period_start: date | None = None
    period_end: date | None = None
    status: PlanStatus
    swot: Swot
    challenge_picture: ChallengePicture
    goals: list[Goal]
    participants_involved: list[str]
    based_on_plan_ids: list[uuid.UUID]
    submitted_version: int = Field(description="Number of the last submitted version (0: never submitted).")
    review_comment: str | None = None
    reviewed_by_org_id: str | None = None
    reviewed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def data_of(cls, p: object) -> dict[str, Any]:
        """The fields as plain data, the stored documents with their defaults (app/core/page_json.py)."""
        return read_documents(cls, fields_of(p, _PLAN_COLUMNS), JSON_FIELDS)

    @classmethod
    def of(cls, p: DevelopmentPlan) -> PlanRead:
        return cls.model_validate(cls.data_of(p))


_PLAN_COLUMNS = tuple(PlanRead.model_fields)


class MeasureFields(Input):
    title: str | None = Field(default=None, min_length=1, max_length=300, examples=["Lesekurs for lærere"])
    description: str | None = Field(default=None, max_length=10000)
    target_group: str | None = Field(default=None, max_length=300, examples=["Lærere 1.-7. trinn"])
    responsible: str | None = Field(default=None, max_length=300, examples=["Kommunalsjef oppvekst"])
    competence_partner_id: str | None = Field(
        default=None, description="An organisation, e.g. a university.", examples=["970422528"]
    )
    starts_on: date | None = None
    ends_on: date | None = None
    budget: MoneyOrZero | None = None
    status: MeasureStatus | None = None


class MeasureCreate(MeasureFields):
    title: str = Field(min_length=1, max_length=300, examples=["Lesekurs for lærere"])  # type: ignore[assignment]


class MeasureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    plan_id: uuid.UUID
    title: str
    description: str | None = None
    target_group: str | None = None
    responsible: str | None = None
    competence_partner_id: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    budget: Decimal | None = None
    status: MeasureStatus
    created_at: datetime
    updated_at: datetime
    version: int


class MeasureRow(MeasureRead):
    """A measure with its plan, owner and county (the CSV export of measures)."""

    plan_title: str
    plan_status: PlanStatus
    plan_level: Level
    school_owner_id: str
    county_id: str | None = None


class VersionRead(BaseModel):
    number: int
    submitted_by_client: str | None = None
    submitted_by_org_id: str
    submitted_at: datetime
    content: dict[str, Any] = Field(description="The plan and its measures exactly as submitted.")


class VersionDiff(BaseModel):
    plan_id: uuid.UUID
    from_version: int
    to_version: int
    changes: dict[str, Any] = Field(description="{field: {before, after}}; measures by id.")
