"""The /api/v1 router: every domain router is included here."""

from __future__ import annotations

from fastapi import APIRouter

from app.audit.router import router as audit_router
from app.auth.router import router as auth_router
from app.clients.router import router as clients_router
from app.reference.router import router as reference_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(reference_router)
api_router.include_router(clients_router)
api_router.include_router(audit_router)
