"""Schemas for recipients' reports."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.inputs import Input
from app.core.money import MoneyOrZero

ReportStatus = Literal["draft", "submitted", "accepted", "returned"]


class SpendingLine(Input):
    category: str = Field(min_length=1, max_length=100, examples=["Etterutdanning lærere"])
    amount: MoneyOrZero


class MeasureLine(Input):
    measure_id: uuid.UUID = Field(description="A measure of one of the recipient's development plans.")
    note: str | None = Field(default=None, max_length=2000, examples=["Gjennomført for alle skoler."])


class ReportFields(Input):
    spending: list[SpendingLine] | None = Field(default=None, description="Spending by category.")
    co_financing_delivered: MoneyOrZero | None = None
    measures: list[MeasureLine] | None = Field(default=None, description="Plan measures carried out.")
    evaluation: str | None = Field(default=None, max_length=20000, examples=["Tiltakene har styrket ..."])


class ReportCreate(ReportFields):
    allocation_id: uuid.UUID | None = Field(default=None, description="The allocation reported on.")
    enrolment_id: uuid.UUID | None = Field(default=None, description="Or the enrolment reported on.")
    period_start: date = Field(examples=["2026-01-01"])
    period_end: date = Field(examples=["2026-12-31"])

    @model_validator(mode="after")
    def _subject(self) -> ReportCreate:
        if (self.allocation_id is None) == (self.enrolment_id is None):
            raise ValueError("report on exactly one of allocation_id and enrolment_id")
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class ReportUpdate(ReportFields):
    """Change a draft or returned report (JSON merge patch, If-Match)."""


class ReportReview(Input):
    comment: str | None = Field(default=None, max_length=5000, examples=["Mangler regnskap for tiltak 2."])


class ReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    allocation_id: uuid.UUID | None
    enrolment_id: uuid.UUID | None
    programme_id: uuid.UUID
    year: int
    recipient_id: str = Field(examples=["NO-4601"])
    region_id: str = Field(description="The county governor of the region.")
    reviewer_id: str = Field(description="Who accepts or returns it.")
    county_id: str | None
    period_start: date
    period_end: date
    due_on: date = Field(description="From the programme (`limits.report_due`).")
    overdue: bool = Field(description="Not submitted (or returned) and past its due date.")
    spending: list[SpendingLine]
    spent_total: Decimal
    co_financing_delivered: Decimal
    measures: list[dict[str, object]]
    evaluation: str | None
    status: ReportStatus = Field(description="draft -> submitted -> accepted | returned (-> submitted).")
    flags: list[str] = Field(
        description="`spending-exceeds-allocation`, `co-financing-below-requirement`: set when submitted."
    )
    submitted_at: datetime | None
    reviewed_at: datetime | None
    reviewed_by: str | None
    review_comment: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, r: object) -> ReportRead:
        data = {k: getattr(r, k) for k in cls.model_fields if k != "overdue"}
        overdue = data["status"] in ("draft", "returned") and data["due_on"] < date.today()
        return cls(**data, overdue=overdue)
