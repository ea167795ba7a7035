"""Per-request context (request id, audit reason) reachable from services and log records."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
audit_reason_var: ContextVar[str | None] = ContextVar("audit_reason", default=None)
