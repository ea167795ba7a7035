"""A national CSV export keeps memory flat: peak memory while streaming 63,000 and 1,050,000 rows.

    .venv/bin/python bench/export_memory.py [--database-url postgresql+asyncpg://...]

Seeds schools and indicator values (7 indicators x 3 school years per school; 3,000 and 50,000 schools),
then streams `GET /api/v1/indicator-values` with `Accept: text/csv` and no limit through the real app
(in-process ASGI), reading the body chunk by chunk. tracemalloc measures the peak of Python memory held
during the export; flat means the large export's peak is close to the small one's, not 17x it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


async def measure(n: int, url: str | None) -> tuple[int, float, float]:
    import httpx
    import sqlalchemy as sa
    from alembic import command
    from selection_round import files

    from app.audit.service import SystemActor
    from app.auth.principal import Principal, Role
    from app.auth.service import mint
    from app.cli import _alembic_config
    from app.clients.models import ApiClient
    from app.core.config import Settings
    from app.db.session import session_scope
    from app.main import create_app
    from app.programmes.service import load_shipped_programmes
    from app.reference.loader import load_reference_data
    from app.reference.models import Organisation
    from app.reference.schools import import_schools
    from app.selection.indicator_data import import_values

    tmp = tempfile.mkdtemp()
    url = url or f"sqlite+aiosqlite:///{tmp}/export.db"
    cfg = _alembic_config()
    cfg.attributes["database_url"] = url
    await asyncio.to_thread(command.downgrade, cfg, "base")
    await asyncio.to_thread(command.upgrade, cfg, "head")
    settings = Settings(
        database_url=url,
        signing_keys_dir=Path(tmp) / "keys",
        generate_signing_key=True,
        log_level="WARNING",
        _env_file=None,  # type: ignore[call-arg]
    )
    app = create_app(settings)
    udir = Principal(Role.directorate, "970018131", frozenset({"read", "write"}), "bench", "bench")
    async for s in session_scope(app.state.sessionmaker):
        await load_reference_data(s, SystemActor(client_id="bench"))
        await load_shipped_programmes(s, SystemActor(client_id="bench"))
        owners = list((await s.scalars(sa.select(Organisation.id).where(Organisation.kind == "municipality"))).all())
        client = ApiClient(
            id="c-bench",
            name="bench",
            role="directorate",
            organisation_id="970018131",
            scopes="read write",
            secret_hash="-",  # noqa: S106 (no secret: the bench mints its token directly)
            enabled=True,
        )
        s.add(client)
    schools_csv, values_csv, rows = files(n, owners)
    async for s in session_scope(app.state.sessionmaker):
        await import_schools(s, udir, body=schools_csv, content_type="text/csv")
        await import_values(s, udir, body=values_csv, content_type="text/csv")
    del schools_csv, values_csv
    token = mint(app.state.issuers, client=client, scopes=["read"], ttl=3600)["access_token"]
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/csv"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=3600) as http:
        tracemalloc.start()
        started = time.perf_counter()
        size = 0
        async with http.stream("GET", "/api/v1/indicator-values", headers=headers) as response:
            assert response.status_code == 200
            async for chunk in response.aiter_bytes():
                size += len(chunk)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    await app.state.engine.dispose()
    print(
        f"{rows:>9} rows exported ({size / 1e6:6.1f} MB of CSV) in {elapsed:6.1f} s; peak memory {peak / 1e6:6.1f} MB",
        flush=True,
    )
    return rows, peak / 1e6, elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, nargs="+", default=[3000, 50_000])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    results = [await measure(n, args.database_url) for n in args.schools]
    (small_rows, small_peak, _), (big_rows, big_peak, _) = results[0], results[-1]
    print(f"{big_rows / small_rows:.0f}x the rows: peak memory {big_peak / small_peak:.2f}x (flat = about 1x)")


if __name__ == "__main__":
    asyncio.run(main())
