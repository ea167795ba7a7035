"""Engine and session factory: one code path for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pydantic_core
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import ORMExecuteState, Session

from app.core.config import Settings
from app.core.context import write_intent_var


def make_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    # JSON columns (a plan's SWOT, goals, challenge picture ...) are read into ORM objects with pydantic-core's
    # parser, faster than json.loads; list pages read theirs as one text per row (app/core/records.py).
    kwargs: dict[str, Any] = {"echo": settings.db_echo, "json_deserializer": pydantic_core.from_json}
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_size"] = settings.db_pool_size
        # Requests use at most pool_size connections (request_slots()); the overflow serves work outside
        # requests (the in-process webhook worker) and is closed again when that work returns it.
        kwargs["max_overflow"] = settings.db_pool_size
        # No pool_pre_ping: on asyncpg it costs three round trips (BEGIN, ping, ROLLBACK) per request. A
        # connection lost to a database restart fails its request with 503 (app/core/errors.py), and the
        # pool then drops every connection older than the failure, so the requests after it reconnect.
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _sqlite_transactions(engine)
    return engine


def request_slots(settings: Settings) -> int | None:
    """How many requests may hold a connection at once: the connections make_engine()'s pool keeps open.

    Not the overflow as well: a session takes its connection at its first query, not when it takes its slot,
    so with more slots than kept connections the pool would at times hold more idle connections than it keeps,
    close them, and open new ones moments later (measured under 64 concurrent requests: a new PostgreSQL
    backend every few milliseconds). None on SQLite: everyone is admitted at once.
    """
    return None if settings.is_sqlite else settings.db_pool_size


def _sqlite_transactions(engine: AsyncEngine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, decide where transactions begin (savepoints work)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        # A deferred transaction that reads and then writes fails at once when another writer got in
        # between ("database is locked"); taking the write lock up front makes writers queue instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent_var.get() else "BEGIN")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


class ReadOnlySession(Session):
    """The session of a request that only reads (GET, HEAD): any write through it is a bug and fails loudly."""


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        raise RuntimeError("a read-only request tried to write")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError("a read-only request tried to write")


def make_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads. On PostgreSQL they run without BEGIN/COMMIT (autocommit): two round trips fewer per
    request, and the same view of the data, since under READ COMMITTED every statement takes its own snapshot."""
    bind = engine.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else engine
    return async_sessionmaker(bind, expire_on_commit=False, autoflush=False, sync_session_class=ReadOnlySession)


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: commit when the block succeeds, roll back otherwise."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
