"""Development plans: the school owner drafts and submits; the county governor approves or returns.

Submitting freezes a version. A submitted plan cannot be edited until it is returned. Submitting the
implementation plan of an enrolment is what lets its implementation phase start (rule 5, seed 001).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import diff, jsonable, record_change
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal, Role
from app.core.errors import Forbidden, InvalidInput, NotFound, RuleViolation
from app.core.etag import check_if_match
from app.core.statements import built_once
from app.db.types import utcnow
from app.enrolments.models import Enrolment
from app.enrolments.service.common import (
    concerns,
    get_owned,
    owner_fields,
    parse_uuid,
    query_uuid,
    school_owner_for_write,
)
from app.plans.models import EDITABLE, JSON_FIELDS, DevelopmentPlan, PlanMeasure, PlanVersion
from app.plans.schemas import MeasureCreate, MeasureFields, MeasureRead, PlanCreate, PlanRead, PlanUpdate, ReviewIn
from app.programmes.service import programme_filter
from app.reference.service import ListQuery, find_organisation


async def list_plans(
    session: AsyncSession, principal: Principal, *, programme: str | None, **filters: Any
) -> ListQuery:
    """The list's statement; `filters` are those of `_plans`, which builds it once per caller and filters."""
    return _plans(principal, programme_id=await programme_filter(session, programme), **filters)


@built_once
def _plans(
    principal: Principal,
    *,
    school_owner: str | None,
    county: str | None,
    programme_id: uuid.UUID | None,
    level: str | None,
    kind: str | None,
    status: str | None,
    enrolment: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(DevelopmentPlan).where(policy.owned(principal, DevelopmentPlan))
    filters = {
        DevelopmentPlan.school_owner_id: school_owner,
        DevelopmentPlan.county_id: county,
        DevelopmentPlan.programme_id: programme_id,
        DevelopmentPlan.level: level,
        DevelopmentPlan.kind: kind,
        DevelopmentPlan.status: status,
    }
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if enrolment:
        stmt = stmt.where(DevelopmentPlan.enrolment_id == query_uuid(enrolment, "enrolment"))
    if updated_since:
        stmt = stmt.where(DevelopmentPlan.updated_at >= updated_since)
    return ListQuery(stmt, (DevelopmentPlan.updated_at, DevelopmentPlan.id))


def list_measure_rows(
    principal: Principal, *, school_owner: str | None, county: str | None, updated_since: datetime | None
) -> ListQuery:
    """One row per measure with its plan, owner and county (for reporting and CSV)."""
    stmt = (
        sa.select(PlanMeasure)
        .join(DevelopmentPlan, DevelopmentPlan.id == PlanMeasure.plan_id)
        .where(policy.owned(principal, DevelopmentPlan))
    )
    if school_owner:
        stmt = stmt.where(DevelopmentPlan.school_owner_id == school_owner)
    if county:
        stmt = stmt.where(DevelopmentPlan.county_id == county)
    if updated_since:
        stmt = stmt.where(PlanMeasure.updated_at >= updated_since)
    return ListQuery(stmt, (PlanMeasure.id,))


async def get_plan(session: AsyncSession, principal: Principal, *, plan_id: str) -> DevelopmentPlan:
    return await get_owned(session, principal, DevelopmentPlan, plan_id, "development plan")


async def _measures(session: AsyncSession, plan: DevelopmentPlan) -> list[PlanMeasure]:
    return list(
        (
            await session.scalars(
                sa.select(PlanMeasure)
                .where(PlanMeasure.plan_id == plan.id)
                .order_by(PlanMeasure.created_at, PlanMeasure.id)
            )
        ).all()
    )


async def content_of(session: AsyncSession, plan: DevelopmentPlan) -> dict[str, Any]:
    """The plan and its measures as one JSON document (what a version freezes)."""
    body = PlanRead.of(plan).model_dump(
        mode="json",
        exclude={
            "created_at",
            "updated_at",
            "version",
            "status",
            "submitted_version",
            "review_comment",
            "reviewed_by_org_id",
            "reviewed_at",
        },
    )
    body["measures"] = [
        MeasureRead.model_validate(m).model_dump(mode="json", exclude={"created_at", "updated_at", "version"})
        for m in await _measures(session, plan)
    ]
    return body


def _own_plan(principal: Principal, plan: DevelopmentPlan) -> None:
    require(principal, Perm.plans_write)
    policy.require_self(principal, plan.school_owner_id, "Only the school owner itself edits its plans.")


def _editable(plan: DevelopmentPlan) -> None:
    if plan.status not in EDITABLE:
        raise RuleViolation("plan-editable", f"The plan is {plan.status}; it must be returned before it is edited.")


async def _audit(
    session: AsyncSession,
    principal: Principal,
    plan: DevelopmentPlan,
    action: str,
    changes: dict[str, Any],
    resource: tuple[str, Any] | None = None,
) -> None:
    await session.flush()
    kind, obj = resource or ("development-plan", plan)
    await record_change(
        session,
        principal,
        action=action,
        resource_type=kind,
        resource_id=str(obj.id),
        changes=changes,
        concerns=concerns(plan),
        version=obj.version,
    )


async def _check_references(session: AsyncSession, principal: Principal, values: dict[str, Any], owner_id: str) -> None:
    for i, ref in enumerate(values.get("based_on_plan_ids") or []):
        found = await session.scalar(
            sa.select(DevelopmentPlan.id).where(
                DevelopmentPlan.id == uuid.UUID(str(ref)), DevelopmentPlan.school_owner_id == owner_id
            )
        )
        if found is None:
            raise InvalidInput(
                "Unknown plan.", [{"pointer": f"/based_on_plan_ids/{i}", "detail": "not a plan of this owner"}]
            )


DATES = ("period_start", "period_end")


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-mode values for the JSON columns, but dates as dates for the date columns."""
    return {k: (date.fromisoformat(v) if k in DATES and isinstance(v, str) else v) for k, v in values.items()}


async def create_plan(session: AsyncSession, principal: Principal, *, data: PlanCreate) -> DevelopmentPlan:
    """A draft plan of the calling school owner, optionally for one of its enrolments."""
    require(principal, Perm.plans_write)
    if data.school_owner_id and data.school_owner_id != principal.org_id:
        raise Forbidden("A school owner makes its own plans only.")
    owner = await school_owner_for_write(session, principal, principal.org_id)
    values = _columns(data.model_dump(mode="json", exclude={"school_owner_id", "enrolment_id"}, exclude_none=True))
    programme_id = None
    if data.enrolment_id:
        enrolment = await session.scalar(
            sa.select(Enrolment).where(Enrolment.id == data.enrolment_id, Enrolment.school_owner_id == owner.id)
        )
        if enrolment is None:
            raise InvalidInput(
                "Unknown enrolment.", [{"pointer": "/enrolment_id", "detail": "not an enrolment of yours"}]
            )
        programme_id = enrolment.programme_id
    await _check_references(session, principal, values, owner.id)
    plan = DevelopmentPlan(
        enrolment_id=data.enrolment_id, programme_id=programme_id, status="draft", **values, **owner_fields(owner)
    )
    session.add(plan)
    await _audit(session, principal, plan, "create", diff({}, jsonable(values)))
    return plan


async def update_plan(
    session: AsyncSession, principal: Principal, *, plan_id: str, data: PlanUpdate, if_match: str | None
) -> DevelopmentPlan:
    """Edit a draft or returned plan (If-Match: two case handlers never overwrite each other silently)."""
    plan = await get_plan(session, principal, plan_id=plan_id)
    _own_plan(principal, plan)
    check_if_match(if_match, plan.version)
    _editable(plan)
    changes = _columns(data.model_dump(mode="json", exclude_unset=True))
    if "title" in changes and changes["title"] is None:
        raise InvalidInput("title cannot be null.", [{"pointer": "/title", "detail": "cannot be null"}])
    for field in JSON_FIELDS:
        if field in changes and changes[field] is None:
            changes[field] = {} if field in ("swot", "challenge_picture") else []
    await _check_references(session, principal, changes, plan.school_owner_id)
    before = jsonable({k: getattr(plan, k) for k in changes})
    for field, value in changes.items():
        setattr(plan, field, value)
    delta = diff(before, jsonable({k: getattr(plan, k) for k in changes}))
    if delta:
        await _audit(session, principal, plan, "update", delta)
    return plan


async def add_measure(session: AsyncSession, principal: Principal, *, plan_id: str, data: MeasureCreate) -> PlanMeasure:
    plan = await get_plan(session, principal, plan_id=plan_id)
    _own_plan(principal, plan)
    _editable(plan)
    values = data.model_dump(exclude_none=True)
    await _check_partner(session, values)
    measure = PlanMeasure(plan_id=plan.id, status=values.pop("status", "planned"), **values)
    session.add(measure)
    plan.updated_at = utcnow()
    await _audit(
        session,
        principal,
        plan,
        "create",
        diff({}, jsonable(data.model_dump(exclude_none=True))),
        ("plan-measure", measure),
    )
    return measure


async def _check_partner(session: AsyncSession, values: dict[str, Any]) -> None:
    if values.get("competence_partner_id"):
        org = await find_organisation(session, values["competence_partner_id"])
        if org is None:
            raise InvalidInput("Unknown organisation.", [{"pointer": "/competence_partner_id", "detail": "unknown"}])
        values["competence_partner_id"] = org.id


async def list_measures(session: AsyncSession, principal: Principal, *, plan_id: str) -> ListQuery:
    plan = await get_plan(session, principal, plan_id=plan_id)
    return ListQuery(
        sa.select(PlanMeasure).where(PlanMeasure.plan_id == plan.id), (PlanMeasure.created_at, PlanMeasure.id)
    )


async def update_measure(
    session: AsyncSession,
    principal: Principal,
    *,
    plan_id: str,
    measure_id: str,
    data: MeasureFields,
    if_match: str | None,
) -> PlanMeasure:
    plan = await get_plan(session, principal, plan_id=plan_id)
    _own_plan(principal, plan)
    measure = await session.scalar(
        sa.select(PlanMeasure).where(
            PlanMeasure.id == parse_uuid(measure_id, "measure"), PlanMeasure.plan_id == plan.id
        )
    )
    if measure is None:
        raise NotFound(f"No measure {measure_id} in plan {plan_id}.")
    check_if_match(if_match, measure.version)
    _editable(plan)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("title", "x") is None or ("status" in changes and changes["status"] is None):
        raise InvalidInput("Cannot be null.", [{"pointer": "/title", "detail": "title and status cannot be null"}])
    await _check_partner(session, changes)
    before = jsonable({k: getattr(measure, k) for k in changes})
    for field, value in changes.items():
        setattr(measure, field, value)
    delta = diff(before, jsonable({k: getattr(measure, k) for k in changes}))
    if delta:
        await _audit(session, principal, plan, "update", delta, ("plan-measure", measure))
    return measure


async def submit_plan(session: AsyncSession, principal: Principal, *, plan_id: str) -> DevelopmentPlan:
    """Submit for review: the plan needs goals and measures; the submitted content is frozen as a version."""
    plan = await get_plan(session, principal, plan_id=plan_id)
    _own_plan(principal, plan)
    if plan.status not in EDITABLE:
        raise RuleViolation("plan-editable", f"The plan is {plan.status}; only a draft or returned plan is submitted.")
    if not plan.goals:
        raise RuleViolation("plan-needs-goals", "A plan is submitted with at least one goal.")
    if not await _measures(session, plan):
        raise RuleViolation("plan-needs-measures", "A plan is submitted with at least one measure.")
    before = plan.status
    plan.status, plan.submitted_version = "submitted", plan.submitted_version + 1
    session.add(
        PlanVersion(
            plan_id=plan.id,
            number=plan.submitted_version,
            content=await content_of(session, plan),
            submitted_by_client=principal.client_id,
            submitted_by_org_id=principal.org_id,
            submitted_at=utcnow(),
        )
    )
    await _audit(
        session,
        principal,
        plan,
        "submit",
        {"status": {"before": before, "after": "submitted"}, "submitted_version": plan.submitted_version},
    )
    return plan


async def _review(session: AsyncSession, principal: Principal, plan_id: str) -> DevelopmentPlan:
    plan = await get_plan(session, principal, plan_id=plan_id)
    require(principal, Perm.plans_review)
    policy.require_role(principal, Role.county_governor, "The county governor of the region reviews plans.")
    if plan.status != "submitted":
        raise RuleViolation("plan-submitted", f"The plan is {plan.status}; only a submitted plan is reviewed.")
    return plan


async def approve_plan(session: AsyncSession, principal: Principal, *, plan_id: str, data: ReviewIn) -> DevelopmentPlan:
    plan = await _review(session, principal, plan_id)
    plan.status, plan.review_comment = "approved", data.comment
    plan.reviewed_by_org_id, plan.reviewed_at = principal.org_id, utcnow()
    await _audit(session, principal, plan, "approve", {"status": {"before": "submitted", "after": "approved"}})
    return plan


async def return_plan(session: AsyncSession, principal: Principal, *, plan_id: str, data: ReviewIn) -> DevelopmentPlan:
    """Return with comments; the school owner revises and submits again."""
    if not data.comment:
        raise InvalidInput("A returned plan needs a comment.", [{"pointer": "/comment", "detail": "required"}])
    plan = await _review(session, principal, plan_id)
    plan.status, plan.review_comment = "returned", data.comment
    plan.reviewed_by_org_id, plan.reviewed_at = principal.org_id, utcnow()
    await _audit(
        session,
        principal,
        plan,
        "return",
        {"status": {"before": "submitted", "after": "returned"}, "review_comment": data.comment},
    )
    return plan


async def list_versions(session: AsyncSession, principal: Principal, *, plan_id: str) -> ListQuery:
    plan = await get_plan(session, principal, plan_id=plan_id)
    return ListQuery(sa.select(PlanVersion).where(PlanVersion.plan_id == plan.id), (PlanVersion.number,))


async def get_version(session: AsyncSession, principal: Principal, *, plan_id: str, number: int) -> PlanVersion:
    plan = await get_plan(session, principal, plan_id=plan_id)
    found = await session.scalar(
        sa.select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.number == number)
    )
    if found is None:
        raise NotFound(f"Plan {plan_id} has no version {number}.")
    return found


def diff_versions(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Field-by-field changes; measures compared by id."""
    out = diff({k: v for k, v in a.items() if k != "measures"}, {k: v for k, v in b.items() if k != "measures"})
    ma = {m["id"]: m for m in a.get("measures", [])}
    mb = {m["id"]: m for m in b.get("measures", [])}
    for mid in dict.fromkeys([*ma, *mb]):
        if ma.get(mid) != mb.get(mid):
            out[f"measures/{mid}"] = {"before": ma.get(mid), "after": mb.get(mid)}
    return out


async def implementation_plan_submitted(session: AsyncSession, enrolment: Enrolment) -> bool:
    """Rule 5: a submitted (or approved) implementation plan of the enrolment exists."""
    found = await session.scalar(
        sa.select(DevelopmentPlan.id)
        .where(
            DevelopmentPlan.enrolment_id == enrolment.id,
            DevelopmentPlan.kind == "implementation_plan",
            DevelopmentPlan.status.in_(("submitted", "approved")),
        )
        .limit(1)
    )
    return found is not None
