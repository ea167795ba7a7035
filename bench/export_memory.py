"""A national CSV export keeps memory flat: peak memory while streaming 63,000 and 1,050,000 rows.

    .venv/bin/python bench/export_memory.py [--database-url postgresql+asyncpg://...]

Seeds schools and indicator values (7 indicators x 3 school years per school; 3,000 and 50,000 schools),
then streams `GET /api/v1/indicator-values` with `Accept: text/csv` and no limit through the real app
over HTTP (the real server, `python -m app serve`), reading the body chunk by chunk while the server's
resident memory is sampled; flat means the large export grows it about as little as the small one, not 17x.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
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
    await app.state.engine.dispose()
    port = 8741
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SIGNING_KEYS_DIR": str(Path(tmp) / "keys"),
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_PER_MINUTE": "0",
    }
    server = _serve(env)
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/csv"}
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(timeout=3600) as http:
            for _ in range(300):
                try:
                    if (await http.get(f"{base}/health/ready")).status_code == 200:
                        break
                except httpx.HTTPError:
                    await asyncio.sleep(0.1)
            await http.get(f"{base}/api/v1/me", headers={"Authorization": headers["Authorization"]})
            before = peak = _rss(server.pid)
            started = time.perf_counter()
            size = 0
            async with http.stream("GET", f"{base}/api/v1/indicator-values", headers=headers) as response:
                assert response.status_code == 200
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    peak = max(peak, _rss(server.pid))
            elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=15)
    grown = peak - before
    print(
        f"{rows:>9} rows exported ({size / 1e6:6.1f} MB of CSV) in {elapsed:6.1f} s; server memory "
        f"{before:.0f} MB before, grew {grown:.1f} MB at most during the export",
        flush=True,
    )
    return rows, max(grown, 1.0), elapsed


def _serve(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "app", "serve"],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _rss(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:"))) / 1024


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, nargs="+", default=[3000, 50_000])
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    results = [await measure(n, args.database_url) for n in args.schools]
    (small_rows, small_peak, _), (big_rows, big_peak, _) = results[0], results[-1]
    ratio = big_peak / small_peak
    print(f"{big_rows / small_rows:.0f}x the rows: the server's memory grew {ratio:.2f}x as much (flat = about 1x)")


if __name__ == "__main__":
    asyncio.run(main())
