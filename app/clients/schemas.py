"""API client schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.auth.principal import Role
from app.core.inputs import Input

Scope = Literal["read", "write"]


class ClientCreate(Input):
    name: str = Field(min_length=1, max_length=200, examples=["Statsforvalteren i Vestland – saksbehandling"])
    role: Role = Field(examples=["county_governor"])
    organisation_id: str = Field(
        min_length=1,
        max_length=64,
        examples=["974760665"],
        description="The organisation the client acts for: organisation number, municipality id or UUID.",
    )
    scopes: list[Scope] = Field(default=["read", "write"], min_length=1, examples=[["read"]])


class ClientUpdate(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    enabled: bool | None = Field(
        default=None, description="false disables the client: no new tokens, and its tokens stop working."
    )
    scopes: list[Scope] | None = Field(default=None, min_length=1)


class ClientRead(BaseModel):
    id: str = Field(description="The client_id used at the token endpoint.", examples=["c-3f2a9d1e7b6c4e0f"])
    name: str
    role: Role
    organisation_id: str
    scopes: list[Scope]
    enabled: bool
    created_at: datetime
    updated_at: datetime
    version: int


class ClientWithSecret(ClientRead):
    client_secret: str = Field(
        description="Shown once, in this response only; stored hashed. A replayed request does not repeat it.",
        examples=["s3cr3t-shown-once"],
    )
