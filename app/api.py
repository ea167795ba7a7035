"""The /api/v1 router: every domain router is included here."""

from __future__ import annotations

from fastapi import APIRouter

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

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(reference_router)
api_router.include_router(clients_router)
api_router.include_router(programmes_router)
api_router.include_router(offers_router)
api_router.include_router(enrolments_router)
api_router.include_router(gatherings_router)
api_router.include_router(partnerships_router)
api_router.include_router(plans_router)
api_router.include_router(selection_data_router)
api_router.include_router(selection_router)
api_router.include_router(funding_router)
api_router.include_router(reports_router)
api_router.include_router(webhooks_router)
api_router.include_router(audit_router)
