"""Per-request context (request id, audit reason) reachable from services and log records."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
audit_reason_var: ContextVar[str | None] = ContextVar("audit_reason", default=None)
# Whether the request may write (not GET/HEAD/OPTIONS). On SQLite such a transaction takes the write lock
# when it begins (BEGIN IMMEDIATE), so concurrent writers wait their turn instead of failing as "locked".
write_intent_var: ContextVar[bool] = ContextVar("write_intent", default=True)
