"""Partnership, subcontract and forum schemas."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.inputs import Input
from app.core.money import Money, MoneyOrZero
from app.partnerships.models import Forum, ForumDecision, Partnership

PartnershipStatus = Literal["draft", "active", "ended"]


class UniversityParty(Input):
    id: str = Field(description="Organisation id of the university.", examples=["917641404"])
    lead: bool = Field(default=False, description="Exactly one university leads.")


class PartnershipCreate(Input):
    county_governor_id: str | None = Field(
        default=None,
        description="The region (a county governor's id); default: the calling county governor.",
        examples=["974760665"],
    )
    programme: str = Field(default="desentralisert", examples=["desentralisert"])
    name: str = Field(min_length=1, max_length=300, examples=["Partnerskap Sunnhordland – HVL"])
    period_start: date = Field(examples=["2026-01-01"])
    period_end: date | None = Field(default=None, examples=["2029-12-31"])
    competence_areas: list[str] = Field(default_factory=list, examples=[["lesing", "inkluderende praksis"]])
    budget: MoneyOrZero | None = Field(default=None, description="The budget of the partnership's plan.")
    school_owner_ids: list[str] = Field(min_length=1, examples=[["NO-4601", "NO-4602"]])
    universities: list[UniversityParty] = Field(min_length=1)
    agreement_reference: str | None = Field(default=None, max_length=300)
    agreement_signed_on: date | None = None
    status: PartnershipStatus = "active"

    @model_validator(mode="after")
    def _shape(self) -> PartnershipCreate:
        if self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class PartnershipUpdate(Input):
    """Merge patch; `school_owner_ids` and `universities` replace the parties whole."""

    name: str | None = Field(default=None, min_length=1, max_length=300)
    period_end: date | None = None
    competence_areas: list[str] | None = None
    budget: MoneyOrZero | None = None
    school_owner_ids: list[str] | None = Field(default=None, min_length=1)
    universities: list[UniversityParty] | None = Field(default=None, min_length=1)
    agreement_reference: str | None = Field(default=None, max_length=300)
    agreement_signed_on: date | None = None
    status: PartnershipStatus | None = None


class PartnershipRead(BaseModel):
    id: uuid.UUID
    county_governor_id: str = Field(examples=["974760665"])
    programme_id: uuid.UUID
    name: str
    period_start: date
    period_end: date | None = None
    competence_areas: list[str]
    budget: Decimal | None = Field(default=None, examples=["4000000.00"])
    school_owner_ids: list[str] = Field(examples=[["NO-4601"]])
    university_ids: list[str] = Field(examples=[["917641404", "874789542"]])
    lead_university_id: str | None = Field(default=None, examples=["917641404"])
    agreement_reference: str | None = None
    agreement_signed_on: date | None = None
    status: PartnershipStatus
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, p: Partnership) -> PartnershipRead:
        owners = [m.organisation_id for m in p.members if m.kind == "school_owner"]
        unis = [m.organisation_id for m in p.members if m.kind == "university"]
        lead = next((m.organisation_id for m in p.members if m.lead), None)
        return cls(
            id=p.id,
            county_governor_id=p.county_governor_id,
            programme_id=p.programme_id,
            name=p.name,
            period_start=p.period_start,
            period_end=p.period_end,
            competence_areas=p.competence_areas,
            budget=p.budget,
            school_owner_ids=owners,
            university_ids=unis,
            lead_university_id=lead,
            agreement_reference=p.agreement_reference,
            agreement_signed_on=p.agreement_signed_on,
            status=p.status,  # type: ignore[arg-type]
            created_at=p.created_at,
            updated_at=p.updated_at,
            version=p.version,
        )


class SubcontractCreate(Input):
    university_id: str | None = Field(
        default=None, description="Default: the calling university.", examples=["917641404"]
    )
    third_party_id: str = Field(examples=["9f1c..."])
    description: str = Field(min_length=1, max_length=5000, examples=["Kurs i klasseledelse"])
    budget: Money


class SubcontractRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    partnership_id: uuid.UUID
    university_id: str
    third_party_id: str
    description: str
    budget: Decimal = Field(examples=["400000.00"])
    created_at: datetime
    updated_at: datetime
    version: int


class ForumCreate(Input):
    county_governor_id: str | None = Field(default=None, description="Default: the calling county governor.")
    programme: str = Field(default="desentralisert", examples=["desentralisert"])
    year: int = Field(ge=2000, le=2100, examples=[2026])
    name: str = Field(min_length=1, max_length=300, examples=["Samarbeidsforum Vestland 2026"])


class ForumRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    county_governor_id: str
    programme_id: uuid.UUID
    year: int
    name: str
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, f: Forum) -> ForumRead:
        return cls.model_validate(f)


class ForumMemberCreate(Input):
    kind: Literal["school_owner", "university", "teacher_union", "other"] = Field(examples=["teacher_union"])
    organisation_id: str | None = Field(default=None, description="Required for school owners and universities.")
    organisation_name: str | None = Field(default=None, max_length=300, examples=["Utdanningsforbundet Vestland"])
    representative_name: str = Field(min_length=1, max_length=200, examples=["Lise Lærer"])

    @model_validator(mode="after")
    def _who(self) -> ForumMemberCreate:
        if self.kind in ("school_owner", "university") and not self.organisation_id:
            raise ValueError("organisation_id is required for school owners and universities")
        if not self.organisation_id and not self.organisation_name:
            raise ValueError("give organisation_id or organisation_name")
        return self


class ForumMemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    forum_id: uuid.UUID
    kind: str
    organisation_id: str | None = None
    organisation_name: str | None = None
    representative_name: str
    created_at: datetime
    updated_at: datetime
    version: int


class Priority(Input):
    area: str = Field(min_length=1, max_length=300, examples=["Lesing på mellomtrinnet"])
    school_owner_ids: list[str] = Field(default_factory=list)
    university_ids: list[str] = Field(default_factory=list)


class Share(Input):
    recipient_id: str = Field(examples=["NO-4601"])
    amount: Money
    purpose: str = Field(default="continuing_education", max_length=100, examples=["continuing_education"])


class DecisionCreate(Input):
    meeting_date: date = Field(examples=["2026-02-12"])
    reached_by: Literal["consensus", "county_governor"] = Field(
        description="Rule 14: when the forum does not agree, the county governor decides.", examples=["consensus"]
    )
    justification: str | None = Field(default=None, max_length=5000)
    priorities: list[Priority] = Field(default_factory=list)
    distribution: list[Share] = Field(default_factory=list, description="Recipients and amounts of the region's funds.")

    @model_validator(mode="after")
    def _why(self) -> DecisionCreate:
        if self.reached_by == "county_governor" and not self.justification:
            raise ValueError("a decision by the county governor needs a justification")
        if len({s.recipient_id for s in self.distribution}) != len(self.distribution):
            raise ValueError("each recipient appears once in the distribution")
        return self


class DecisionRead(BaseModel):
    id: uuid.UUID
    forum_id: uuid.UUID
    meeting_date: date
    reached_by: Literal["consensus", "county_governor"]
    justification: str | None = None
    priorities: list[Priority]
    distribution: list[Share]
    total: Decimal = Field(examples=["10000000.00"])
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, d: ForumDecision) -> DecisionRead:
        return cls.model_validate(d, from_attributes=True)
