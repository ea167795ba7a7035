"""OpenAPI helpers: readable operation ids and the response declarations every route shares."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.core.errors import error_responses


def operation_id(route: APIRoute) -> str:
    """Stable, readable operation ids: the route function's name (unique across the service)."""
    return route.name


CSV_CONTENT = {
    "text/csv": {"schema": {"type": "string"}, "example": "\ufeffid,name\r\nNO-5501,Tromsø\r\n"},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


def list_responses(*extra: int) -> dict[int | str, dict[str, Any]]:
    """A list: JSON page, or CSV with `Accept: text/csv`; plus the errors every list can give."""
    return {
        200: {"content": CSV_CONTENT, "description": "A page (JSON); CSV or XLSX when asked with Accept."},
        **error_responses(401, 403, 422, 429, *extra),
    }


def read_responses(*extra: int) -> dict[int | str, dict[str, Any]]:
    return {304: {"description": "Not modified (If-None-Match)"}, **error_responses(401, 403, 404, 429, *extra)}


def write_responses(*extra: int) -> dict[int | str, dict[str, Any]]:
    """A create or action: 200 is also a dry run's answer (nothing created); 400 a body that is not JSON."""
    return {
        200: {"description": "The result (an action), or what a create would give (`dry_run=true`)."},
        **error_responses(400, 401, 403, 404, 409, 422, 429, *extra),
    }


UNAVAILABLE = {
    "description": "The database is unreachable (a restart) or, in the embedded mode, busy with other writes. "
    "Nothing was changed; send the same request again after `Retry-After` seconds.",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
}


def install_openapi(app: FastAPI) -> None:
    """Generate the document with FastAPI, then state that every error body is problem+json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = FastAPI.openapi(app)
        problem = {"$ref": "#/components/schemas/Problem"}
        for path, ops in document.get("paths", {}).items():
            for op in ops.values():
                if path.startswith("/api/"):
                    op["responses"].setdefault("503", {**UNAVAILABLE})
                for code, response in op.get("responses", {}).items():
                    if code[0] in "45":
                        response["content"] = {"application/problem+json": {"schema": problem}}
                        if code == "422":
                            response["description"] = "Invalid input: every bad field is named in `errors`"
        schemas = document.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
