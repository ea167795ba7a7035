"""Load on the real server (uvicorn, PostgreSQL) next to a bare FastAPI endpoint measured in the same run.

    bench/setup.sh && .venv/bin/python bench/load.py [--audit-events 1000000] [--duration 10]

Seeds a national dataset into a fresh PostgreSQL database (all municipalities, three programme cohorts,
plans with measures, allocations, reports, a million audit events), starts the API (one worker, then two)
and the bare endpoint, and runs wrk (64 connections) against each. Reports requests/s, p50 and p99 per
endpoint and their ratio to the bare endpoint (and, for reference, the first municipality page served
without the service's contract on plain SQLAlchemy and on raw asyncpg: bench/reference.py), the page a
million rows deep against the first page, two workers against one, and the memory of each worker after the
run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = sys.executable
CG, OWNER = "974760665", "NO-4601"  # Statsforvalteren i Vestland, Bergen
REF_SQLALCHEMY = "reference: plain SQLAlchemy page"
REF_ASYNCPG = "reference: raw asyncpg page"
FLOOR_HEALTH = "floor: GET /health/live (service)"
FLOOR_ME = "floor: GET /me (token, session, 1 query)"
BARE_URL = "http://127.0.0.1:8732/bare"
NEAR_SECONDS = 3


def sh(*args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout  # noqa: S603


async def seed(url: str, audit_events: int) -> None:
    import sqlalchemy as sa

    from app.audit.service import SystemActor
    from app.auth.principal import Principal, Role
    from app.core.config import Settings
    from app.db.session import make_engine, make_sessionmaker, session_scope
    from app.enrolments.service.enrolling import enrol
    from app.programmes.service import find_programme, load_shipped_programmes
    from app.reference.loader import load_reference_data
    from app.reference.models import Organisation

    engine = make_engine(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    factory = make_sessionmaker(engine)
    system = Principal(Role.directorate, "970018131", frozenset({"read", "write"}), "bench", "bench")
    async for s in session_scope(factory):
        await load_reference_data(s, SystemActor(client_id="bench"))
        await load_shipped_programmes(s, SystemActor(client_id="bench"))
    async for s in session_scope(factory):
        owners = list((await s.scalars(sa.select(Organisation).where(Organisation.kind == "municipality"))).all())
        yearly = await find_programme(s, "desentralisert")
        follow_up = await find_programme(s, "oppfolging")
        for i, owner in enumerate(owners):
            if owner.country != "NO":
                continue
            await enrol(s, system, programme=yearly, owner=owner, start_year=2026, enrolled_by="970018131")
            if i % 3 == 0:  # three cohorts of the follow-up scheme, one a year
                await enrol(
                    s, system, programme=follow_up, owner=owner, start_year=2024 + i % 9 // 3, enrolled_by="970018131"
                )
    async with engine.begin() as conn:
        for statement in filter(str.strip, _SEED_SQL.split(";")):
            await conn.execute(sa.text(statement))
        await conn.execute(sa.text(_AUDIT_SQL), {"n": audit_events})
        await conn.execute(sa.text("ANALYZE"))
    await engine.dispose()


_SEED_SQL = """
INSERT INTO development_plans (id, school_owner_id, county_id, municipality_id, level, kind, title, status, swot,
  challenge_picture, goals, participants_involved, based_on_plan_ids, submitted_version,
  created_at, updated_at, version)
SELECT gen_random_uuid(), o.id, o.county_id, o.municipality_id, 'owner', 'free', 'Plan ' || o.id, 'draft', '{}', '{}',
  '[{"text": "Bedre lesing"}]', '[]', '[]', 0, now(), now(), 1
FROM organisations o WHERE o.kind = 'municipality' AND o.country = 'NO';
INSERT INTO plan_measures (id, plan_id, title, status, created_at, updated_at, version)
SELECT gen_random_uuid(), p.id, 'Tiltak ' || g, 'planned', now(), now(), 1
FROM development_plans p, generate_series(1, 5) g;
INSERT INTO allocations (id, programme_id, year, grantor_id, recipient_id, recipient_kind, region_id, amount, currency,
  purpose, status, sub_allocated, co_financing_required, co_financing_committed, co_financing_delivered,
  reported_spent, created_at, updated_at, version)
SELECT gen_random_uuid(), p.id, 2026, '970018131', o.id, 'county_governor', o.id, 50000000, 'NOK',
  'continuing_education', 'disbursed', 0, 0, 0, 0, 0, now(), now(), 1
FROM organisations o, programmes p WHERE o.kind = 'county_governor' AND p.code = 'desentralisert';
INSERT INTO allocations (id, programme_id, year, grantor_id, recipient_id, recipient_kind, region_id, county_id,
  parent_id, amount, currency, purpose, status, sub_allocated, co_financing_required, co_financing_committed,
  co_financing_delivered, reported_spent, created_at, updated_at, version)
SELECT gen_random_uuid(), a.programme_id, 2026, a.recipient_id, o.id, 'municipality', a.recipient_id, o.county_id,
  a.id, 100000, 'NOK', 'continuing_education', 'decided', 0, 30000, 30000, 0, 0, now(), now(), 1
FROM allocations a JOIN region_counties rc ON rc.organisation_id = a.recipient_id
JOIN organisations o ON o.county_id = rc.county_id AND o.kind = 'municipality';
INSERT INTO reports (id, allocation_id, programme_id, year, recipient_id, region_id, reviewer_id, county_id,
  period_start, period_end, due_on, spending, spent_total, co_financing_delivered, measures, status, flags,
  created_at, updated_at, version)
SELECT gen_random_uuid(), a.id, a.programme_id, 2026, a.recipient_id, a.region_id, a.grantor_id, a.county_id,
  '2026-01-01', '2026-12-31', '2027-03-01', '[]', 0, 0, '[]', 'draft', '[]', now(), now(), 1
FROM allocations a WHERE a.parent_id IS NOT NULL;
"""
_AUDIT_SQL = """
INSERT INTO audit_events (occurred_at, actor_client_id, actor_org_id, actor_role, action, resource_type, resource_id,
  changes, subject_org_id, municipality_id, county_id)
SELECT now() - g * interval '1 second', 'bench', '970018131', 'directorate', 'update', 'municipality',
  'NO-' || lpad((g % 9000 + 1000)::text, 4, '0'), '{}', NULL, NULL, 'NO-46'
FROM generate_series(1, :n) g
"""


def wrk(
    url: str, seconds: int, connections: int, headers: dict[str, str], script: str | None = None
) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for k, v in headers.items():
        args += ["-H", f"{k}: {v}"]
    if script:
        args += ["-s", script]
    out = sh(*args, url)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    failed = float(errors.group(1)) if errors else 0.0
    return {"requests": requests, "rps": rps, "p50": pct("50"), "p99": pct("99"), "errors": failed}


def _server_pids(pid: int) -> list[int]:
    """The server's worker processes, or the server itself when it has none.

    With several workers, multiprocessing's resource tracker (about 13 MB, no requests) is a child too: left out.
    """
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    workers = [c for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]
    return workers or [pid]


def worker_cpu_seconds(pid: int) -> list[float]:
    """User + system CPU each of the server's processes has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = []
    for p in _server_pids(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        used.append((int(fields[11]) + int(fields[12])) / ticks)  # utime, stime
    return used


def postgres_cpu_seconds() -> float:
    """User + system CPU that PostgreSQL's processes (the postmaster, its backends and helpers) have used so far.

    A backend that exited since the last reading takes its CPU with it: the bench's connections stay open
    through a run, so the difference over a run is theirs.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "comm").read_text().strip() != "postgres":
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process exited while being read
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_busy_seconds() -> float:
    """CPU time all cores have spent on anything (user, system, interrupts) so far: /proc/stat, less idle,
    waiting for I/O, and time the hypervisor gave to other guests (steal)."""
    ticks = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in Path("/proc/stat").read_text().split()[1:8])
    return (user + nice + system + irq + softirq) / ticks


# Counts loop rounds for a given number of seconds of wall time, then prints the count.
_SPIN = """
import sys, time
end, rounds = time.perf_counter() + float(sys.argv[1]), 0
while time.perf_counter() < end:
    for _ in range(10_000):
        pass
    rounds += 1
print(rounds)
"""


def machine_scaling(seconds: float = 2.0, rounds_each: int = 3) -> float:
    """The CPU-bound work two processes get done at once against one alone, in the same wall time (the median
    of `rounds_each` alternating measurements of each).

    The ceiling the machine itself puts on several workers: 2.0 on two cores that do not slow each other down.
    """

    def rounds(processes: int) -> int:
        spinning = [
            subprocess.Popen([PY, "-c", _SPIN, str(seconds)], stdout=subprocess.PIPE, text=True)  # noqa: S603
            for _ in range(processes)
        ]
        return sum(int(p.communicate()[0]) for p in spinning)

    one, two = [], []
    for _ in range(rounds_each):
        one.append(rounds(1))
        two.append(rounds(2))
    return statistics.median(two) / statistics.median(one)


def rss_mb(pid: int) -> list[float]:
    """Resident memory of the server's worker processes (or of the process itself when it has none)."""
    out = []
    for p in _server_pids(pid):
        status = Path(f"/proc/{p}/status").read_text()
        out.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]
    return out


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def stop(p: subprocess.Popen[bytes]) -> None:
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--audit-events", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--database", help="an already seeded database to reuse (kept afterwards); by default a new one, dropped"
    )
    parser.add_argument("--keep", action="store_true", help="keep the new database for later runs with --database")
    parser.add_argument("--only", help="measure only the endpoints whose label contains this text")
    args = parser.parse_args()

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.core.pagination import encode_cursor
    from tests.conftest import migrate

    name = args.database or f"bench_{secrets.token_hex(3)}"
    admin = create_async_engine(args.admin_url, isolation_level="AUTOCOMMIT")
    if not args.database:
        async with admin.connect() as conn:
            await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.admin_url).set(database=name).render_as_string(hide_password=False)
    keys = Path(tempfile.mkdtemp()) / "keys"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SIGNING_KEYS_DIR": str(keys),
        "GENERATE_SIGNING_KEY": "true",
        "RATE_LIMIT_PER_MINUTE": "0",
        "LOG_LEVEL": "WARNING",
        "PORT": "8731",
        "HOST": "127.0.0.1",
    }
    servers: list[subprocess.Popen[bytes]] = []
    try:
        if not args.database:
            started = time.perf_counter()
            await asyncio.to_thread(migrate, url)
            await seed(url, args.audit_events)
            took = time.perf_counter() - started
            print(f"seeded {name} in {took:.0f} s ({args.audit_events} audit events)", flush=True)
        tokens: dict[str, dict[str, str]] = {}
        for role, org in (("county_governor", CG), ("school_owner", OWNER), ("directorate", "970018131")):
            created = json.loads(
                sh(PY, "-m", "app", "create-client", "--name", f"bench {role}", "--role", role, "--org", org, env=env)
            )
            tokens[role] = created
        bare = start([PY, "-m", "uvicorn", "bench.bare:app", "--port", "8732", "--log-level", "warning"], env)
        servers.append(bare)
        await wait_ready("http://127.0.0.1:8732/bare")
        reference = start([PY, "-m", "uvicorn", "bench.reference:app", "--port", "8733", "--log-level", "warning"], env)
        servers.append(reference)
        await wait_ready("http://127.0.0.1:8733/asyncpg")
        results: dict[str, dict[str, float]] = {}
        shares: dict[str, list[float]] = {}
        # Two workers against one in two alternating rounds: the machine's speed drifts within a run.
        for workers, again in ((1, ""), (2, ""), (1, ", again"), (2, ", again")):
            api = start([PY, "-m", "app", "serve", "--workers", str(workers)], env)
            servers.append(api)
            await wait_ready("http://127.0.0.1:8731/health/ready")
            auth = {}
            async with httpx.AsyncClient() as http:
                for role, created in tokens.items():
                    r = await http.post(
                        "http://127.0.0.1:8731/api/v1/auth/token",
                        data={
                            "grant_type": "client_credentials",
                            "client_id": created["client_id"],
                            "client_secret": created["client_secret"],
                        },
                    )
                    auth[role] = {"Authorization": f"Bearer {r.json()['access_token']}"}
            base = "http://127.0.0.1:8731/api/v1"

            def measure(
                label: str, url: str, headers: dict[str, str], script: str | None = None, server: int = api.pid
            ) -> None:
                if label in ("bare FastAPI", REF_SQLALCHEMY, REF_ASYNCPG) or not args.only or args.only in label:
                    # Not counted: a second of the same load first, for the pool's connections and the caches of
                    # a server that has just started.
                    wrk(url, 1, args.connections, headers, script)
                    # The bare endpoint again just before and just after: the machine's speed drifts over a run.
                    bare_before = wrk(BARE_URL, NEAR_SECONDS, args.connections, {})["rps"] if server != bare.pid else 0
                    used, pg, busy = worker_cpu_seconds(server), postgres_cpu_seconds(), machine_busy_seconds()
                    r = results[label] = wrk(url, args.duration, args.connections, headers, script)
                    per_request = 1000 / r["requests"] if r["requests"] else 0.0
                    # How the load fell on the workers: the kernel hands each new connection to whichever
                    # worker accepts it first, and wrk's connections stay open for the whole run.
                    shares[label] = [
                        after - before for before, after in zip(used, worker_cpu_seconds(server), strict=True)
                    ]
                    r["cpu_ms"] = sum(shares[label]) * per_request
                    r["pg_ms"] = (postgres_cpu_seconds() - pg) * per_request
                    r["machine_ms"] = (machine_busy_seconds() - busy) * per_request
                    if server == bare.pid:
                        r["bare_near"] = r["rps"]
                    else:
                        r["bare_near"] = (bare_before + wrk(BARE_URL, NEAR_SECONDS, args.connections, {})["rps"]) / 2

            if workers == 1 and not again:
                measure("bare FastAPI", BARE_URL, {}, server=bare.pid)
                # The same page without the service's contract: what the stack itself does on this machine.
                measure(REF_SQLALCHEMY, "http://127.0.0.1:8733/sqlalchemy", {}, server=reference.pid)
                measure(REF_ASYNCPG, "http://127.0.0.1:8733/asyncpg", {}, server=reference.pid)
                # The service's own floors: its middleware and routing; then authentication, a session, one query.
                measure(FLOOR_HEALTH, "http://127.0.0.1:8731/health/live", {})
                measure(FLOOR_ME, f"{base}/me", auth["county_governor"])
                for path in ("municipalities", "enrolments", "development-plans", "allocations"):
                    measure(f"GET /{path}", f"{base}/{path}?limit=50", auth["county_governor"])
                measure("GET /audit-events (first page)", f"{base}/audit-events?limit=50", auth["directorate"])
                deep = encode_cursor([args.audit_events - 50])
                deep_url = f"{base}/audit-events?limit=50&cursor={deep}"
                measure("GET /audit-events (1M deep)", deep_url, auth["directorate"])
                script = Path(tempfile.mkdtemp()) / "create.lua"
                script.write_text(
                    'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                    'wrk.body = \'{"title": "Plan", "level": "owner", "kind": "free"}\'\n'
                )
                measure("POST /development-plans", f"{base}/development-plans", auth["school_owner"], str(script))
                memory = rss_mb(api.pid)
            else:
                if workers == 2 and not again:
                    scaling = machine_scaling()
                label = f"GET /municipalities{', 2 workers' if workers == 2 else ''}{again}"
                measure(label, f"{base}/municipalities?limit=50", auth["county_governor"])
                if workers == 2:
                    memory2 = rss_mb(api.pid)
            stop(api)
            servers.remove(api)
        bare_rps = results["bare FastAPI"]["rps"]
        print(
            f"\n{'endpoint':42} {'req/s':>8} {'x bare':>7} {'x near':>7} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
            f" {'CPU ms':>7} {'PG ms':>6} {'all ms':>7}"
        )
        for label, r in results.items():
            ratio, near = r["rps"] / bare_rps, r["rps"] / r["bare_near"]
            print(
                f"{label:42} {r['rps']:8.0f} {ratio:7.3f} {near:7.3f} {r['p50']:8.1f} {r['p99']:8.1f}"
                f" {r['errors']:8.0f} {r['cpu_ms']:7.2f} {r['pg_ms']:6.2f} {r['machine_ms']:7.2f}"
            )
        print(
            f"(x bare: to the bare endpoint measured first; x near: to the mean of the bare endpoint measured for"
            f" {NEAR_SECONDS} s just before and just after)"
        )
        print(
            "(CPU per request during the run: CPU ms the server's processes, PG ms PostgreSQL's, all ms the whole"
            " machine's: server, PostgreSQL, wrk and the kernel)"
        )
        if "GET /audit-events (first page)" in results and "GET /audit-events (1M deep)" in results:
            first, deep_r = results["GET /audit-events (first page)"], results["GET /audit-events (1M deep)"]
            ratio = first["rps"] / deep_r["rps"]
            print(f"\npage 1M deep vs first page: {ratio:.2f}x the time per request (target <= 1.2)")
        rounds = [
            (f"GET /municipalities{again}", f"GET /municipalities, 2 workers{again}") for again in ("", ", again")
        ]
        if all(one in results and two in results for one, two in rounds):
            ratios = " / ".join(f"{results[two]['rps'] / results[one]['rps']:.2f}x" for one, two in rounds)
            print(f"2 workers vs 1: {ratios} the requests/s in two alternating rounds (target >= 1.7)")
            splits = "; ".join(" / ".join(f"{s:.1f}" for s in shares[two]) for _, two in rounds)
            print(f"  the two workers' CPU seconds in each {args.duration} s run: {splits}")
            print(f"  two CPU-bound processes against one on this machine, nothing else running: {scaling:.2f}x")
            # One worker keeps one core busy; two keep the machine busy, which also runs PostgreSQL, wrk and the
            # kernel for every request: two workers can give at most the machine's own scaling times the
            # server's share of the machine's CPU per request (both measured with one worker).
            one = [results[one] for one, _ in rounds]
            ceiling = scaling * statistics.mean(r["cpu_ms"] / r["machine_ms"] for r in one)
            print(f"  the most two workers can give on this machine, for that share of its CPU: {ceiling:.2f}x")
        per_worker = ", ".join(f"{m:.0f}" for m in memory2)
        print(f"memory after the run: 1 worker {memory[0]:.0f} MB; 2 workers {per_worker} MB each")
    finally:
        for p in servers:
            stop(p)
        if not (args.database or args.keep):
            async with admin.connect() as conn:
                await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


if __name__ == "__main__":
    asyncio.run(main())
