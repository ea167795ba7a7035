"""The committed OpenAPI document is the contract: it matches the app, and every operation is described."""

from __future__ import annotations

import json

import pytest

from app.core.config import PROJECT_ROOT
from app.main import create_app

PUBLIC_OPERATIONS = {"health_live", "health_ready", "get_metrics", "get_jwks"}


@pytest.fixture(scope="module")
def document(settings):
    return create_app(settings).openapi()


def test_committed_openapi_matches_the_app(document):
    committed = json.loads((PROJECT_ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == document, "run `make openapi` and commit openapi/openapi.json"


def _operations(document):
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_has_a_readable_unique_id_and_a_description(document):
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids))
    for path, method, op in _operations(document):
        assert op["operationId"].replace("_", "").isalnum(), (path, method)
        assert op.get("description") or op.get("summary"), (path, method)


def test_every_api_operation_declares_its_errors_as_problem_json(document):
    for path, method, op in _operations(document):
        if op["operationId"] in PUBLIC_OPERATIONS:
            continue
        errors = {code: r for code, r in op["responses"].items() if code.startswith(("4", "5"))}
        assert "401" in errors, (path, method, sorted(errors))
        if op.get("parameters") or op.get("requestBody"):
            assert "422" in errors, (path, method, sorted(errors))
        for code, r in errors.items():
            assert "application/problem+json" in r.get("content", {}), (path, method, code)


def test_every_list_offers_csv_and_every_create_or_action_takes_an_idempotency_key(document):
    for path, method, op in _operations(document):
        params = {p["name"] for p in op.get("parameters", [])}
        if method == "get" and "cursor" in params:
            assert "text/csv" in op["responses"]["200"]["content"], path
            assert "updated_since" in params or path.endswith(("/events", "/audit-events")), path
        if method == "post" and op["operationId"] != "issue_token":
            assert {"Idempotency-Key", "dry_run"} <= params, path
        if method in ("patch", "put"):
            assert "If-Match" in params, path


def test_schemas_carry_examples_for_integrators(document):
    schemas = document["components"]["schemas"]
    for name in ("MunicipalityRead", "ClientCreate", "CountyGovernorRead", "Problem"):
        props = schemas[name]["properties"]
        assert any("examples" in p for p in props.values()), name
