"""The domain routers of /api/v1, in the order FastAPI matches them.

create_app() includes each in the app under the prefix: FastAPI 0.165 works out on every request whether an
included router's routes have changed, by walking every router included below it, so a router holding all
the others made every request walk them all (about 50 us of a list request's CPU).
"""

from __future__ import annotations

from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.clients.router import router as clients_router
from app.enrolments.router_enrolments import router as enrolments_router
from app.enrolments.router_gatherings import router as gatherings_router
from app.enrolments.router_offers import router as offers_router
from app.funding.router import router as funding_router
from app.partnerships.router import router as partnerships_router
from app.plans.router import router as plans_router
from app.programmes.router import router as programmes_router
from app.reference.router import router as reference_router
from app.reports.router import router as reports_router
from app.selection.router import router as selection_router
from app.selection.router_data import router as selection_data_router
from app.webhooks.router import router as webhooks_router

API_PREFIX = "/api/v1"
api_routers = [
    auth_router,
    reference_router,
    clients_router,
    programmes_router,
    offers_router,
    enrolments_router,
    gatherings_router,
    partnerships_router,
    plans_router,
    selection_data_router,
    selection_router,
    funding_router,
    reports_router,
    webhooks_router,
    audit_router,
]
