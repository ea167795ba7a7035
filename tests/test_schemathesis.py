"""Schemathesis against the committed OpenAPI document, in process, authorised as each role.

Every check runs except `positive_data_acceptance`: the API answers 422 (not 2xx) to schema-valid input that
names something that does not exist or a cursor it never handed out, which a schema cannot express. The app
gets a SQLite database of its own, since the generated writes commit.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.core.config import PROJECT_ROOT, Settings
from tests.conftest import CALLERS, migrate

schema = schemathesis.openapi.from_path(PROJECT_ROOT / "openapi" / "openapi.json")
ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="runs on its own SQLite database: the SQLite leg covers it")


@cache
def _app_and_tokens() -> tuple[Any, dict[str, str]]:
    from app.audit.service import SystemActor
    from app.auth.service import mint
    from app.clients.models import ApiClient
    from app.db.session import make_engine, make_sessionmaker, session_scope
    from app.main import create_app
    from app.programmes.service import load_shipped_programmes
    from app.reference.loader import load_reference_data

    folder = Path(tempfile.mkdtemp())
    url = f"sqlite+aiosqlite:///{folder / 'contract.db'}"
    migrate(url)
    config = Settings(
        database_url=url,
        signing_keys_dir=folder / "keys",
        generate_signing_key=True,
        log_level="CRITICAL",
        rate_limit_per_minute=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    clients = [
        ApiClient(
            id=f"c-contract-{role}",
            name="contract",
            role=role,
            organisation_id=org,
            scopes="read write",
            secret_hash="-",
            enabled=True,
        )
        for role, org in CALLERS.items()
    ]

    async def load() -> None:
        engine = make_engine(config)
        async for s in session_scope(make_sessionmaker(engine)):
            await load_reference_data(s, SystemActor(client_id="system:contract"))
            await load_shipped_programmes(s, SystemActor(client_id="system:contract"))
            s.add_all(clients)
        await engine.dispose()

    asyncio.run(load())
    app = create_app(config)
    tokens = {
        c.role: str(mint(app.state.issuers, client=c, scopes=["read", "write"], ttl=7200)["access_token"])
        for c in clients
    }
    return app, tokens


if not ON_POSTGRES:
    schema.app = _app_and_tokens()[0]  # the ASGI transport is chosen when the cases are generated


@pytest.mark.parametrize("role", list(CALLERS))
@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_its_contract(case, role):
    _, tokens = _app_and_tokens()
    case.call_and_validate(
        headers={"Authorization": f"Bearer {tokens[role]}"}, excluded_checks=[positive_data_acceptance]
    )
