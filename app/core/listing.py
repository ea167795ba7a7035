"""The one way a list endpoint answers: a keyset page as JSON (with Link), or CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.core.csv import CSV_MEDIA_TYPE, csv_columns, csv_stream, wants_csv
from app.core.etag import etag_of, not_modified
from app.core.page_json import page_json
from app.core.pagination import MAX_LIMIT, PageParams, encode_cursor, fetch_page, key_of
from app.core.rendered import RenderedItems, reused_page
from app.core.tabular import XLSX_MEDIA_TYPE
from app.core.xlsx import wants_xlsx, xlsx_stream


def _next_link(request: Request, cursor: str) -> str:
    return f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'


async def respond_list(
    request: Request,
    response: Response,
    session: AsyncSession,
    *,
    stmt: sa.Select[Any],
    order: Sequence[ColumnElement[Any]],
    page: PageParams,
    schema: type[BaseModel],
    to_item: Callable[[Any], BaseModel | dict[str, Any]],
    records: Sequence[InstrumentedAttribute[Any]] | None = None,
    reuse_items: bool = False,
) -> Any:
    """JSON page by default; CSV or XLSX (Accept) the page, or every row streamed when no limit is given.

    `to_item` makes the schema's model of a row, or its fields as a dict (`Schema.data_of`): a page of dicts is
    written as JSON by the response model's schema without building the models (app/core/page_json.py), where
    building them (with their nested models) was the largest single part of a list request's CPU.
    `records`: read the page as plain records with these collections loaded, not as ORM objects (the lists
    clients poll most; app/core/records.py).
    `reuse_items`: `to_item` (a dict) depends on the record and its one collection only: a JSON page reuses the
    items written for the same versions of their rows before (app/core/rendered.py).
    """
    fmt = export_format(request)
    if fmt:
        if page.limit is None and page.cursor is None:
            return _export_all(request, stmt, order, schema, to_item, fmt, records)
        rows, next_cursor = await fetch_page(session, stmt, order, page, records)
        headers = {"Link": _next_link(request, next_cursor)} if next_cursor else {}

        async def one() -> AsyncIterator[list[BaseModel]]:
            yield _models(schema, to_item, rows)

        return export_response(fmt, csv_columns(schema), one(), headers)
    settings = request.app.state.settings
    rendered: RenderedItems = request.app.state.rendered_items
    if reuse_items and records is not None and len(records) <= 1 and rendered.max_bytes:
        collection = records[0] if records else None
        body, next_cursor = await reused_page(
            session,
            stmt=stmt,
            order=order,
            page=page,
            schema=schema,
            to_item=to_item,
            collection=collection,
            items=rendered,
        )
        if settings.check_list_pages:
            rows, expected_cursor = await fetch_page(session, stmt, order, page, records)
            expected = page_json(schema, {"items": [to_item(r) for r in rows], "next_cursor": expected_cursor})
            if body != expected:
                raise AssertionError(f"Page[{schema.__name__}] from reused items differs from the page read whole")
        if next_cursor:
            response.headers["Link"] = _next_link(request, next_cursor)
        return Response(body, media_type="application/json", headers=response.headers)
    rows, next_cursor = await fetch_page(session, stmt, order, page, records)
    if next_cursor:
        response.headers["Link"] = _next_link(request, next_cursor)
    items = [to_item(r) for r in rows]
    if not items or isinstance(items[0], BaseModel):
        return {"items": items, "next_cursor": next_cursor}
    # Plain data: written by the response model's schema without building the models (app/core/page_json.py).
    body = page_json(schema, {"items": items, "next_cursor": next_cursor}, check=settings.check_list_pages)
    return Response(body, media_type="application/json", headers=response.headers)


def _models(
    schema: type[BaseModel], to_item: Callable[[Any], BaseModel | dict[str, Any]], rows: Sequence[Any]
) -> list[BaseModel]:
    """The rows as models (exports read their columns as attributes)."""
    items = [to_item(r) for r in rows]
    return [schema.model_validate(i) if isinstance(i, dict) else i for i in items]


def export_format(request: Request) -> str | None:
    """ "xlsx" or "csv" when the Accept header asks for one; None for JSON."""
    accept = request.headers.get("accept")
    return "xlsx" if wants_xlsx(accept) else "csv" if wants_csv(accept) else None


def export_response(
    fmt: str, columns: list[str], batches: AsyncIterator[list[Any]], headers: dict[str, str] | None = None
) -> StreamingResponse:
    """Stream rows (objects with the columns as attributes) as CSV or an XLSX workbook."""
    if fmt == "xlsx":
        return StreamingResponse(xlsx_stream(columns, batches), media_type=XLSX_MEDIA_TYPE, headers=headers)
    return StreamingResponse(csv_stream(columns, batches), media_type=CSV_MEDIA_TYPE, headers=headers)


def _export_all(
    request: Request,
    stmt: sa.Select[Any],
    order: Sequence[ColumnElement[Any]],
    schema: type[BaseModel],
    to_item: Callable[[Any], BaseModel | dict[str, Any]],
    fmt: str,
    records: Sequence[InstrumentedAttribute[Any]] | None,
) -> StreamingResponse:
    factory, slots = request.app.state.read_sessionmaker, request.app.state.db_slots

    async def batches() -> AsyncIterator[list[BaseModel]]:
        params = PageParams(limit=MAX_LIMIT)
        async with slots.hold(), factory() as session:
            while True:
                rows, next_cursor = await fetch_page(session, stmt, order, params, records)
                yield _models(schema, to_item, rows)
                session.expunge_all()
                if not next_cursor:
                    return
                params = PageParams(limit=MAX_LIMIT, cursor=encode_cursor(key_of(rows[-1], order)))

    disposition = {"Content-Disposition": f'attachment; filename="export.{fmt}"'}
    return export_response(fmt, csv_columns(schema), batches(), disposition)


def respond_item(request: Request, response: Response, item: BaseModel, version: int) -> Any:
    """A single resource with its ETag; 304 when the client's copy is current."""
    etag = etag_of(version)
    if not_modified(request, version):
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return item
