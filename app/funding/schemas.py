"""Schemas for allocations and co-financing."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import Input
from app.core.money import Money
from app.core.records import fields_of

Purpose = Literal[
    "continuing_education",
    "further_education",
    "guidance",
    "gatherings",
    "competence_partnership",
    "administration",
    "other",
]
AllocationStatus = Literal["proposed", "decided", "disbursed", "closed"]
CoFinancingKind = Literal["cash", "salary", "release_time"]


class AllocationCreate(Input):
    """The directorate to a county governor (no parent); a county governor from its own allocation (parent)."""

    programme: str | None = Field(
        default=None,
        description="Programme code or id; a sub-allocation takes its parent's.",
        examples=["desentralisert"],
    )
    year: int | None = Field(default=None, ge=2000, le=2100, description="A sub-allocation takes its parent's.")
    recipient_id: str = Field(description="Organisation id of the recipient.", examples=["974760665"])
    parent_id: uuid.UUID | None = Field(default=None, description="The county governor's own allocation.")
    amount: Money
    purpose: Purpose = Field(default="continuing_education")
    note: str | None = Field(default=None, max_length=5000)


class AllocationUpdate(Input):
    """A proposed allocation's amount, purpose or note (JSON merge patch, If-Match)."""

    amount: Money | None = None
    purpose: Purpose | None = None
    note: str | None = Field(default=None, max_length=5000)


class FromDecisionIn(Input):
    forum_decision_id: uuid.UUID = Field(
        description="The forum decision whose distribution is turned into allocations."
    )
    parent_id: uuid.UUID = Field(description="The county governor's own allocation the money comes from.")


class AllocationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    programme_id: uuid.UUID
    year: int = Field(examples=[2026])
    grantor_id: str = Field(examples=["970018131"])
    recipient_id: str = Field(examples=["974760665"])
    recipient_kind: str = Field(examples=["county_governor"])
    region_id: str = Field(description="The county governor whose region the money flows through.")
    county_id: str | None = Field(examples=["NO-46"])
    parent_id: uuid.UUID | None
    forum_decision_id: uuid.UUID | None
    amount: Decimal = Field(examples=["10000000.00"])
    currency: str = Field(examples=["NOK"])
    purpose: Purpose
    status: AllocationStatus = Field(description="proposed -> decided -> disbursed -> closed.")
    note: str | None
    sub_allocated: Decimal = Field(description="The sum of its children.", examples=["0.00"])
    remaining: Decimal = Field(description="amount - sub_allocated.")
    co_financing_required: Decimal = Field(description="amount x the programme's ratio, for a school owner.")
    co_financing_committed: Decimal
    co_financing_delivered: Decimal = Field(description="As reported in its submitted and accepted reports.")
    co_financing_met: bool = Field(description="committed >= required.")
    reported_spent: Decimal = Field(description="Spending in its submitted and accepted reports.")
    decided_at: datetime | None
    disbursed_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def data_of(cls, a: object) -> dict[str, Any]:
        """The fields as plain data, every one of them: a list writes its page of these (app/core/page_json.py)."""
        data = fields_of(a, _ALLOCATION_COLUMNS)
        data["remaining"] = data["amount"] - data["sub_allocated"]
        data["co_financing_met"] = data["co_financing_committed"] >= data["co_financing_required"]
        return data

    @classmethod
    def of(cls, a: object) -> AllocationRead:
        return cls.model_validate(cls.data_of(a))


_ALLOCATION_COLUMNS = tuple(k for k in AllocationRead.model_fields if k not in ("remaining", "co_financing_met"))


class CoFinancingCreate(Input):
    kind: CoFinancingKind = Field(description="Rule 15: cash, or wholly or partly salary / release time.")
    amount: Money
    description: str | None = Field(default=None, max_length=2000, examples=["Frikjøp av to lærere 20 %"])


class CoFinancingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    allocation_id: uuid.UUID
    school_owner_id: str
    kind: CoFinancingKind
    amount: Decimal
    description: str | None
    created_at: datetime
    updated_at: datetime
    version: int
