"""Keyset (cursor) pagination: a page costs the same at the end of a million rows as at the start."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.core.errors import InvalidInput
from app.core.records import JoinedPage, load_collections, read_joined, read_records
from app.core.statements import cursor_param, paged

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page.",
        examples=["WyJOTy01NTE1Il0"],
    )


class PageParams(BaseModel):
    limit: int | None = None
    cursor: str | None = None

    @property
    def size(self) -> int:
        return self.limit or DEFAULT_LIMIT


async def page_params(
    limit: Annotated[
        int | None, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1-{MAX_LIMIT} (default {DEFAULT_LIMIT}).")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=512, description="The `next_cursor` of the previous page.")] = None,
) -> PageParams:
    return PageParams(limit=limit, cursor=cursor)


def _bad_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this list handed out.",
        [{"pointer": "cursor", "detail": "not a cursor of this list (query)"}],
    )


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _from_json(value: Any, column: ColumnElement[Any]) -> Any:
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if python_type is datetime:
        return datetime.fromisoformat(value)
    if python_type is uuid.UUID:
        return uuid.UUID(value)
    if not isinstance(value, python_type):
        raise TypeError
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_to_json(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: Sequence[ColumnElement[Any]]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(order):
            raise _bad_cursor()
        return [_from_json(v, c) for v, c in zip(values, order, strict=True)]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise _bad_cursor() from exc


async def fetch_page(
    session: AsyncSession,
    stmt: sa.Select[Any],
    order: Sequence[ColumnElement[Any]],
    params: PageParams,
    records: Sequence[InstrumentedAttribute[Any]] | None = None,
) -> tuple[list[Any], str | None]:
    """One page, ordered by `order` (ascending, unique together) after `params.cursor`, and the cursor of the
    next page (None at the end).

    ORM objects by default; with `records` (a list of collections to load, possibly empty) plain records
    with the same attributes (app/core/records.py): the first collection comes in the page's own statement,
    any further one with a query of its own.
    """
    limit = params.size
    values = decode_cursor(params.cursor, order) if params.cursor else []
    collections = None if records is None else tuple(records)
    page = paged(stmt, order, after=bool(values), limit=limit + 1, records=collections)
    bound = {cursor_param(i): v for i, v in enumerate(values)}
    rows: list[Any]
    if isinstance(page, JoinedPage):
        rows = await read_joined(session, page, bound)
    elif collections is None:
        rows = list((await session.scalars(page, bound)).all())
    else:
        rows = await read_records(session, page, bound)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(key_of(rows[-1], order))
    if collections and len(collections) > 1:
        await load_collections(session, rows, collections[1:])
    return rows, next_cursor


def key_of(obj: Any, order: Sequence[ColumnElement[Any]]) -> list[Any]:
    return [getattr(obj, str(c.key)) for c in order]
