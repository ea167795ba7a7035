"""Idempotency-Key on creates and actions, kept in the database so it holds across workers and restarts.

The key is claimed inside the request's transaction, and the response is stored in that same
transaction: either the change and its stored response commit together, or neither does.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.core.errors import Conflict, InvalidInput
from app.db.base import Base
from app.db.guard import insert_guarded
from app.db.types import utcnow

HEADER = "Idempotency-Key"
REDACTED_FIELDS = ("client_secret",)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_records"
    __table_args__ = (sa.UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    caller: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    key: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    fingerprint: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    status: Mapped[int | None] = mapped_column(sa.Integer)
    body: Mapped[Any] = mapped_column(sa.JSON, nullable=True)
    location: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False, index=True)


class IdempotentReplay(Exception):
    """Raised before the endpoint runs; carries the stored response (copied: the session rolls back)."""

    def __init__(self, record: IdempotencyRecord) -> None:
        self.status = record.status or 200
        self.body = record.body
        self.location = record.location


def replay_response(replay: IdempotentReplay) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"}
    if replay.location:
        headers["Location"] = replay.location
    return JSONResponse(replay.body, status_code=replay.status, headers=headers)


class Idempotency:
    """Claims the caller's key before the change; `finish` stores the response with the change."""

    def __init__(self, session: AsyncSession, caller: str, key: str | None, fingerprint: str, dry_run: bool) -> None:
        self.session = session
        self.caller = caller
        self.key = key
        self.fingerprint = fingerprint
        self.dry_run = dry_run
        self.record: IdempotencyRecord | None = None

    async def claim(self, ttl: timedelta) -> None:
        if not self.key or self.dry_run:
            return
        found = await self.session.scalar(
            sa.select(IdempotencyRecord).where(
                IdempotencyRecord.caller == self.caller, IdempotencyRecord.key == self.key
            )
        )
        if found is not None and found.created_at < utcnow() - ttl:
            await self.session.delete(found)
            await self.session.flush()
            found = None
        if found is not None:
            if found.fingerprint != self.fingerprint:
                raise InvalidInput(
                    "This Idempotency-Key was used with another request body.",
                    [{"pointer": HEADER, "detail": "already used with a different request (header)"}],
                )
            if found.status is None:
                raise Conflict("A request with this Idempotency-Key is still in progress.")
            raise IdempotentReplay(found)
        self.record = IdempotencyRecord(caller=self.caller, key=self.key, fingerprint=self.fingerprint)
        await insert_guarded(
            self.session, self.record, Conflict("A request with this Idempotency-Key is in progress; retry it shortly.")
        )

    def created(self, response: Response, body: Any, location: str, version: int | None = None) -> Any:
        """201 with Location and ETag; a dry run answers 200 with neither, since nothing was created."""
        if self.dry_run:
            return self.finish(response, 200, body)
        if version is not None:
            response.headers["ETag"] = f'"{version}"'
        return self.finish(response, 201, body, location)

    def done(self, response: Response, body: Any, version: int | None = None) -> Any:
        """200 for an action, with the resource's new ETag."""
        if version is not None and not self.dry_run:
            response.headers["ETag"] = f'"{version}"'
        return self.finish(response, 200, body)

    def finish(self, response: Response, status: int, body: Any, location: str | None = None) -> Any:
        """Set status (and Location) and remember the response; returns the body to send."""
        response.status_code = status
        if location:
            response.headers["Location"] = location
        if self.record is not None:
            stored = jsonable_encoder(body)
            if isinstance(stored, dict):
                stored = {k: ("(shown once; not repeated)" if k in REDACTED_FIELDS else v) for k, v in stored.items()}
            self.record.status = status
            self.record.body = stored
            self.record.location = location
        return body


def fingerprint(request: Request, body: bytes) -> str:
    canonical: Any
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")) if body else ""
    except ValueError:
        canonical = body.decode("latin-1")
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    digest.update(canonical.encode())
    return digest.hexdigest()
