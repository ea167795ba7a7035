"""Selection rounds: create, change, compute (rule 7, with rule 1's exclusions) and send to county review.

Status: draft -> computed -> under_review -> finalised. A draft or computed round may be changed and
(re)computed; the same data and parameters always give the same result. A finalised round is read only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.bulk import execute_many, table_of
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.core.etag import check_if_match
from app.db.guard import insert_guarded
from app.db.types import utcnow
from app.enrolments.models import Enrolment
from app.enrolments.service.common import parse_uuid
from app.programmes.service import programme_filter, programme_for_write
from app.reference.models import Municipality, Organisation, School
from app.reference.service import ListQuery
from app.selection.compute import Result, Value, compute
from app.selection.indicators import INDICATORS
from app.selection.models import Candidate, IndicatorValue, RoundSchool, SelectionRound
from app.selection.schemas import RoundCreate, RoundParameters, RoundUpdate

AUDITED = ["name", "year", "school_years", "indicators", "parameters", "status"]


def resolved(parameters: RoundParameters, indicators: list[str]) -> dict[str, Any]:
    """Every parameter written out, so the stored round explains itself without defaults in code."""
    return {
        "worst_percent": {i: parameters.worst_percent.get(i, parameters.default_worst_percent) for i in indicators},
        "top_share_percent": parameters.top_share_percent,
        "tie_rule": parameters.tie_rule,
    }


def require_status(r: SelectionRound, *allowed: str, action: str) -> None:
    if r.status not in allowed:
        raise RuleViolation(
            "round-status",
            f"The round is {r.status}; {action} needs it to be {' or '.join(allowed)}.",
            round_status=r.status,
        )


def list_rounds_query(
    principal: Principal, *, programme_id: Any, year: int | None, status: str | None, updated_since: datetime | None
) -> ListQuery:
    require(principal, Perm.selection_read)
    stmt = sa.select(SelectionRound).where(policy.selection_rounds(principal))
    if programme_id is not None:
        stmt = stmt.where(SelectionRound.programme_id == programme_id)
    if year:
        stmt = stmt.where(SelectionRound.year == year)
    if status:
        stmt = stmt.where(SelectionRound.status == status)
    if updated_since:
        stmt = stmt.where(SelectionRound.updated_at >= updated_since)
    return ListQuery(stmt, (SelectionRound.updated_at, SelectionRound.id))


async def list_rounds(
    session: AsyncSession,
    principal: Principal,
    *,
    programme: str | None,
    year: int | None,
    status: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    require(principal, Perm.selection_read)
    programme_id = await programme_filter(session, programme)
    return list_rounds_query(
        principal, programme_id=programme_id, year=year, status=status, updated_since=updated_since
    )


async def get_round(
    session: AsyncSession, principal: Principal, *, round_id: str, lock: bool = False
) -> SelectionRound:
    require(principal, Perm.selection_read)
    stmt = sa.select(SelectionRound).where(
        SelectionRound.id == parse_uuid(round_id, "selection round"), policy.selection_rounds(principal)
    )
    found = await session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(f"No selection round {round_id}.")
    return found


async def _audit(
    session: AsyncSession, principal: Principal, r: SelectionRound, action: str, before: dict[str, Any], **extra: Any
) -> None:
    await session.flush()
    changes = diff(before, snapshot(r, AUDITED))
    changes.update({k: {"after": v} for k, v in extra.items()})
    await record_change(
        session,
        principal,
        action=action,
        resource_type="selection_round",
        resource_id=str(r.id),
        changes=changes,
        concerns=Concerns(),
        version=r.version,
    )


async def create_round(session: AsyncSession, principal: Principal, *, data: RoundCreate) -> SelectionRound:
    """A draft round with its method (the directorate); one round per programme and year."""
    require(principal, Perm.selection_write)
    programme = await programme_for_write(session, data.programme)
    indicators = list(data.indicators or INDICATORS)
    r = SelectionRound(
        programme_id=programme.id,
        year=data.year,
        name=data.name or f"{programme.name} {data.year}",
        school_years=data.school_years,
        indicators=indicators,
        parameters=resolved(data.parameters, indicators),
        status="draft",
    )
    await insert_guarded(
        session,
        r,
        RuleViolation("one-round-per-year", f"{programme.name} already has a selection round for {data.year}."),
    )
    await _audit(session, principal, r, "create", {})
    return r


async def update_round(
    session: AsyncSession, principal: Principal, *, round_id: str, data: RoundUpdate, if_match: str | None
) -> SelectionRound:
    """Change a draft or computed round (If-Match); a computed round goes back to draft until recomputed."""
    require(principal, Perm.selection_write)
    r = await get_round(session, principal, round_id=round_id, lock=True)
    check_if_match(if_match, r.version)
    require_status(r, "draft", "computed", action="a change")
    before = snapshot(r, AUDITED)
    changes = data.model_dump(exclude_unset=True)
    for field in ("name", "school_years", "indicators", "parameters"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be null.", [{"pointer": f"/{field}", "detail": "cannot be null"}])
    if "name" in changes:
        r.name = changes["name"]
    if "school_years" in changes:
        r.school_years = changes["school_years"]
    if "indicators" in changes:
        r.indicators = list(changes["indicators"])
    if data.parameters is not None or "indicators" in changes:
        params = data.parameters or RoundParameters(
            default_worst_percent=25,
            worst_percent={k: v for k, v in r.parameters["worst_percent"].items() if k in r.indicators},
            top_share_percent=r.parameters["top_share_percent"],
            tie_rule=r.parameters["tie_rule"],
        )
        r.parameters = resolved(params, r.indicators)
    if diff(before, snapshot(r, AUDITED)):
        if r.status == "computed":
            await _clear_results(session, r)
            r.status, r.summary, r.computed_at = "draft", None, None
        await _audit(session, principal, r, "update", before)
    return r


async def _clear_results(session: AsyncSession, r: SelectionRound) -> None:
    await session.execute(sa.delete(Candidate).where(Candidate.round_id == r.id))
    await session.execute(sa.delete(RoundSchool).where(RoundSchool.round_id == r.id))


async def _values(session: AsyncSession, r: SelectionRound) -> list[Value]:
    """Present values of active schools, for the round's indicators and school years."""
    t = table_of(IndicatorValue)
    stmt = (
        sa.select(t.c.school_id, t.c.indicator, t.c.school_year, sa.cast(t.c.value, sa.Float))
        .join(School, School.id == t.c.school_id)
        .where(
            t.c.status == "present",
            t.c.school_year.in_(r.school_years),
            t.c.indicator.in_(r.indicators),
            School.active.is_(True),
        )
    )
    # One fetch, not a stream: row-by-row async iteration costs a context switch per value.
    return [Value(*row) for row in (await session.execute(stmt)).all()]


async def _exclusions(session: AsyncSession, r: SelectionRound) -> tuple[set[str], set[str], Any]:
    """Rule 1: owners enrolled in the programme now, and municipalities selected in the previous round."""
    enrolled = set(
        (
            await session.scalars(
                sa.select(Enrolment.school_owner_id).where(
                    Enrolment.programme_id == r.programme_id, Enrolment.status == "active"
                )
            )
        ).all()
    )
    previous = await session.scalar(
        sa.select(SelectionRound.id)
        .where(
            SelectionRound.programme_id == r.programme_id,
            SelectionRound.year < r.year,
            SelectionRound.status == "finalised",
        )
        .order_by(SelectionRound.year.desc())
        .limit(1)
    )
    selected: set[str] = set()
    if previous is not None:
        selected = set(
            (
                await session.scalars(
                    sa.select(Candidate.municipality_id).where(
                        Candidate.round_id == previous, Candidate.selected.is_(True)
                    )
                )
            ).all()
        )
    return enrolled, selected, previous


async def compute_round(session: AsyncSession, principal: Principal, *, round_id: str) -> SelectionRound:
    """Risk points, shares, national ranking and candidates with their explanations (draft or computed)."""
    require(principal, Perm.selection_write)
    r = await get_round(session, principal, round_id=round_id, lock=True)
    require_status(r, "draft", "computed", action="computing")
    before = snapshot(r, AUDITED)
    p = r.parameters
    result = compute(
        await _values(session, r),
        worst_percent={k: float(v) for k, v in p["worst_percent"].items()},
        top_share_percent=float(p["top_share_percent"]),
        tie_rule=p["tie_rule"],
    )
    await _clear_results(session, r)
    schools = {
        row.id: row
        for row in (
            await session.execute(
                sa.select(
                    School.id,
                    School.name,
                    School.school_owner_id,
                    School.municipality_id,
                    School.county_id,
                    Organisation.kind,
                ).join(Organisation, Organisation.id == School.school_owner_id)
            )
        ).all()
    }
    await execute_many(
        session,
        sa.insert(table_of(RoundSchool)),
        [
            {
                "round_id": r.id,
                "school_id": s.school_id,
                "school_owner_id": schools[s.school_id].school_owner_id,
                "municipality_id": schools[s.school_id].municipality_id,
                "county_id": schools[s.school_id].county_id,
                "points": s.points,
                "values_present": s.values_present,
                "share": _share(s.share),
                "rank": s.rank,
                "in_top": s.in_top,
                "details": s.details,
            }
            for s in result.schools
        ],
    )
    excluded = await _candidates(session, r, result, schools)
    r.status = "computed"
    r.computed_at = utcnow()
    r.summary = {
        "schools_ranked": len(result.schools),
        "values_used": sum(s.values_present for s in result.schools),
        "boundary_share": None if result.boundary_share is None else str(_share(result.boundary_share)),
        "top_schools": result.top_count,
        **excluded,
        "cutoffs": result.cutoffs,
        "inputs_digest": result.digest,
    }
    await _audit(session, principal, r, "compute", before, inputs_digest=result.digest)
    return r


def _share(value: float) -> Decimal:
    return Decimal(str(round(value, 6)))


async def _candidates(
    session: AsyncSession, r: SelectionRound, result: Result, schools: dict[str, Any]
) -> dict[str, Any]:
    """Municipalities (as school owners) with a school in the top share; rule 1 marks the excluded."""
    top: dict[str, list[Any]] = {}
    for s in result.schools:
        info = schools[s.school_id]
        # The offer goes to the school owner: a municipality's own schools make it a candidate.
        if s.in_top and info.kind == "municipality" and info.municipality_id:
            top.setdefault(info.school_owner_id, []).append((s, info))
    enrolled, selected_before, previous = await _exclusions(session, r)
    places = {
        m.id: m for m in (await session.scalars(sa.select(Municipality).where(Municipality.id.in_(list(top))))).all()
    }
    today = date.today()
    rows = []
    counts = {"candidates": 0, "eligible_candidates": 0, "excluded_enrolled": 0, "excluded_selected_previous_round": 0}
    for owner_id, entries in sorted(top.items()):
        municipality = places.get(owner_id)
        if municipality is None:
            continue
        reason = (
            "enrolled" if owner_id in enrolled else "selected-previous-round" if owner_id in selected_before else None
        )
        counts["candidates"] += 1
        counts["eligible_candidates"] += reason is None
        counts["excluded_enrolled"] += reason == "enrolled"
        counts["excluded_selected_previous_round"] += reason == "selected-previous-round"
        explained = [
            {
                "school_id": s.school_id,
                "name": info.name,
                "rank": s.rank,
                "share": str(_share(s.share)),
                "points": s.points,
                "values_present": s.values_present,
                "risk_values": s.details,
            }
            for s, info in entries
        ]
        now = utcnow()
        rows.append(
            {
                "round_id": r.id,
                "municipality_id": owner_id,
                "school_owner_id": owner_id,
                "county_id": municipality.county_id,
                "name": municipality.name_at(today),
                "top_schools": len(entries),
                "best_rank": min(s.rank for s, _ in entries),
                "eligible": reason is None,
                "excluded_reason": reason,
                "explanation": {"schools": explained, "excluded_because": reason},
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    await execute_many(session, sa.insert(table_of(Candidate)), rows)
    return {**counts, "previous_round_id": str(previous) if previous else None}


async def open_review(session: AsyncSession, principal: Principal, *, round_id: str) -> SelectionRound:
    """Send a computed round to the county governors, who assess their region's candidates."""
    require(principal, Perm.selection_write)
    r = await get_round(session, principal, round_id=round_id, lock=True)
    require_status(r, "computed", action="county review")
    before = snapshot(r, AUDITED)
    r.status = "under_review"
    await _audit(session, principal, r, "open-review", before)
    return r
