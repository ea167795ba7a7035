"""Imports every model module so that the metadata is complete (Alembic and the tests use it).

Modules, not names: a linter cannot mistake these imports for unused ones.
"""

import app.audit.models
import app.clients.models
import app.core.idempotency
import app.enrolments.models
import app.funding.models
import app.partnerships.models
import app.plans.models
import app.programmes.models
import app.reference.models
import app.reports.models
import app.selection.models
import app.webhooks.models  # noqa: F401
from app.db.base import Base

metadata = Base.metadata
