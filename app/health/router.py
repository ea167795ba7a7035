"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from app.core import metrics
from app.core.errors import NotFound, error_responses

router = APIRouter(tags=["operations"])


@router.get("/health/live")
async def health_live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready", responses=error_responses(503))
async def health_ready(request: Request) -> JSONResponse:
    """The database answers."""
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
    except Exception:
        return JSONResponse(
            {
                "type": "/problems/not-ready",
                "title": "Service Unavailable",
                "status": 503,
                "detail": "The database does not answer.",
                "instance": request.url.path,
            },
            status_code=503,
            media_type="application/problem+json",
        )
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def get_metrics(request: Request) -> Response:
    """Prometheus metrics: request count and latency by route and status."""
    if not request.app.state.settings.metrics_public:
        raise NotFound("Metrics are not published on this instance.")
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
