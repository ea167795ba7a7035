"""create_app(): routers, error handlers, middleware, operation ids."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from starlette.requests import Request

from app.api import API_PREFIX, api_routers
from app.auth.broadcast import AuthBroadcast
from app.auth.cache import PrincipalCache
from app.auth.issuers import build_issuers
from app.auth.router import wellknown
from app.core.config import Settings, get_settings
from app.core.errors import install_error_handlers
from app.core.idempotency import IdempotentReplay, replay_response
from app.core.logging import configure_logging
from app.core.middleware import BodyLimitMiddleware, RequestContextMiddleware, RetryLostConnectionMiddleware
from app.core.openapi import install_openapi, operation_id
from app.core.ratelimit import build_limiter
from app.core.rendered import RenderedItems
from app.db.session import make_engine, make_read_sessionmaker, make_sessionmaker, request_slots
from app.db.slots import ConnectionSlots
from app.health.router import router as health_router
from app.webhooks.worker import start_in_process_worker

DESCRIPTION = """
The API that the directorate (Utdanningsdirektoratet), the county governors (Statsforvalteren),
school owners and universities use to run Norway's school-development programmes.

Authenticate with `Authorization: Bearer <token>` (OAuth2 client credentials at `POST /api/v1/auth/token`).
Every error is `application/problem+json`. Lists are cursor-paginated and answer CSV with
`Accept: text/csv`. Updates need `If-Match`; creates and actions take `Idempotency-Key` and `dry_run=true`.
"""


GC_GEN0_THRESHOLD = 20_000


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    engine = make_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = start_in_process_worker(app) if settings.webhook_worker_in_process else None
        broadcast = await AuthBroadcast(settings.redis_url).start() if settings.redis_url else None
        gc.freeze()
        # A list page allocates thousands of objects; with the default threshold (700) the collector ran several
        # times per request. Reference counting frees nearly all of them; cycles wait a little longer.
        gc.set_threshold(GC_GEN0_THRESHOLD)
        yield
        if broadcast is not None:
            await broadcast()
        if worker is not None:
            await worker()
        await app.state.engine.dispose()

    app = FastAPI(
        title="School-development programme API",
        version="1.0.0",
        description=DESCRIPTION,
        generate_unique_id_function=operation_id,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "authentication", "description": "Tokens, public keys, the caller."},
            {"name": "reference data", "description": "Counties, county governors, municipalities, organisations."},
            {"name": "API clients", "description": "Programs registered to call the API."},
            {"name": "programmes", "description": "Programmes, their phase templates, goals and rules."},
            {"name": "offers", "description": "Offers of a programme to a school owner, and the answers."},
            {"name": "enrolments", "description": "Enrolments, phases, goal checklists, participants, guidance."},
            {"name": "gatherings and workshops", "description": "SKUP gatherings and workshops."},
            {"name": "development plans", "description": "Plans, measures, versions and review."},
            {
                "name": "partnerships and forums",
                "description": "Partnerships with universities, subcontracts, "
                "collaboration forums and their decisions.",
            },
            {
                "name": "schools and indicator data",
                "description": "Schools under their owners and their indicator values (bulk import as CSV or XLSX).",
            },
            {
                "name": "selection rounds",
                "description": "The follow-up scheme's selection: risk points, candidates, county assessment, offers.",
            },
            {"name": "allocations", "description": "Money from the directorate to recipients, and co-financing."},
            {"name": "reports and statistics", "description": "Recipients' reports; statistics for dashboards."},
            {"name": "webhooks", "description": "The change feed pushed to subscribers as signed CloudEvents."},
            {"name": "audit and events", "description": "Who changed what, and the ordered change feed."},
            {"name": "operations", "description": "Health and metrics."},
        ],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_read_sessionmaker(engine)
    app.state.db_slots = ConnectionSlots(request_slots(settings))
    app.state.issuers = build_issuers(settings)
    app.state.principal_cache = PrincipalCache(settings.auth_cache_seconds)
    app.state.rendered_items = RenderedItems(int(settings.list_item_cache_mb * 1_048_576))
    app.state.limiter = build_limiter(settings.rate_limit_per_minute, settings.redis_url)

    install_error_handlers(app)

    @app.exception_handler(IdempotentReplay)
    async def _replay(request: Request, exc: IdempotentReplay) -> JSONResponse:
        return replay_response(exc)

    app.include_router(health_router)
    app.include_router(wellknown)
    for router in api_routers:
        app.include_router(router, prefix=API_PREFIX)

    install_openapi(app)
    app.add_middleware(RetryLostConnectionMiddleware)
    app.add_middleware(
        BodyLimitMiddleware, max_bytes=settings.max_body_bytes, import_max_bytes=settings.max_import_bytes
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "Link", "Location", "X-Request-ID", "Retry-After"],
        )
    app.add_middleware(RequestContextMiddleware)
    return app
