"""XLSX for lists (`Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`).

openpyxl's write-only workbook keeps rows on disk, not in memory; the finished file is spooled to a
temporary file and streamed out in chunks, so a national export does not sit in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

from app.core.tabular import XLSX_MEDIA_TYPE

CHUNK = 64 * 1024


def wants_xlsx(accept: str | None) -> bool:
    return bool(accept) and XLSX_MEDIA_TYPE in (accept or "")


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal | float):
        return float(value)
    if isinstance(value, list | tuple):
        return ";".join(str(_cell(v)) for v in value)
    return str(value)


async def xlsx_stream(columns: list[str], batches: AsyncIterator[list[BaseModel]]) -> AsyncIterator[bytes]:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(columns)
    async for batch in batches:
        for item in batch:
            sheet.append([_cell(getattr(item, c)) for c in columns])
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
