"""Audit records and feed events as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.core.page_json import read_documents
from app.core.records import fields_of


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1042])
    occurred_at: datetime
    actor_client_id: str | None = Field(default=None, examples=["c-3f2a9d1e7b6c4e0f"])
    actor_org_id: str | None = Field(default=None, examples=["970018131"])
    actor_role: str | None = Field(default=None, examples=["directorate"])
    action: str = Field(examples=["update"])
    resource_type: str = Field(examples=["client"])
    resource_id: str = Field(examples=["c-3f2a9d1e7b6c4e0f"])
    changes: dict[str, Any] = Field(
        description="Changed fields: {field: {before, after}}.",
        examples=[{"enabled": {"before": True, "after": False}}],
    )
    reason: str | None = Field(default=None, description="X-Audit-Reason sent with the change.")
    request_id: str | None = None
    subject_org_id: str | None = Field(default=None, examples=["NO-5501"])
    municipality_id: str | None = Field(default=None, examples=["NO-5501"])
    county_id: str | None = Field(default=None, examples=["NO-55"])

    @classmethod
    def data_of(cls, e: object) -> dict[str, Any]:
        """The fields as plain data, every one of them: a list writes its page of these (app/core/page_json.py)."""
        return read_documents(cls, fields_of(e, _AUDIT_COLUMNS), ("changes",))


_AUDIT_COLUMNS = tuple(AuditEventRead.model_fields)


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(description="Position in the feed; pass the last one you saw as `after`.", examples=[1042])
    occurred_at: datetime
    resource_type: str = Field(examples=["municipality"])
    resource_id: str = Field(examples=["NO-5536"])
    action: str = Field(examples=["update"])
    version: int | None = Field(default=None, examples=[2])
    subject_org_id: str | None = Field(default=None, examples=["NO-5536"])
    municipality_id: str | None = Field(default=None, examples=["NO-5536"])
    county_id: str | None = Field(default=None, examples=["NO-55"])
    programme_id: uuid.UUID | None = Field(default=None, description="The programme the change concerns, if one.")
