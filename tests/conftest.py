"""Test infrastructure: one migrated database per run; each test inside a transaction rolled back after it.

TEST_DATABASE_URL selects the database (default: a SQLite file in a temporary folder). With CI=true a
PostgreSQL URL that cannot be reached fails the run; it never skips.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.service import SystemActor
from app.auth.service import mint
from app.cli import _alembic_config
from app.clients.models import ApiClient
from app.clients.secrets import hash_secret
from app.core.config import Settings
from app.db.session import ReadOnlySession, make_engine, make_sessionmaker, session_scope
from app.main import create_app
from app.programmes.service import load_shipped_programmes
from app.reference.loader import load_reference_data

# Callers used across the suite: Troms og Finnmark is "our" region, Vestland "another region".
DIRECTORATE = "970018131"
CG_TROMS_FINNMARK = "967311014"
CG_VESTLAND = "974760665"
TROMSO = "NO-5501"
HARSTAD = "NO-5503"
BERGEN = "NO-4601"
UIT = "970422528"
HVL = "917641404"
CALLERS = {"directorate": DIRECTORATE, "county_governor": CG_TROMS_FINNMARK, "school_owner": TROMSO, "university": UIT}


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        signing_keys_dir=tmp_path_factory.mktemp("keys"),
        generate_signing_key=True,
        log_level="WARNING",
        max_body_bytes=64 * 1024,
        check_list_pages=True,
        _env_file=None,  # type: ignore[call-arg]
    )


def migrate(url: str, revision: str = "head", *, down: bool = False) -> None:
    cfg = _alembic_config()
    cfg.attributes["database_url"] = url
    (command.downgrade if down else command.upgrade)(cfg, revision)


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Iterator[None]:
    """Build the schema with Alembic (from scratch) and load the shipped reference data."""
    try:
        migrate(settings.database_url, "base", down=True)
    except Exception as exc:
        if settings.database_url.startswith("postgresql"):
            raise RuntimeError(f"PostgreSQL at {settings.database_url} is unreachable: {exc}") from exc
        raise
    migrate(settings.database_url)

    async def load() -> None:
        engine = make_engine(settings)
        async for session in session_scope(make_sessionmaker(engine)):
            await load_reference_data(session, SystemActor(client_id="system:tests"))
            await load_shipped_programmes(session, SystemActor(client_id="system:tests"))
        await engine.dispose()

    asyncio.run(load())
    yield


@pytest.fixture(scope="session")
async def app(settings: Settings, migrated: None) -> AsyncIterator[Any]:
    application = create_app(settings)
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def db(app: Any) -> AsyncIterator[AsyncSession]:
    """The test's transaction: the app's sessions become savepoints inside it, rolled back at the end."""
    original, original_reads = app.state.sessionmaker, app.state.read_sessionmaker
    async with app.state.engine.connect() as conn:
        outer = await conn.begin()
        options: dict[str, Any] = {
            "bind": conn,
            "expire_on_commit": False,
            "autoflush": False,
            "join_transaction_mode": "create_savepoint",
        }
        factory = async_sessionmaker(**options)
        app.state.sessionmaker = factory
        app.state.read_sessionmaker = async_sessionmaker(**options, sync_session_class=ReadOnlySession)
        try:
            async with factory() as session:
                yield session
        finally:
            app.state.sessionmaker, app.state.read_sessionmaker = original, original_reads
            await outer.rollback()


@pytest.fixture
async def client(app: Any, db: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


TokenFactory = Callable[..., Any]
FIXED_SECRET = "test-secret-of-every-test-client"


@functools.cache
def _fixed_hash() -> str:
    """One Argon2 hash for every test client: hashing is slow on purpose."""
    return hash_secret(FIXED_SECRET)


@pytest.fixture
def make_client(db: AsyncSession) -> Callable[..., Any]:
    """Register an API client directly (role, organisation, scopes); returns (client, secret)."""

    async def _make(role: str, org: str, scopes: str = "read write", enabled: bool = True) -> tuple[ApiClient, str]:
        secret = secrets.token_urlsafe(16)
        c = ApiClient(
            id=f"c-test-{secrets.token_hex(6)}",
            name=f"test {role} {org}",
            role=role,
            organisation_id=org,
            scopes=scopes,
            secret_hash=hash_secret(secret),
            enabled=enabled,
        )
        db.add(c)
        await db.flush()
        await db.commit()
        return c, FIXED_SECRET

    return _make


@pytest.fixture
def token_for(app: Any, make_client: Callable[..., Any]) -> TokenFactory:
    """A real token of the service for any role and organisation: `await token_for("school_owner", "NO-5501")`."""

    async def _token(role: str, org: str | None = None, scopes: str = "read write") -> str:
        c, _ = await make_client(role, org or CALLERS[role], scopes)
        return str(mint(app.state.issuers, client=c, scopes=scopes.split(), ttl=300)["access_token"])

    return _token


@pytest.fixture
def auth(token_for: TokenFactory) -> Callable[..., Any]:
    """Authorization headers for a role (default organisation per role, or any other)."""

    async def _auth(role: str, org: str | None = None, scopes: str = "read write") -> dict[str, str]:
        return {"Authorization": f"Bearer {await token_for(role, org, scopes)}"}

    return _auth


@pytest.fixture
def reference_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped reference files, for tests that change them."""
    from importlib import resources

    src = resources.files("app.reference").joinpath("data")
    for name in (
        "counties.csv",
        "municipalities.csv",
        "se_orebro_municipalities.csv",
        "county_governors.csv",
        "uh_institutions.csv",
    ):
        (tmp_path / name).write_text(src.joinpath(name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


async def walk_pages(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], limit: int, **params: Any
) -> list[Any]:
    """Every item of a list, following next_cursor page by page."""
    items: list[Any] = []
    query: dict[str, Any] = {**params, "limit": limit}
    while True:
        r = await client.get(url, params=query, headers=headers)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        if r.json()["next_cursor"] is None:
            return items
        query = {**params, "limit": limit, "cursor": r.json()["next_cursor"]}
