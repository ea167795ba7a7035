"""The project's errors and the one place that turns every error into application/problem+json."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.core.context import request_id_var

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("app.errors")


class AppError(Exception):
    status = 500
    slug = "internal-error"
    title = "Internal error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


class BadRequest(AppError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(AppError):
    status, slug, title = 401, "unauthorized", "Authentication required"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}, **extra)


class Forbidden(AppError):
    status, slug, title = 403, "forbidden", "Forbidden"


class NotFound(AppError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(AppError):
    status, slug, title = 409, "conflict", "Conflict"


class RuleViolation(Conflict):
    """A business rule forbids the change; `rule` names it (e.g. `offer-deadline-passed`)."""

    slug, title = "rule-violation", "A business rule forbids this"

    def __init__(self, rule: str, detail: str, **extra: Any) -> None:
        super().__init__(detail, rule=rule, **extra)


class PreconditionFailed(AppError):
    status, slug, title = 412, "precondition-failed", "Precondition failed"


class PreconditionRequired(AppError):
    status, slug, title = 428, "precondition-required", "Precondition required"


class InvalidInput(AppError):
    """422 raised by the app itself, with the same `errors` list as request validation."""

    status, slug, title = 422, "validation-error", "Invalid input"

    def __init__(self, detail: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(detail, errors=errors)


class ProblemError(BaseModel):
    pointer: str = Field(description="JSON pointer (body) or parameter name (query, header, path).")
    detail: str
    row: int | None = Field(default=None, description="Bulk imports: the file's row number (the header is row 1).")
    column: str | None = Field(default=None, description="Bulk imports: the column.")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["/problems/not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No municipality NO-9999."])
    instance: str = Field(examples=["/api/v1/municipalities/NO-9999"])
    request_id: str | None = None
    rule: str | None = Field(default=None, description="The business rule that refused a change (409).")
    errors: list[ProblemError] | None = Field(default=None, description="Every bad field (422).")


def problem_response(
    request: Request,
    status: int,
    *,
    slug: str | None = None,
    title: str | None = None,
    detail: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    rid = request_id_of(request)
    body: dict[str, Any] = {
        "type": f"/problems/{slug}" if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
        "instance": request.url.path,
        "request_id": rid,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {**(headers or {}), **({"X-Request-ID": rid} if rid else {})}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


REQUEST_ID_SCOPE_KEY = "app.request_id"
# Set on a read's scope when its pooled connection turned out to be dead: the read may run again at once
# (app/core/middleware.py, RetryLostConnectionMiddleware).
CONNECTION_LOST_SCOPE_KEY = "app.connection_lost"


def request_id_of(request: Request) -> str | None:
    """The request id, also where the context variable is already gone (the outermost error handler)."""
    return request.scope.get(REQUEST_ID_SCOPE_KEY) or request_id_var.get()


def _pointer(loc: tuple[Any, ...]) -> str:
    where, *rest = loc if loc else ("body",)
    if where == "body":
        return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in rest)
    return ".".join(str(p) for p in rest) or str(where)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        msg = err.get("msg", "invalid")
        where = loc[0] if loc else "body"
        out.append({"pointer": _pointer(loc), "detail": f"{msg} ({where})" if where != "body" else msg})
    return out


_SLUGS = {
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "content-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def allowed_methods(request: Request) -> list[str]:
    """The methods of the resource the path names: of the most literal matching route template, as documented."""
    matches: dict[str, set[str]] = {}
    for route in request.app.router.routes:
        methods = getattr(route, "methods", None)
        if methods and route.matches(request.scope)[0] is not Match.NONE:
            matches.setdefault(route.path, set()).update(m for m in methods if m != "HEAD")
    if not matches:
        return []
    best = min(matches, key=lambda path: path.count("{"))
    return sorted(matches[best])


def _sqlstate(exc: DBAPIError) -> str:
    return str(getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or "")


def _is_serialisation_failure(exc: DBAPIError) -> bool:
    return _sqlstate(exc) in ("40001", "40P01")


def _is_database_unavailable(exc: DBAPIError) -> bool:
    """The connection was lost (a restart), or the database refuses new ones (starting, shutting down, full)."""
    code = _sqlstate(exc)
    return exc.connection_invalidated or code.startswith("08") or code in ("53300", "57P01", "57P02", "57P03")


def _retry_shortly(request: Request, slug: str, title: str, detail: str) -> JSONResponse:
    """503: the request changed nothing and the same request may be sent again in a second."""
    return problem_response(request, 503, slug=slug, title=title, detail=detail, headers={"Retry-After": "1"})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            request,
            exc.status,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = validation_errors(exc)
        names = ", ".join(e["pointer"] for e in errors)
        return problem_response(
            request,
            422,
            slug="validation-error",
            title="Invalid input",
            detail=f"Invalid input: {names}",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No resource at {request.url.path}."
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(
            request,
            exc.status_code,
            slug=_SLUGS.get(exc.status_code),
            detail=detail,
            headers=headers,
        )

    @app.exception_handler(StaleDataError)
    async def _lost_race(request: Request, exc: StaleDataError) -> JSONResponse:
        # Two writers read the same version; the other committed first (the version column refused this one).
        return problem_response(
            request,
            412,
            slug="precondition-failed",
            title="Precondition failed",
            detail="The resource changed while this request was applied. Read it again and reapply your change.",
        )

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        # A constraint that a concurrent request satisfied first (a unique index, say), or a serialisation
        # failure: the request changed nothing and may be retried after a fresh read.
        if isinstance(exc, IntegrityError) or _is_serialisation_failure(exc):
            log.info("write refused by the database", extra={"path": request.url.path, "error": str(exc.orig)[:200]})
            return problem_response(
                request,
                409,
                slug="conflict",
                title="Conflict",
                detail="A concurrent change got there first; nothing was changed. Read again and retry.",
            )
        if _is_database_unavailable(exc):
            if exc.connection_invalidated and request.method in ("GET", "HEAD"):
                request.scope[CONNECTION_LOST_SCOPE_KEY] = True
            log.warning("database unavailable", extra={"path": request.url.path, "error": str(exc.orig)[:200]})
            return _retry_shortly(
                request,
                "database-unavailable",
                "Database unavailable",
                "The database could not be reached (a restart, say); nothing was changed. Retry shortly.",
            )
        if "database is locked" in str(exc.orig):
            return _retry_shortly(
                request, "busy", "Busy", "The embedded database is busy with other writes; retry shortly."
            )
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path, "request_id": request_id_of(request)})
        return problem_response(
            request,
            500,
            slug="internal-error",
            title="Internal error",
            detail="The service failed to handle the request. Quote the request_id when reporting it.",
        )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the given error statuses, all problem+json."""
    return {s: {"model": Problem, "description": HTTPStatus(s).phrase, "content": {PROBLEM_JSON: {}}} for s in statuses}
