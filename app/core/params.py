"""Query parameters shared by many lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator, AwareDatetime, BeforeValidator

_NUMBER = re.compile(r"^[\s+-]*[\d.eE+-]+\s*$")


def rfc3339_only(value: object) -> object:
    """Pydantic also reads a number as Unix time; the contract says RFC 3339, so a number is refused."""
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value)):
        raise ValueError("an RFC 3339 date-time with offset, such as 2026-01-01T00:00:00Z")
    return value


def in_utc_range(value: datetime) -> datetime:
    """An instant that cannot be expressed in UTC (year 1 at +14:00, say) is invalid input, not a crash."""
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the instant is out of range") from exc


Instant = Annotated[AwareDatetime, BeforeValidator(rfc3339_only), AfterValidator(in_utc_range)]

UpdatedSince = Annotated[
    Instant | None,
    Query(
        description="Only what changed at or after this instant (RFC 3339, with offset).",
        examples=["2026-01-01T00:00:00Z"],
    ),
]
Country = Annotated[str | None, Query(pattern="^(NO|SE|no|se)$", description="NO or SE.")]
