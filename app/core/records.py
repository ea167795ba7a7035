"""List pages read as plain rows instead of ORM objects.

Identity-mapped ORM objects are for changing data. A list page only reads, and building fifty tracked
objects (and their selectin-loaded children) was most of the CPU a list request took. A list that asks for
records runs its statement for the entity's column attributes and gets `Record`s back: the same attribute
names as the ORM object, so the resource's `of()` reads either. Collections a resource shows (a
municipality's names, an enrolment's phases) are loaded with one query each, in the relationship's order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, Mapper, RelationshipProperty


class Record(SimpleNamespace):
    """One row of a list, with the entity's attribute names (and any collections loaded beside it)."""


def entity_columns(stmt: sa.Select[Any]) -> sa.Select[Any]:
    """`select(Entity)...` as `select(Entity.a, Entity.b, ...)...`: same filters, joins and order, no objects."""
    entity = stmt.column_descriptions[0]["entity"]
    mapper: Mapper[Any] = sa.inspect(entity)
    return stmt.with_only_columns(*(getattr(entity, p.key) for p in mapper.column_attrs))


def to_records(result: sa.Result[Any]) -> list[Record]:
    keys = list(result.keys())
    records = []
    for row in result:
        record = Record()
        record.__dict__.update(zip(keys, row, strict=True))
        records.append(record)
    return records


def _one_of(session: AsyncSession, column: Any, keys: list[Any]) -> sa.ColumnElement[bool]:
    """`column = ANY(:keys)` on PostgreSQL: one array parameter, where IN renders and binds one per key (a
    quarter of a list request's CPU); `IN (...)` elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("keys", keys, type_=ARRAY(column.type)))
    return column.in_(keys)


async def load_collections(
    session: AsyncSession, records: list[Record], collections: Sequence[InstrumentedAttribute[Any]]
) -> None:
    """Attach each one-to-many collection to its records: one query per collection, in the relationship's order."""
    for attribute in collections:
        prop = attribute.property
        assert isinstance(prop, RelationshipProperty) and prop.uselist
        ((local, remote),) = prop.local_remote_pairs
        parent_key = prop.parent.get_property_by_column(local).key
        child_key = prop.mapper.get_property_by_column(remote).key
        keys = list(dict.fromkeys(getattr(r, parent_key) for r in records))
        groups: dict[Any, list[Record]] = defaultdict(list)
        if keys:
            child = prop.mapper.class_
            stmt = sa.select(child).where(_one_of(session, remote, keys))
            if prop.order_by:
                stmt = stmt.order_by(*prop.order_by)
            for row in to_records(await session.execute(entity_columns(stmt))):
                groups[getattr(row, child_key)].append(row)
        for r in records:
            setattr(r, attribute.key, groups.get(getattr(r, parent_key), []))
