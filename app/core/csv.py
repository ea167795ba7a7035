"""text/csv for lists: UTF-8 with a byte-order mark, a header row, RFC 4180 quoting."""

from __future__ import annotations

import csv
import io
import typing
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"


def wants_csv(accept: str | None) -> bool:
    """True when the client's Accept header prefers text/csv to JSON."""
    if not accept:
        return False
    best: tuple[float, str] | None = None
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in ("text/csv", "application/json", "application/*", "*/*") and (best is None or q > best[0]):
            best = (q, media)
    return best is not None and best[1] == "text/csv" and best[0] > 0


def _nested(annotation: Any) -> bool:
    args = typing.get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_nested(a) for a in args)


def csv_columns(schema: type[BaseModel]) -> list[str]:
    """The schema's flat fields (lists of scalars are joined with `;`; nested objects are left out)."""
    flat = [name for name, f in schema.model_fields.items() if not _nested(f.annotation)]
    first = [c for c in ("id",) if c in flat]
    last = [c for c in ("created_at", "updated_at", "version") if c in flat]
    return first + [c for c in flat if c not in first and c not in last] + last


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, BaseModel):
        return str(getattr(value, "id", "")) or value.model_dump_json()
    if isinstance(value, list | tuple):
        return ";".join(_cell(v) for v in value)
    return str(value)


def csv_lines(columns: list[str], items: Iterable[BaseModel]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for item in items:
        writer.writerow([_cell(getattr(item, c)) for c in columns])
    return buf.getvalue()


async def csv_stream(columns: list[str], batches: AsyncIterator[list[BaseModel]]) -> AsyncIterator[bytes]:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(columns)
    yield (BOM + buf.getvalue()).encode("utf-8")
    async for batch in batches:
        yield csv_lines(columns, batch).encode("utf-8")
