"""Bulk imports: a CSV or XLSX body read as numbered rows of text cells, and the row errors they give."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from app.core.errors import InvalidInput

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
}
MAX_REPORTED_ERRORS = 1000


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number as a spreadsheet shows it, cells by column)


@dataclass
class RowErrors:
    """Every bad row of a file: row number, column and reason. Any error means nothing is imported."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0

    def add(self, row: int, column: str, detail: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"pointer": f"/rows/{row}/{column}", "detail": detail, "row": row, "column": column})

    def raise_if_any(self) -> None:
        if self.count:
            more = f" (the first {MAX_REPORTED_ERRORS} are listed)" if self.count > MAX_REPORTED_ERRORS else ""
            raise InvalidInput(f"{self.count} bad cell(s); nothing was imported{more}.", self.errors)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_rows(body: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(c) for c in row]
    finally:
        workbook.close()


def read_table(body: bytes, content_type: str | None, required: tuple[str, ...], optional: tuple[str, ...]) -> Table:
    """Parse the body by its Content-Type; a missing required column is 422 naming it."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == XLSX_MEDIA_TYPE:
        try:
            raw = list(_xlsx_rows(body))
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise InvalidInput(
                "The body is not a readable XLSX workbook.", [{"pointer": "/", "detail": str(exc)[:200]}]
            ) from exc
    elif media in ("text/csv", "application/csv"):
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("A CSV file must be UTF-8.", [{"pointer": "/", "detail": "not UTF-8"}]) from exc
        try:
            raw = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as exc:
            raise InvalidInput("The body is not readable CSV.", [{"pointer": "/", "detail": str(exc)[:200]}]) from exc
    else:
        raise InvalidInput(
            "Send the file as text/csv or as an XLSX workbook.",
            [{"pointer": "Content-Type", "detail": f"expected text/csv or {XLSX_MEDIA_TYPE} (header)"}],
        )
    raw = [r for r in raw if any(r)]
    if not raw:
        raise InvalidInput("The file is empty.", [{"pointer": "/rows/1", "detail": "no header row"}])
    header = [h.strip().lower() for h in raw[0]]
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h and h not in required + optional]
    if missing or unknown:
        raise InvalidInput(
            "The header row does not match the format.",
            [{"pointer": f"/rows/1/{c}", "detail": "required column missing"} for c in missing]
            + [{"pointer": f"/rows/1/{c}", "detail": "unknown column"} for c in unknown],
        )
    rows = [
        (n, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)))
        for n, cells in enumerate(raw[1:], 2)
    ]
    return Table(header, rows)
