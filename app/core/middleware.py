"""Pure ASGI middleware: request id, access log and metrics; request body limit; reads retried on a lost connection."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.context import audit_reason_var, request_id_var, write_intent_var
from app.core.errors import CONNECTION_LOST_SCOPE_KEY, REQUEST_ID_SCOPE_KEY, problem_response
from app.core.metrics import observe_request

access_log = logging.getLogger("app.access")
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class RequestContextMiddleware:
    """Sets X-Request-ID (echoed when valid), the audit reason, and records log and metrics per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        scope[REQUEST_ID_SCOPE_KEY] = request_id
        rid_token = request_id_var.set(request_id)
        reason = headers.get("x-audit-reason")
        reason_token = audit_reason_var.set(reason[:1000] if reason else None)
        write_token = write_intent_var.set(scope["method"] not in ("GET", "HEAD", "OPTIONS"))
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                raw = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                raw.append((b"x-request-id", request_id.encode()))
                message["headers"] = raw
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            template = _route_template(scope)
            observe_request(scope["method"], template, status, elapsed)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            request_id_var.reset(rid_token)
            audit_reason_var.reset(reason_token)
            write_intent_var.reset(write_token)


def _route_template(scope: Scope) -> str:
    """The matched route as a template with its router prefix (`/api/v1/municipalities/{municipality_id}`)."""
    route = scope.get("route")
    fmt = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not fmt:
        return "unmatched"
    depth = fmt.count("/")
    prefix = "/".join(scope["path"].split("/")[:-depth])
    return prefix + fmt


class BodyLimitMiddleware:
    """413 problem+json for a request body over the limit, by Content-Length or as it streams in.

    Bulk imports (paths ending in `/import`) have their own, larger limit.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, import_max_bytes: int | None = None) -> None:
        self.app = app
        self.default_max = max_bytes
        self.import_max = import_max_bytes or max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.import_max if scope["path"].endswith("/import") else self.default_max
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._reject(scope, receive, send, limit)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._reject(scope, receive, send, limit)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        response = problem_response(
            Request(scope),
            413,
            slug="content-too-large",
            detail=f"The request body is larger than {limit} bytes.",
        )
        await response(scope, receive, send)


class _TooLarge(StarletteHTTPException):
    """Raised from receive(): FastAPI passes HTTP exceptions through, and the handler answers 413 problem+json."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class RetryLostConnectionMiddleware:
    """A read (GET, HEAD) that met a dead pooled connection runs once more instead of answering 503.

    Connections are not pinged before use (app/db/session.py), so after a database restart the first request
    of each worker meets a dead connection; the pool then reconnects. A read changed nothing and its request has
    no body, so it is run again on a fresh connection, and the client sees only the answer. A write still answers
    503 with Retry-After (its client retries with the same Idempotency-Key), and so does a read whose second
    attempt fails too (the database is down, not restarted).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        dropped = False

        async def send_unless_lost(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start" and scope.pop(CONNECTION_LOST_SCOPE_KEY, False):
                dropped = True
            if not dropped:
                await send(message)

        await self.app(scope, receive, send_unless_lost)
        if dropped:
            access_log.info("read retried after a lost database connection", extra={"path": scope["path"]})
            await self.app(scope, receive, send)
