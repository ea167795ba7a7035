"""Imports every model so that the metadata is complete (Alembic and the tests use it)."""

from app.audit.models import AuditEvent, OutboxEvent
from app.clients.models import ApiClient
from app.core.idempotency import IdempotencyRecord
from app.db.base import Base
from app.reference.models import County, CountyName, Municipality, MunicipalityName, Organisation, RegionCounty

metadata = Base.metadata

__all__ = [
    "ApiClient",
    "AuditEvent",
    "County",
    "CountyName",
    "IdempotencyRecord",
    "Municipality",
    "MunicipalityName",
    "Organisation",
    "OutboxEvent",
    "RegionCounty",
    "metadata",
]
