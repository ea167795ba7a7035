"""The items of the lists clients poll, written as JSON once per version of their rows and reused while current.

Clients poll the same pages again and again (an integration every few minutes, a dashboard on every view),
and most of a list request's CPU went into reading its rows whole and writing them as JSON: for the enrolment
list, 64 rows with their goal checklists in, 60 KB out, on every request. An item's JSON depends on its row
and its children's rows only, and every change to a row bumps its version (app/db/base.Versioned), so:

- a page is read first as its rows' stamps (id, version, updated_at) and ordering values, and its children's
  stamps (`statements.stamped_page`): a few small columns;
- an item whose stamps are those it had when it was last written is that JSON again;
- only the others are read whole, by id and still under the list's filters (`statements.rows_by_id`; a row
  that stopped matching between the two reads is left out, as it would be a moment later), and written by the
  response model's schema (app/core/page_json.py).

The written items are kept per process, one entry per row (a newer version replaces the older), up to
LIST_ITEM_CACHE_MB, least recently used out; 0 turns this off. Nothing is shared between workers: each reads
the stamps from the database on every request, so no worker serves an item that has changed since.

Only for lists whose items depend on nothing but the row and its one collection (no clock, no caller):
`respond_list(..., reuse_items=True)`. Settings.check_list_pages (on in the tests) reads every such page the
plain way as well and fails unless both give the same bytes.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.core.page_json import item_serializer
from app.core.pagination import PageParams, decode_cursor, encode_cursor
from app.core.records import STAMP, JoinedPage, on_postgres, read_joined, read_records
from app.core.statements import cursor_param, rows_by_id, stamped_page

# What an entry costs beyond its JSON (its key, its stamps, the dictionary's slot), roughly, in bytes.
ENTRY_OVERHEAD = 300

Stamp = tuple[Any, ...]


class RenderedItems:
    """Items' JSON by (schema, id), with the stamps they were written from; at most `max_bytes` in all.

    Used from the event loop only (no lock): a worker runs one.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[tuple[type[BaseModel], Any], tuple[Stamp, bytes]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, schema: type[BaseModel], key: Any, stamp: Stamp) -> bytes | None:
        """The JSON written for `key` when its stamps were `stamp`, or None."""
        found = self._items.get((schema, key))
        if found is None or found[0] != stamp:
            return None
        self._items.move_to_end((schema, key))
        return found[1]

    def put(self, schema: type[BaseModel], key: Any, stamp: Stamp, body: bytes) -> None:
        cost = len(body) + ENTRY_OVERHEAD
        if cost > self.max_bytes:
            return
        old = self._items.pop((schema, key), None)
        if old is not None:
            self.size -= len(old[1]) + ENTRY_OVERHEAD
        self._items[(schema, key)] = (stamp, body)
        self.size += cost
        while self.size > self.max_bytes:
            _, (_, dropped) = self._items.popitem(last=False)
            self.size -= len(dropped) + ENTRY_OVERHEAD


def _stamp_of(record: Any, collection: str | None) -> Stamp:
    """A record's stamps as the stamp query gives them: its version and updated_at, its children's stamps."""
    children = (
        () if collection is None else tuple(tuple(getattr(c, n) for n in STAMP) for c in getattr(record, collection))
    )
    return (record.version, record.updated_at, children)


async def reused_page(
    session: AsyncSession,
    *,
    stmt: sa.Select[Any],
    order: Sequence[ColumnElement[Any]],
    page: PageParams,
    schema: type[BaseModel],
    to_item: Callable[[Any], Any],
    collection: InstrumentedAttribute[Any] | None,
    items: RenderedItems,
) -> tuple[bytes, str | None]:
    """The JSON of a page of `Page[schema]` and the next page's cursor, from the items written before where
    their stamps still match."""
    limit = page.size
    values = decode_cursor(page.cursor, order) if page.cursor else []
    stamped = stamped_page(stmt, order, after=bool(values), limit=limit + 1, collection=collection)
    conn = await session.connection()
    rows = (await conn.execute(stamped.stmt, {cursor_param(i): v for i, v in enumerate(values)})).all()
    width = len(stamped.names)
    # Each row of the page: (id, its stamp, its ordering values); rows of one record's children come together.
    found: list[tuple[Any, Stamp, tuple[Any, ...]]] = []
    children: list[tuple[Any, ...]] = []
    order_at = [stamped.names.index(str(c.key)) for c in order]
    for row in rows:
        if not found or row[0] != found[-1][0]:
            children = []
            found.append((row[0], (row[1], row[2], children), tuple(row[i] for i in order_at)))
        if stamped.joined and row[width] is not None:
            children.append(tuple(row[width : width + len(STAMP)]))
    next_cursor = None
    if len(found) > limit:
        found = found[:limit]
        next_cursor = encode_cursor(found[-1][2])
    parts: list[bytes | None] = []
    for key, (version, updated_at, kids), _ in found:
        parts.append(items.get(schema, key, (version, updated_at, tuple(kids))))
    missing = [found[i][0] for i, part in enumerate(parts) if part is None]
    if missing:
        written = await _write_items(session, stmt, order, schema, to_item, collection, items, missing)
        parts = [part if part is not None else written.get(found[i][0]) for i, part in enumerate(parts)]
    body = b",".join(part for part in parts if part is not None)
    return b'{"items":[' + body + b'],"next_cursor":' + json.dumps(next_cursor).encode() + b"}", next_cursor


async def _write_items(
    session: AsyncSession,
    stmt: sa.Select[Any],
    order: Sequence[ColumnElement[Any]],
    schema: type[BaseModel],
    to_item: Callable[[Any], Any],
    collection: InstrumentedAttribute[Any] | None,
    items: RenderedItems,
    ids: list[Any],
) -> dict[Any, bytes]:
    """The rows `ids` of the list read whole and written as JSON (and kept), by id."""
    read = rows_by_id(stmt, order, (collection,) if collection is not None else (), postgres=on_postgres(session))
    params = {"ids": ids}
    records = await (
        read_joined(session, read, params) if isinstance(read, JoinedPage) else read_records(session, read, params)
    )
    serializer = item_serializer(schema)
    written = {}
    name = None if collection is None else collection.key
    for record in records:
        body = serializer.to_json(to_item(record), by_alias=True, warnings="error")
        items.put(schema, record.id, _stamp_of(record, name), body)
        written[record.id] = body
    return written
