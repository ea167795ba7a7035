"""Public identifiers: `NO-5501` / `SE-1864` for municipalities, `NO-55` for counties.

A bare Norwegian number (`5501`, `55`) is an alias wherever an id is accepted.
"""

from __future__ import annotations

import re

_PREFIXED = re.compile(r"^(NO|SE)-(\d+)$", re.IGNORECASE)


def place_id(ref: str, digits: int) -> str | None:
    """Normalise a county (2 digits) or municipality (4 digits) reference; None when it cannot be one."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) == digits:
        return f"NO-{ref}"
    m = _PREFIXED.match(ref)
    if m and len(m.group(2)) == digits:
        return f"{m.group(1).upper()}-{m.group(2)}"
    return None


def municipality_id(ref: str) -> str | None:
    return place_id(ref, 4)


def county_id(ref: str) -> str | None:
    return place_id(ref, 2)
