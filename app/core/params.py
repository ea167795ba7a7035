"""Query parameters shared by many lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AwareDatetime

UpdatedSince = Annotated[
    AwareDatetime | None,
    Query(
        description="Only what changed at or after this instant (RFC 3339, with offset).",
        examples=["2026-01-01T00:00:00Z"],
    ),
]
Country = Annotated[str | None, Query(pattern="^(NO|SE|no|se)$", description="NO or SE.")]
