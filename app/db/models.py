"""Imports every model so that the metadata is complete (Alembic and the tests use it)."""

from app.audit.models import AuditEvent, OutboxEvent
from app.clients.models import ApiClient
from app.core.idempotency import IdempotencyRecord
from app.db.base import Base
from app.enrolments.models import (
    Enrolment,
    EnrolmentPhase,
    Gathering,
    GatheringMember,
    GatheringRegistration,
    GuidanceAssignment,
    Offer,
    Participant,
    Workshop,
    WorkshopSignup,
)
from app.programmes.models import Programme
from app.reference.models import County, CountyName, Municipality, MunicipalityName, Organisation, RegionCounty

metadata = Base.metadata

__all__ = [
    "ApiClient",
    "AuditEvent",
    "County",
    "CountyName",
    "Enrolment",
    "EnrolmentPhase",
    "Gathering",
    "GatheringMember",
    "GatheringRegistration",
    "GuidanceAssignment",
    "IdempotencyRecord",
    "Municipality",
    "MunicipalityName",
    "Offer",
    "Organisation",
    "OutboxEvent",
    "Participant",
    "Programme",
    "RegionCounty",
    "Workshop",
    "WorkshopSignup",
    "metadata",
]
