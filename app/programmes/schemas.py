"""Programme schemas: phase templates, goal checklists, limits and money rules."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.inputs import Input
from app.programmes.models import Programme

OwnerKind = Literal["municipality", "county_municipality", "private_school_owner"]
RecipientKind = Literal["municipality", "county_municipality", "private_school_owner", "university", "regional_body"]
StartRule = Literal["school_year_start", "enrolment_start", "after_previous", "fixed"]


class GoalTemplate(BaseModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$", examples=["utfordringsbilde"])
    text: str = Field(min_length=1, max_length=500, examples=["Danne og forstå eget utfordringsbilde"])


class PhaseTemplate(Input):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$", examples=["forfase"])
    name: str = Field(min_length=1, max_length=300, examples=["Forfase"])
    start_rule: StartRule = Field(
        description="school_year_start: 1 August of the start year; enrolment_start: the enrolment's first day; "
        "after_previous: the day after the previous phase ends; fixed: fixed_start.",
        examples=["school_year_start"],
    )
    fixed_start: date | None = None
    fixed_end: date | None = Field(default=None, examples=["2012-12-31"])
    duration_months: int | None = Field(default=None, ge=1, le=120, examples=[12])
    requires_plan: bool = Field(
        default=False, description="The phase cannot start before the enrolment's plan for it is registered."
    )
    requires_leadership: bool = Field(
        default=False, description="Political and administrative top leadership must be participants to start it."
    )
    goals: list[GoalTemplate] = Field(default_factory=list, description="The goal checklist each enrolment tracks.")

    @model_validator(mode="after")
    def _dates(self) -> PhaseTemplate:
        if self.start_rule == "fixed" and self.fixed_start is None:
            raise ValueError("start_rule 'fixed' needs fixed_start")
        if self.fixed_end is not None and self.duration_months is not None:
            raise ValueError("give fixed_end or duration_months, not both")
        if len({g.code for g in self.goals}) != len(self.goals):
            raise ValueError("goal codes must be unique within a phase")
        return self


class Limits(Input):
    max_group_municipalities: int | None = Field(default=None, ge=1, description="Gathering group size (SKUP: 5).")
    max_persons_per_municipality: int | None = Field(default=None, ge=1, description="Per gathering (SKUP: 6).")
    gathering_days: int | None = Field(default=None, ge=1, description="Length of each gathering (SKUP: 2).")
    third_party_share_limit: Decimal | None = Field(
        default=None, ge=0, le=1, description="Largest share of a partnership's plan a third party may hold."
    )
    continuing_education_only: bool | None = Field(
        default=None, description="Rule 17: funds are for continuing, not further, education."
    )
    report_due: str | None = Field(
        default=None,
        pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
        description="Reports on a year's allocation are due on this MM-DD of the following year (default 03-01).",
        examples=["03-01"],
    )


class ProgrammeBase(Input):
    name: str = Field(min_length=1, max_length=300, examples=["Oppfølgingsordningen"])
    description: str | None = Field(default=None, max_length=5000)
    country: Literal["NO", "SE"] = "NO"
    currency: Literal["NOK", "SEK"] = "NOK"
    cycle: Literal["phased", "yearly"] = Field(default="phased", description="Phases from templates, or yearly cycles.")
    co_financing_ratio: Decimal | None = Field(
        default=None,
        ge=0,
        le=10,
        decimal_places=4,
        description="Own contribution per krone of state funds.",
        examples=["0.30"],
    )
    co_financing_kinds: list[Literal["cash", "salary", "release_time"]] = Field(default_factory=list)
    allowed_recipient_kinds: list[RecipientKind] = Field(default_factory=list)
    eligible_owner_kinds: list[OwnerKind] = Field(default_factory=lambda: ["municipality"])  # type: ignore[arg-type]
    county_municipalities_from_year: int | None = Field(
        default=None,
        ge=2000,
        le=2100,
        description="County municipalities may enrol from this year on (2019).",
    )
    offer_roles: list[Literal["directorate", "county_governor"]] = Field(
        default_factory=lambda: ["directorate"],  # type: ignore[arg-type]
        description="Who may offer the programme (and enrol directly).",
    )
    offers_include_guidance: bool = Field(default=False, description="Every offer includes guidance (rule 8).")
    limits: Limits = Field(default_factory=Limits)
    phases: list[PhaseTemplate] = Field(default_factory=list, description="In order.")

    @model_validator(mode="after")
    def _phases(self) -> ProgrammeBase:
        if len({p.code for p in self.phases}) != len(self.phases):
            raise ValueError("phase codes must be unique")
        if self.phases and self.phases[0].start_rule == "after_previous":
            raise ValueError("the first phase cannot start after a previous one")
        return self


class ProgrammeCreate(ProgrammeBase):
    code: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9-]+$", examples=["oppfolging"])


class ProgrammeUpdate(Input):
    """Merge patch: every field optional; `phases` and `limits` are replaced whole."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    co_financing_ratio: Decimal | None = Field(default=None, ge=0, le=10, decimal_places=4)
    co_financing_kinds: list[Literal["cash", "salary", "release_time"]] | None = None
    allowed_recipient_kinds: list[RecipientKind] | None = None
    eligible_owner_kinds: list[OwnerKind] | None = None
    county_municipalities_from_year: int | None = Field(default=None, ge=2000, le=2100)
    offer_roles: list[Literal["directorate", "county_governor"]] | None = None
    offers_include_guidance: bool | None = None
    limits: Limits | None = None
    phases: list[PhaseTemplate] | None = None
    active: bool | None = None


class ProgrammeRead(ProgrammeCreate):
    model_config = ConfigDict(extra="ignore")

    id: uuid.UUID
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, p: Programme) -> ProgrammeRead:
        return cls.model_validate(p, from_attributes=True)
