"""List statements built once and reused: the same caller and filters get the same statement object.

Building a list's scoped statement, paging it and generating its cache key (SQLAlchemy walks the whole
statement to find its compiled form) cost a list request about 0.15 ms of CPU, more than running it. Clients
poll the same lists with the same filters, so:

- a list's statement builder (the caller and the filter values in, a statement out; no session, no clock) is
  wrapped in `built_once`: equal arguments return the very same statement;
- `paged()` builds the page statement on it once per page size, with the cursor's values as bound
  parameters given when it runs, so the next pages reuse it too.

A statement object is immutable and keeps its cache key once generated, so SQLAlchemy finds the compiled form
without walking it again. Both caches are bounded (least recently used out) and per process.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from app.core.records import JoinedPage, StampedPage, entity_columns, join_collection, one_of, stamps_of

STATEMENTS = 512

P = ParamSpec("P")
R = TypeVar("R")


_reusable: weakref.WeakSet[sa.Select[Any]] = weakref.WeakSet()


def built_once(builder: Callable[P, R]) -> Callable[P, R]:
    """Memoise a pure statement builder by its (hashable) arguments: the principal and the filter values.

    Only for builders whose statement depends on nothing else: no session, no `now()` or `today()`. The builder
    returns a statement or something holding one as `.stmt` (a ListQuery); `paged()` keeps its pages.
    """

    @functools.lru_cache(maxsize=STATEMENTS)
    def cached(*args: Any, **kwargs: Any) -> Any:
        built = builder(*args, **kwargs)
        stmt = getattr(built, "stmt", built)
        if isinstance(stmt, sa.Select):
            _reusable.add(stmt)
        return built

    return functools.wraps(builder)(cached)  # type: ignore[return-value]


def cursor_param(position: int) -> str:
    """The bound parameter that carries the cursor's value for the `position`-th ordering column."""
    return f"cursor_{position}"


Collections = tuple[InstrumentedAttribute[Any], ...]


def _limited(stmt: sa.Select[Any], order: Sequence[ColumnElement[Any]], after: bool, limit: int) -> sa.Select[Any]:
    """`stmt` ordered by `order`, after the cursor's bound values when `after`, `limit` rows."""
    paged = stmt.order_by(*order)
    if after:
        bound = [sa.bindparam(cursor_param(i), type_=c.type) for i, c in enumerate(order)]
        paged = paged.where(sa.tuple_(*order) > sa.tuple_(*bound))
    return paged.limit(limit)


def _page_of(
    stmt: sa.Select[Any], order: Sequence[ColumnElement[Any]], after: bool, limit: int, records: Collections | None
) -> sa.Select[Any] | JoinedPage:
    paged = _limited(stmt, order, after, limit)
    if records is None:
        return paged
    keys = [str(c.key) for c in order]
    if records:
        return join_collection(entity_columns(paged, keys), keys, records[0])
    return entity_columns(paged, keys)


class _Pages:
    """Page statements by the identity of the list statement they page (which they keep alive)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], tuple[sa.Select[Any], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, stmt: sa.Select[Any], key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] is stmt:
                self._entries.move_to_end(key)
                return found[1]
        page = build()
        with self._lock:
            self._entries[key] = (stmt, page)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return page


_pages = _Pages(STATEMENTS)


def paged(
    stmt: sa.Select[Any],
    order: Sequence[ColumnElement[Any]],
    *,
    after: bool,
    limit: int,
    records: Collections | None,
) -> sa.Select[Any] | JoinedPage:
    """`stmt` ordered by `order`, after the cursor's bound values when `after`, `limit` rows.

    `records` None: the statement, for ORM objects. Otherwise labelled columns for records (app/core/records.py),
    with the first of the `records` collections joined (a JoinedPage). The same object for the same page shape
    of a statement `built_once`."""
    return _reused(
        stmt,
        ("page", *(id(c) for c in order), after, limit, records),
        lambda: _page_of(stmt, order, after, limit, records),
    )


def _reused(stmt: sa.Select[Any], shape: tuple[Any, ...], build: Callable[[], R]) -> R:
    """What `build` makes of `stmt`, built once per `shape` for a statement `built_once`."""
    if stmt not in _reusable:
        return build()
    return cast(R, _pages.get(stmt, (id(stmt), *shape), build))


def stamped_page(
    stmt: sa.Select[Any],
    order: Sequence[ColumnElement[Any]],
    *,
    after: bool,
    limit: int,
    collection: InstrumentedAttribute[Any] | None,
) -> StampedPage:
    """The page `paged()` reads, as its rows' ids, versions and ordering values only (and the same of each row's
    `collection`): what tells whether the items written for them before are still current (app/core/rendered.py)."""
    shape = ("stamps", *(id(c) for c in order), after, limit, collection)
    return _reused(stmt, shape, lambda: stamps_of(_limited(stmt, order, after, limit), order, collection))


def rows_by_id(
    stmt: sa.Select[Any], order: Sequence[ColumnElement[Any]], records: Collections, *, postgres: bool
) -> sa.Select[Any] | JoinedPage:
    """The records of `stmt` whose ids are the bound parameter `ids` (still under the list's filters), as
    `paged()` reads them: labelled columns, the first of `records` joined."""

    def build() -> sa.Select[Any] | JoinedPage:
        match = one_of(stmt.column_descriptions[0]["entity"].id, "ids", postgres=postgres)
        keys = [str(c.key) for c in order]
        rows = entity_columns(stmt.where(match).order_by(*order), keys)
        return join_collection(rows, keys, records[0]) if records else rows

    return _reused(stmt, ("by id", *(id(c) for c in order), records, postgres), build)
