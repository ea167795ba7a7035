"""Schemas for webhook subscriptions and deliveries."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from app.core.inputs import Input


class SubscriptionCreate(Input):
    callback_url: AnyHttpUrl = Field(examples=["https://saksbehandling.bergen.kommune.no/hooks/skoleutvikling"])
    secret: str = Field(
        min_length=16, max_length=200, description="Signs every delivery (HMAC-SHA256); never shown again."
    )
    resource_types: list[str] = Field(default_factory=list, description="Empty: every type.", examples=[["offer"]])
    programme: str | None = Field(default=None, description="Programme code or id.", examples=["oppfolging"])
    county_id: str | None = Field(default=None, examples=["NO-46"])
    municipality_id: str | None = Field(default=None, examples=["NO-4601"])
    from_seq: int | None = Field(
        default=None, ge=0, description="Start after this feed position (default: now, only new events)."
    )


class SubscriptionUpdate(Input):
    callback_url: AnyHttpUrl | None = None
    secret: str | None = Field(default=None, min_length=16, max_length=200)
    resource_types: list[str] | None = None
    active: bool | None = Field(default=None, description="false pauses delivery; events wait in the feed.")


class RedeliverIn(Input):
    after_seq: int = Field(ge=0, description="Deliver again every event after this feed position.", examples=[1040])


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    owner_org_id: str
    callback_url: str
    resource_types: list[str]
    programme_id: uuid.UUID | None
    county_id: str | None
    municipality_id: str | None
    active: bool
    last_seq: int = Field(description="The last feed event delivered.")
    failures: int = Field(description="Failed attempts in a row.")
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int


class DeliveryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subscription_id: uuid.UUID
    event_seq: int
    attempt: int
    delivered: bool
    response_status: int | None
    error: str | None
    duration_ms: int
    attempted_at: datetime
