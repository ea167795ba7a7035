"""ETags from resource versions: If-None-Match answers 304, If-Match guards every update."""

from __future__ import annotations

from fastapi import Request

from app.core.errors import PreconditionFailed, PreconditionRequired


def etag_of(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def not_modified(request: Request, version: int) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = _tags(header)
    return "*" in tags or etag_of(version) in tags


def check_if_match(if_match: str | None, version: int) -> None:
    """428 without If-Match, 412 when it names another version than the current one."""
    if not if_match:
        raise PreconditionRequired(
            "This update needs an If-Match header with the ETag from your last read of the resource."
        )
    tags = _tags(if_match)
    if "*" not in tags and etag_of(version) not in tags:
        raise PreconditionFailed(
            f"The resource has changed since you read it (current ETag {etag_of(version)}). "
            "Read it again and reapply your change."
        )
