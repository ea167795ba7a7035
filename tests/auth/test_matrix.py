"""Generated from app/auth/matrix.csv: every endpoint, every role, every relation."""

from __future__ import annotations

import pytest

from app.auth.matrix import CALLERS, load_matrix, render_markdown
from app.core.config import PROJECT_ROOT
from app.main import create_app
from tests.auth.subjects import body_for, fill

ROWS = load_matrix()
CASES = [(row, caller) for row in ROWS for caller in CALLERS if row.status(caller) is not None]


def _id(case: tuple) -> str:
    row, caller = case
    return f"{row.method} {row.path} [{row.relation}] as {caller}"


def _payload(extra: dict) -> dict:
    return {k: extra[k] for k in ("json", "data", "content") if extra.get(k) is not None}


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
async def test_matrix(case, client, auth, make_client, db):
    row, caller = case
    path = await fill(row.path, row.relation, caller, make_client, db, row.method)
    extra = body_for(row.method, row.path, row.relation)
    headers = dict(extra.get("headers", {}))
    if caller != "anonymous":
        headers.update(await auth(caller))
    r = await client.request(row.method, path, headers=headers, **_payload(extra))
    assert r.status_code == row.status(caller), r.text
    if r.status_code >= 400:
        assert r.headers["content-type"] == "application/problem+json"


WRITES = [
    row for row in ROWS if row.method != "GET" and row.relation != "public" and (row.status("directorate") or 500) < 300
]


@pytest.mark.anyio
@pytest.mark.parametrize("row", WRITES, ids=[f"{r.method} {r.path} [{r.relation}]" for r in WRITES])
async def test_read_only_token_cannot_write(row, client, auth, make_client, db):
    caller = "directorate" if (row.status("directorate") or 500) < 300 else "school_owner"
    path = await fill(row.path, row.relation, caller, make_client, db, row.method)
    extra = body_for(row.method, row.path, row.relation)
    headers = {**extra.get("headers", {}), **await auth(caller, scopes="read")}
    r = await client.request(row.method, path, headers=headers, **_payload(extra))
    assert r.status_code == 403, r.text


def test_every_route_of_the_service_is_in_the_matrix(settings):
    routes = {
        (method.upper(), path)
        for path, ops in create_app(settings).openapi()["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }
    in_matrix = {(r.method, r.path) for r in ROWS}
    assert routes - in_matrix == set(), "routes missing from app/auth/matrix.csv"
    assert in_matrix - routes == set(), "matrix rows for routes that do not exist"


def test_every_api_route_has_a_row_for_a_caller_from_another_organisation_or_is_a_collection():
    by_route: dict[tuple[str, str], set[str]] = {}
    for r in ROWS:
        by_route.setdefault((r.method, r.path), set()).add(r.relation)
    for (method, path), relations in by_route.items():
        if "{" in path:
            assert relations & {"other_org", "other_region", "shared"}, f"{method} {path} has no other-organisation row"


def test_rendered_matrix_is_committed():
    committed = (PROJECT_ROOT / "docs" / "authorization.md").read_text(encoding="utf-8")
    assert committed == render_markdown(ROWS), "run `make openapi` to regenerate docs/authorization.md"
