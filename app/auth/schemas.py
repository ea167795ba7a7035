"""Token endpoint and /me schemas."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.auth.principal import Role


class TokenResponse(BaseModel):
    access_token: str = Field(examples=["eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9..."])
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(examples=[900])
    scope: str = Field(examples=["read write"])


class Me(BaseModel):
    role: Role = Field(examples=["county_governor"])
    organisation_id: str = Field(examples=["967311014"])
    organisation_name: str | None = Field(default=None, examples=["Statsforvalteren i Troms og Finnmark"])
    scopes: list[str] = Field(examples=[["read", "write"]])
    client_id: str | None = Field(default=None, examples=["c-3f2a9d1e7b6c4e0f"])
    issuer: str = Field(examples=["https://skoleutvikling.udir.no"])
