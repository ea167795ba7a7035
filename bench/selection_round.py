"""Selection round at national size and far beyond: import + compute, with baselines measured in the same run.

    .venv/bin/python bench/selection_round.py                      # 3,000 and 100,000 schools on SQLite
    .venv/bin/python bench/selection_round.py --sizes 3000 --database-url postgresql+asyncpg://postgres@127.0.0.1/bench

Each size gets a fresh database (migrated, reference data loaded), synthetic schools spread over the
municipalities, 7 indicators x 3 school years (about 3 % missing, 2 % suppressed). Reported per size:
import (schools + indicator values) and compute, each next to a baseline in the same run (import: reading
the same CSV with the csv module; compute: sorting the same values once), and, across sizes, the cost per
school relative to the smallest size (1.0 = linear).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

INDICATORS = [
    ("survey_bullying_7", 1.0, 5.0),
    ("survey_support_7", 1.0, 5.0),
    ("survey_motivation_10", 1.0, 5.0),
    ("nt_reading_level1_5", 0.0, 100.0),
    ("nt_numeracy_level1_5", 0.0, 100.0),
    ("nt_reading_level1_8", 0.0, 100.0),
    ("points_10", 20.0, 55.0),
]
YEARS = ["2022-2023", "2023-2024", "2024-2025"]


def orgnr(seed: int) -> str:
    from app.reference.orgnr import orgnr_from

    return orgnr_from(seed, 80_000_000)


def files(n: int, municipalities: list[str]) -> tuple[bytes, bytes, int]:
    rng = random.Random(n)
    schools, values = io.StringIO(), io.StringIO()
    sw, vw = csv.writer(schools), csv.writer(values)
    sw.writerow(["id", "name", "school_owner_id", "grade_from", "grade_to"])
    vw.writerow(["school_id", "indicator", "school_year", "value"])
    rows = 0
    for i in range(n):
        sid = orgnr(i)
        sw.writerow([sid, f"Skole {i}", municipalities[i % len(municipalities)], 1, 10])
        for code, low, high in INDICATORS:
            for year in YEARS:
                roll = rng.random()
                value = "" if roll < 0.03 else "*" if roll < 0.05 else f"{rng.uniform(low, high):.1f}"
                vw.writerow([sid, code, year, value])
                rows += 1
    return schools.getvalue().encode(), values.getvalue().encode(), rows


async def run_size(n: int, url: str | None) -> dict[str, float]:
    import sqlalchemy as sa
    from alembic import command

    from app.audit.service import SystemActor
    from app.auth.principal import Principal, Role
    from app.cli import _alembic_config
    from app.core.config import Settings
    from app.db.session import make_engine, make_sessionmaker, session_scope
    from app.programmes.service import load_shipped_programmes
    from app.reference.loader import load_reference_data
    from app.reference.models import Organisation
    from app.reference.schools import import_schools
    from app.selection.indicator_data import import_values
    from app.selection.rounds import compute_round, create_round
    from app.selection.schemas import RoundCreate

    tmp = tempfile.mkdtemp()
    url = url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    cfg = _alembic_config()
    cfg.attributes["database_url"] = url
    await asyncio.to_thread(command.downgrade, cfg, "base")
    await asyncio.to_thread(command.upgrade, cfg, "head")
    engine = make_engine(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    factory = make_sessionmaker(engine)
    udir = Principal(Role.directorate, "970018131", frozenset({"read", "write"}), "bench", "bench")
    async for s in session_scope(factory):
        await load_reference_data(s, SystemActor(client_id="bench"))
        await load_shipped_programmes(s, SystemActor(client_id="bench"))
        municipalities = list(
            (await s.scalars(sa.select(Organisation.id).where(Organisation.kind == "municipality"))).all()
        )
    schools_csv, values_csv, rows = files(n, municipalities)

    started = time.perf_counter()
    baseline_rows = sum(1 for _ in csv.reader(io.StringIO(values_csv.decode())))
    baseline_import = time.perf_counter() - started
    assert baseline_rows == rows + 1

    started = time.perf_counter()
    async for s in session_scope(factory):
        await import_schools(s, udir, body=schools_csv, content_type="text/csv")
        await import_values(s, udir, body=values_csv, content_type="text/csv")
    import_s = time.perf_counter() - started

    async for s in session_scope(factory):
        r = await create_round(s, udir, data=RoundCreate(year=2026, school_years=YEARS))
        round_id = str(r.id)
    started = time.perf_counter()
    async for s in session_scope(factory):
        r = await compute_round(s, udir, round_id=round_id)
        summary = r.summary or {}
    compute_s = time.perf_counter() - started

    present = [
        float(row[3]) for row in list(csv.reader(io.StringIO(values_csv.decode())))[1:] if row[3] not in ("", "*")
    ]
    started = time.perf_counter()
    sorted(present)
    baseline_compute = time.perf_counter() - started
    await engine.dispose()
    print(
        f"{n:>7} schools, {rows:>8} values: import {import_s:7.2f} s ({import_s / baseline_import:5.1f}x csv read), "
        f"compute {compute_s:6.2f} s ({compute_s / baseline_compute:5.1f}x one sort); "
        f"{summary.get('candidates')} candidates, {summary.get('top_schools')} top schools",
        flush=True,
    )
    return {
        "import": import_s,
        "compute": compute_s,
        "baseline_import": baseline_import,
        "baseline_compute": baseline_compute,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 100_000])
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file per size")
    args = parser.parse_args()
    results = {n: await run_size(n, args.database_url) for n in args.sizes}
    small = min(results)
    for n in sorted(results)[1:]:
        scale = n / small
        for step in ("import", "compute"):
            ratio = results[n][step] / results[small][step]
            print(
                f"{step}: {n} vs {small} schools took {ratio:.1f}x for {scale:.1f}x the schools "
                f"(per-school cost {ratio / scale:.2f}x; 1.0 = linear)"
            )


if __name__ == "__main__":
    asyncio.run(main())
