"""List pages read as plain rows instead of ORM objects.

Identity-mapped ORM objects are for changing data. A list page only reads, and building fifty tracked
objects (and their selectin-loaded children) was most of the CPU a list request took. A list that asks for
records runs its statement for the entity's column attributes and gets `Record`s back: the same attribute
names as the ORM object, so the resource's `of()` reads either. Collections a resource shows (a
municipality's names, an enrolment's phases) are loaded with one query each, in the relationship's order.

A page's first collection comes in the page's own statement (`join_collection`): the page as a subquery, each
of its rows joined to its children in the relationship's order, one row per child (one with no child columns for
a record that has none). That saves a round trip to the database and a statement per page; further collections
are loaded with one query each.

A record's JSON columns come as one text, `documents`: the JSON object of them, built by the database
(`json_build_object` on PostgreSQL, `json_object` on SQLite); the read model validates it in one pass
(`page_json.read_documents`) instead of a call into Python to decode each value.

Both run on the session's connection (Core): the rows are plain tuples, so the ORM's execution and loading
steps have nothing to do. What does not change between requests (an entity's labelled columns, a collection's
statement with its keys as one parameter) is built once per process; a statement object that is reused keeps
its cache key, so SQLAlchemy finds its compiled form without walking it again.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Mapper, RelationshipProperty
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

# A record's JSON documents, as the text of one JSON object keyed by their attribute names.
DOCUMENTS = "documents"


class Record(SimpleNamespace):
    """One row of a list, with the entity's attribute names (and any collections loaded beside it); its JSON
    columns come together as the text `documents` (app/core/page_json.py reads them)."""


class _DocumentsText(FunctionElement[str]):
    """`{"<key>": <json column>, ...}` as text: the arguments are the keys' literals and the columns, in turn."""

    type = sa.Text()
    name = "documents_text"
    inherit_cache = True


@compiles(_DocumentsText, "postgresql")
def _documents_postgresql(element: _DocumentsText, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({compiler.process(element.clauses, **kw)})::text"


@compiles(_DocumentsText)  # SQLite, the other database the service runs on
def _documents_sqlite(element: _DocumentsText, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps JSON as text: json() makes each a JSON value of the object, not a string in it.
    parts = [compiler.process(c, **kw) for c in element.clauses]
    pairs = (f"{key}, json({value})" for key, value in zip(parts[::2], parts[1::2], strict=True))
    return f"json_object({', '.join(pairs)})"


@dataclass(frozen=True)
class _Columns:
    """An entity's column attributes labelled with their names, apart from its JSON columns (by name)."""

    plain: tuple[sa.Label[Any], ...]
    json: tuple[tuple[str, sa.ColumnElement[Any]], ...]


@functools.cache
def _columns(entity: type) -> _Columns:
    mapper: Mapper[Any] = sa.inspect(entity)
    plain: list[sa.Label[Any]] = []
    json: list[tuple[str, sa.ColumnElement[Any]]] = []
    for p in mapper.column_attrs:
        attribute = getattr(entity, p.key)
        if isinstance(p.columns[0].type, sa.JSON):
            json.append((p.key, attribute))
        else:
            assert p.key != DOCUMENTS, f"{entity.__name__}.{DOCUMENTS} would hide its JSON documents"
            plain.append(attribute.label(p.key))
    return _Columns(tuple(plain), tuple(json))


def _documents(json: Iterable[tuple[str, sa.ColumnElement[Any]]]) -> sa.Label[Any]:
    return _DocumentsText(*(e for key, column in json for e in (sa.literal_column(f"'{key}'"), column))).label(
        DOCUMENTS
    )


@functools.cache
def _labelled_columns(entity: type) -> tuple[sa.Label[Any], ...]:
    """Every column attribute of `entity`, labelled with its attribute name (the row's keys); the JSON columns
    as one text, `documents`.

    Decoding each JSON value on its own was a call into Python per value (a plan page holds 250); the one text
    of a row is validated in one pass by the response model's schema (`page_json.read_documents`).
    """
    columns = _columns(entity)
    return (*columns.plain, _documents(columns.json)) if columns.json else columns.plain


def entity_columns(stmt: sa.Select[Any], order_keys: Sequence[str]) -> sa.Select[Any]:
    """`select(Entity)...` as `select(Entity.a, Entity.b, ...)...`: same filters, joins, order and limit, no objects.

    An entity with JSON columns gets its `documents` text built for the page's rows only: the page (ordered by
    `order_keys`, limited) is a subquery, and the text is built over it. Built in the page's own select, the
    database builds it for every row it sorts when it sorts before the limit (4,000 plans of a region, for a
    page of fifty: 5.6 ms a query instead of 1.9).
    """
    columns = _columns(stmt.column_descriptions[0]["entity"])
    if not columns.json:
        return stmt.with_only_columns(*columns.plain)
    page = stmt.with_only_columns(*columns.plain, *(column.label(key) for key, column in columns.json)).subquery()
    return sa.select(
        *(page.c[c.key] for c in columns.plain), _documents((key, page.c[key]) for key, _ in columns.json)
    ).order_by(*(page.c[k] for k in order_keys))


def _record(keys: Sequence[str], values: Iterable[Any]) -> Record:
    record = Record()
    record.__dict__.update(zip(keys, values, strict=True))
    return record


def to_records(rows: Iterable[Any], keys: Sequence[str]) -> list[Record]:
    return [_record(keys, row) for row in rows]


def fields_of(obj: object, names: Sequence[str]) -> dict[str, Any]:
    """The fields `names` of a record or ORM object as a dict, for a response model to validate.

    A record's attributes are copied in one step (the model ignores the columns it does not show); an ORM
    object's are read one by one.
    """
    if type(obj) is Record:
        return dict(obj.__dict__)
    return {k: getattr(obj, k) for k in names}


async def read_records(
    session: AsyncSession, stmt: sa.Select[Any], params: dict[str, Any] | None = None
) -> list[Record]:
    """Run a statement of labelled columns on the session's connection (in its transaction, if it has one)."""
    result = await (await session.connection()).execute(stmt, params or {})
    return to_records(result.all(), list(result.keys()))


@dataclass(frozen=True)
class _Collection:
    """How one one-to-many collection of a list's records is read: its key on each side and its statement."""

    parent_key: str
    child_key: str
    any_of_keys: sa.Select[Any]  # `remote = ANY(:keys)`: one array parameter (PostgreSQL)
    in_keys: sa.Select[Any]  # `remote IN (:keys)`, expanded per key when run


def on_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def one_of(column: sa.ColumnElement[Any], name: str, *, postgres: bool) -> sa.ColumnElement[bool]:
    """`column` is one of the keys bound as `name`: `= ANY(:name)`, one array parameter, on PostgreSQL; elsewhere
    `IN (:name)`, expanded per key when run. (IN with one parameter per key on PostgreSQL: rendering and binding
    them was a quarter of a list request's CPU.)"""
    if postgres:
        return column == sa.any_(sa.bindparam(name, type_=ARRAY(column.type)))
    return column.in_(sa.bindparam(name, expanding=True))


@functools.cache
def _collection(attribute: InstrumentedAttribute[Any]) -> _Collection:
    prop = attribute.property
    assert isinstance(prop, RelationshipProperty) and prop.uselist
    ((local, remote),) = prop.local_remote_pairs
    child: Any = prop.mapper.class_
    columns = _labelled_columns(child)
    order = prop.order_by or ()

    def where(condition: sa.ColumnElement[bool]) -> sa.Select[Any]:
        return sa.select(*columns).where(condition).order_by(*order)

    return _Collection(
        parent_key=prop.parent.get_property_by_column(local).key,
        child_key=prop.mapper.get_property_by_column(remote).key,
        any_of_keys=where(one_of(remote, "keys", postgres=True)),
        in_keys=where(one_of(remote, "keys", postgres=False)),
    )


async def load_collections(
    session: AsyncSession, records: list[Record], collections: Sequence[InstrumentedAttribute[Any]]
) -> None:
    """Attach each one-to-many collection to its records: one query per collection, in the relationship's order."""
    postgres = on_postgres(session)
    for attribute in collections:
        plan = _collection(attribute)
        keys = list(dict.fromkeys(getattr(r, plan.parent_key) for r in records))
        groups: dict[Any, list[Record]] = defaultdict(list)
        if keys:
            stmt = plan.any_of_keys if postgres else plan.in_keys
            for row in await read_records(session, stmt, {"keys": keys}):
                groups[getattr(row, plan.child_key)].append(row)
        for r in records:
            setattr(r, attribute.key, groups.get(getattr(r, plan.parent_key), []))


@dataclass(frozen=True)
class JoinedPage:
    """A page of records and their first collection in one statement: each row holds a record's columns, then
    one child's columns (all None for a record without children), ordered by the page's order, then the
    relationship's."""

    stmt: sa.Select[Any]
    width: int  # the record's columns come first
    parent_at: int  # the record's key (the relationship's local column) in the row
    child_at: int  # the child's key in the row: None when the record has no children
    record_keys: tuple[str, ...]
    child_keys: tuple[str, ...]
    attribute: str


def join_collection(
    page: sa.Select[Any], order_keys: Sequence[str], attribute: InstrumentedAttribute[Any]
) -> JoinedPage:
    """`page` (labelled columns, ordered, limited) with `attribute`'s children joined to each of its rows."""
    plan = _collection(attribute)
    columns = _labelled_columns(attribute.property.mapper.class_)
    stmt = _with_children(page, order_keys, attribute, columns)
    record_keys = tuple(page.subquery().c.keys())
    child_keys = tuple(c.key for c in columns)
    return JoinedPage(
        stmt=stmt,
        width=len(record_keys),
        parent_at=record_keys.index(plan.parent_key),
        child_at=len(record_keys) + child_keys.index(plan.child_key),
        record_keys=record_keys,
        child_keys=child_keys,
        attribute=attribute.key,
    )


def _with_children(
    page: sa.Select[Any],
    order_keys: Sequence[str],
    attribute: InstrumentedAttribute[Any],
    child_columns: Sequence[sa.ColumnElement[Any]],
) -> sa.Select[Any]:
    """`page` as a subquery, each of its rows joined to `child_columns` of its children (one row per child, one
    with the child's columns None for a row without children), in the page's order, then the relationship's."""
    plan = _collection(attribute)
    prop = attribute.property
    ((_, remote),) = prop.local_remote_pairs
    sub = page.subquery("page")
    return (
        sa.select(*sub.c, *child_columns)
        .select_from(sub.outerjoin(prop.mapper.local_table, remote == sub.c[plan.parent_key]))
        .order_by(*(sub.c[k] for k in order_keys), *(prop.order_by or ()))
    )


async def read_joined(session: AsyncSession, joined: JoinedPage, params: dict[str, Any]) -> list[Record]:
    """The page's records, each with its collection, from one statement (`join_collection`)."""
    result = await (await session.connection()).execute(joined.stmt, params)
    records: list[Record] = []
    width, parent_at, child_at = joined.width, joined.parent_at, joined.child_at
    children: list[Record] = []
    current = None
    for row in result.all():
        if not records or row[parent_at] != current:
            current = row[parent_at]
            children = []
            record = _record(joined.record_keys, row[:width])
            setattr(record, joined.attribute, children)
            records.append(record)
        if row[child_at] is not None:
            children.append(_record(joined.child_keys, row[width:]))
    return records


# What identifies the state of a row a list shows: any change to it bumps its version (app/db/base.Versioned).
STAMP = ("id", "version", "updated_at")


@dataclass(frozen=True)
class StampedPage:
    """A page as its records' stamps and ordering values only (`names`, in that order), each row followed by the
    stamp of one of its children (all None for a record without children) when it has a collection."""

    stmt: sa.Select[Any]
    names: tuple[str, ...]
    joined: bool


def stamps_of(
    page: sa.Select[Any], order: Sequence[ColumnElement[Any]], collection: InstrumentedAttribute[Any] | None
) -> StampedPage:
    """`page` (a `select(Entity)`, ordered and limited) as its rows' stamps and ordering values, and the stamps of
    each row's `collection` in the relationship's order."""
    entity = page.column_descriptions[0]["entity"]
    order_keys = [str(c.key) for c in order]
    names = tuple(dict.fromkeys((*STAMP, *order_keys)))
    stamped = page.with_only_columns(*(getattr(entity, n).label(n) for n in names))
    if collection is None:
        return StampedPage(stamped, names, joined=False)
    assert _collection(collection).parent_key in names, f"{collection} is not keyed by its parent's id"
    child = collection.property.mapper.class_
    stamps = [getattr(child, n).label(f"child_{n}") for n in STAMP]
    return StampedPage(_with_children(stamped, order_keys, collection, stamps), names, joined=True)
