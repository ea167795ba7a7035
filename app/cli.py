"""Command line: serve, migrate, load-reference, create-client, mint-token, import-*, openapi."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from app.core.config import PROJECT_ROOT, get_settings


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return cfg


def migrate(revision: str = "head") -> None:
    from alembic import command

    command.upgrade(_alembic_config(), revision)


async def _load_reference(directory: Path | None) -> None:
    from app.audit.service import SystemActor
    from app.db.session import make_engine, make_sessionmaker, session_scope
    from app.programmes.service import load_shipped_programmes
    from app.reference.loader import load_reference_data

    engine = make_engine(get_settings())
    try:
        async for session in session_scope(make_sessionmaker(engine)):
            actor = SystemActor(client_id="system:reference-loader")
            report = await load_reference_data(session, actor, directory)
            report.created.update(await load_shipped_programmes(session, actor))
        print(
            json.dumps(
                {"created": report.created, "updated": report.updated, "ended": report.ended}, ensure_ascii=False
            )
        )
    finally:
        await engine.dispose()


async def _create_client(name: str, role: str, org: str, scopes: list[str]) -> dict[str, str]:
    from app.audit.service import SystemActor
    from app.auth.principal import Principal, Role
    from app.clients.schemas import ClientCreate
    from app.clients.service import create_client
    from app.db.session import make_engine, make_sessionmaker, session_scope

    engine = make_engine(get_settings())
    system = SystemActor(client_id="system:cli")
    bootstrap = Principal(
        role=Role.directorate,
        org_id="970018131",
        scopes=frozenset({"read", "write"}),
        client_id=system.client_id,
        issuer="cli",
    )
    try:
        async for session in session_scope(make_sessionmaker(engine)):
            client, secret = await create_client(
                session,
                bootstrap,
                data=ClientCreate(name=name, role=Role(role), organisation_id=org, scopes=scopes),  # type: ignore[arg-type]
                created_by="system:cli",
            )
        return {
            "client_id": client.id,
            "client_secret": secret,
            "role": client.role,
            "organisation_id": client.organisation_id,
        }
    finally:
        await engine.dispose()


async def _mint(role: str, org: str, scopes: list[str], ttl: int) -> str:
    import sqlalchemy as sa

    from app.auth.issuers import build_issuers
    from app.auth.service import mint
    from app.clients.models import ApiClient
    from app.db.session import make_engine, make_sessionmaker, session_scope
    from app.reference.service import find_organisation

    settings = get_settings()
    engine = make_engine(settings)
    try:
        async for session in session_scope(make_sessionmaker(engine)):
            found = await find_organisation(session, org)
            if found is None:
                raise SystemExit(f"no organisation {org}")
            name = f"cli-minted {role} {found.id}"
            client = await session.scalar(sa.select(ApiClient).where(ApiClient.name == name, ApiClient.enabled))
        assert found is not None
        if client is None:
            await _create_client(name, role, found.id, ["read", "write"])
            async for session in session_scope(make_sessionmaker(engine)):
                client = await session.scalar(sa.select(ApiClient).where(ApiClient.name == name))
        assert client is not None
        return str(mint(build_issuers(settings), client=client, scopes=scopes, ttl=ttl)["access_token"])
    finally:
        await engine.dispose()


def _data_rows(path: Path, body: bytes) -> int:
    if path.suffix.lower() == ".xlsx":
        import io

        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(body), read_only=True)
        rows = (workbook.worksheets[0].max_row or 1) - 1
        workbook.close()
        return rows
    return max(body.count(b"\n") - 1, 0)


async def _import(kind: str, path: Path, body: bytes) -> dict[str, int] | None:
    """Import a CSV or XLSX file as the directorate, with a progress bar on stderr."""
    from tqdm import tqdm

    from app.auth.principal import Principal, Role
    from app.core.errors import InvalidInput
    from app.core.tabular import XLSX_MEDIA_TYPE
    from app.db.session import make_engine, make_sessionmaker, session_scope
    from app.reference.schools import import_schools
    from app.selection.indicator_data import import_values

    content_type = XLSX_MEDIA_TYPE if path.suffix.lower() == ".xlsx" else "text/csv"
    principal = Principal(
        role=Role.directorate,
        org_id="970018131",
        scopes=frozenset({"read", "write"}),
        client_id="system:cli-import",
        issuer="cli",
    )
    engine = make_engine(get_settings())
    run = import_schools if kind == "schools" else import_values
    try:
        with tqdm(total=_data_rows(path, body), unit="row", desc=path.name, file=sys.stderr) as bar:
            async for session in session_scope(make_sessionmaker(engine)):
                report = await run(session, principal, body=body, content_type=content_type, progress=bar.update)
    except InvalidInput as exc:
        for error in exc.extra.get("errors", []):
            where = f"row {error['row']}, {error['column']}" if "row" in error else error["pointer"]
            print(f"{path.name}: {where}: {error['detail']}", file=sys.stderr)
        print(exc.detail, file=sys.stderr)
        return None
    finally:
        await engine.dispose()
    return {"rows": report.rows, "created": report.created, "updated": report.updated, "unchanged": report.unchanged}


def write_openapi(path: Path) -> None:
    from app.main import create_app

    document = create_app().openapi()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="school-dev-api", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="alembic upgrade head")
    p = sub.add_parser("load-reference", help="load (or update) the reference data")
    p.add_argument("--dir", type=Path, default=None, help="a folder of reference CSVs instead of the shipped ones")
    sub.add_parser("setup", help="migrate, then load the reference data")
    p = sub.add_parser("serve", help="run the API with uvicorn")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--reload", action="store_true")
    p = sub.add_parser("create-client", help="register an API client and print its secret once")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["directorate", "county_governor", "school_owner", "university"])
    p.add_argument("--org", required=True, help="organisation id, organisation number or municipality number")
    p.add_argument("--scopes", default="read write")
    p = sub.add_parser("mint-token", help="embedded mode only: a token for any role and organisation")
    p.add_argument("--role", required=True, choices=["directorate", "county_governor", "school_owner", "university"])
    p.add_argument("--org", required=True)
    p.add_argument("--scopes", default="read write")
    p.add_argument("--ttl", type=int, default=3600)
    sub.add_parser("webhook-worker", help="deliver webhook events until stopped (SIGTERM)")
    for kind in ("schools", "indicators"):
        p = sub.add_parser(f"import-{kind}", help=f"import {kind} from a CSV or XLSX file (all or nothing)")
        p.add_argument("file", type=Path)
    p = sub.add_parser("openapi", help="write the OpenAPI document")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "openapi" / "openapi.json")
    p = sub.add_parser("matrix-doc", help="render the authorisation matrix to docs/authorization.md")
    p.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "authorization.md")
    args = parser.parse_args(argv)

    if args.command == "migrate":
        migrate()
    elif args.command == "load-reference":
        asyncio.run(_load_reference(args.dir))
    elif args.command == "setup":
        migrate()
        asyncio.run(_load_reference(None))
    elif args.command == "serve":
        from app.serving import serve

        serve(get_settings(), workers=args.workers, reload=args.reload)
    elif args.command == "create-client":
        out = asyncio.run(_create_client(args.name, args.role, args.org, args.scopes.split()))
        print(json.dumps(out, indent=2))
    elif args.command == "mint-token":
        if not get_settings().embedded:
            sys.exit("mint-token works only in the embedded mode (SQLite); register a client instead.")
        print(asyncio.run(_mint(args.role, args.org, args.scopes.split(), args.ttl)))
    elif args.command == "webhook-worker":
        from app.webhooks.worker import run_standalone

        asyncio.run(run_standalone(get_settings()))
    elif args.command in ("import-schools", "import-indicators"):
        result = asyncio.run(_import(args.command.removeprefix("import-"), args.file, args.file.read_bytes()))
        if result is None:
            sys.exit(1)
        print(json.dumps(result))
    elif args.command == "openapi":
        write_openapi(args.out)
        print(f"wrote {args.out}")
    elif args.command == "matrix-doc":
        from app.auth.matrix import write_markdown

        write_markdown(args.out)
        print(f"wrote {args.out}")
