"""Results of a round, the county governors' assessments of their candidates, and the final selection.

Rule 7 (seed 004): the county governors assess and prioritise their candidates, then the directorate makes
the final selection; rule 8: every selected municipality is offered guidance. Finalising creates the
offers in the same transaction as the selection, so either all of it happens or none of it does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import diff, record_change, snapshot
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.core.etag import check_if_match
from app.db.types import utcnow
from app.enrolments.schemas import OfferCreate
from app.enrolments.service.common import concerns
from app.enrolments.service.offers import create_offer
from app.programmes.models import Programme
from app.reference.ids import municipality_id
from app.reference.service import ListQuery
from app.selection.models import Candidate, RoundSchool
from app.selection.rounds import _audit, get_round, require_status
from app.selection.schemas import AssessmentIn, FinaliseIn

ASSESSED = ["priority_rank", "recommend", "justification"]


async def list_round_schools(
    session: AsyncSession,
    principal: Principal,
    *,
    round_id: str,
    in_top: bool | None,
    county: str | None,
    municipality: str | None,
    updated_since: datetime | None,
) -> ListQuery:
    """The national ranking, scoped: a county governor sees its region's schools in it."""
    r = await get_round(session, principal, round_id=round_id)
    stmt = sa.select(RoundSchool).where(RoundSchool.round_id == r.id, policy.owned(principal, RoundSchool))
    if updated_since and (r.computed_at is None or r.computed_at < updated_since):
        stmt = stmt.where(sa.false())  # the rows are written whole by each computation
    if in_top is not None:
        stmt = stmt.where(RoundSchool.in_top == in_top)
    if county:
        stmt = stmt.where(RoundSchool.county_id == county)
    if municipality:
        stmt = stmt.where(RoundSchool.municipality_id == (municipality_id(municipality) or municipality))
    return ListQuery(stmt, (RoundSchool.rank, RoundSchool.school_id))


async def list_candidates(
    session: AsyncSession,
    principal: Principal,
    *,
    round_id: str,
    county: str | None,
    eligible: bool | None,
    updated_since: datetime | None,
) -> ListQuery:
    """Candidates the caller may see: all for the directorate, its region's for a county governor."""
    r = await get_round(session, principal, round_id=round_id)
    stmt = sa.select(Candidate).where(Candidate.round_id == r.id, policy.owned(principal, Candidate))
    if county:
        stmt = stmt.where(Candidate.county_id == county)
    if eligible is not None:
        stmt = stmt.where(Candidate.eligible == eligible)
    if updated_since:
        stmt = stmt.where(Candidate.updated_at >= updated_since)
    return ListQuery(stmt, (Candidate.municipality_id,))


async def get_candidate(session: AsyncSession, principal: Principal, *, round_id: str, municipality: str) -> Candidate:
    r = await get_round(session, principal, round_id=round_id)
    return await _candidate_in(session, principal, r, municipality)


async def _candidate_in(
    session: AsyncSession, principal: Principal, r: Any, municipality: str, lock: bool = False
) -> Candidate:
    mid = municipality_id(municipality) or municipality
    stmt = sa.select(Candidate).where(
        Candidate.round_id == r.id, Candidate.municipality_id == mid, policy.owned(principal, Candidate)
    )
    found = await session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(f"{municipality} is not a candidate in round {r.id}.")
    return found


async def assess_candidate(
    session: AsyncSession,
    principal: Principal,
    *,
    round_id: str,
    municipality: str,
    data: AssessmentIn,
    if_match: str | None,
) -> Candidate:
    """The county governor of the region records its priority, recommendation and justification."""
    require(principal, Perm.selection_assess)
    r = await get_round(session, principal, round_id=round_id)
    c = await _candidate_in(session, principal, r, municipality, lock=True)
    check_if_match(if_match, c.version)
    require_status(r, "under_review", action="an assessment")
    if not c.eligible:
        raise RuleViolation("candidate-excluded", f"{c.name} is excluded from the round ({c.excluded_reason}).")
    before = snapshot(c, ASSESSED)
    for field, value in data.model_dump(exclude_unset=True).items():
        setattr(c, field, value)
    if c.recommend is not None and not (c.justification or "").strip():
        raise InvalidInput(
            "A recommendation needs its justification.",
            [{"pointer": "/justification", "detail": "required with a recommendation"}],
        )
    if c.priority_rank is not None:
        taken = await session.scalar(
            sa.select(Candidate.name).where(
                Candidate.round_id == c.round_id,
                Candidate.municipality_id != c.municipality_id,
                Candidate.priority_rank == c.priority_rank,
                Candidate.county_id.in_(policy.region_counties(principal)),
            )
        )
        if taken:
            raise RuleViolation(
                "priority-rank-taken", f"Priority {c.priority_rank} is already given to {taken} in your region."
            )
    changes = diff(before, snapshot(c, ASSESSED))
    if changes:
        c.assessed_by = principal.client_id
        c.assessed_at = utcnow()
        await session.flush()
        await record_change(
            session,
            principal,
            action="assess",
            resource_type="selection_candidate",
            resource_id=f"{c.round_id}/{c.municipality_id}",
            changes=changes,
            concerns=concerns(c),
            version=c.version,
        )
    return c


async def finalise_round(session: AsyncSession, principal: Principal, *, round_id: str, data: FinaliseIn) -> Any:
    """Select municipalities among the eligible candidates and offer each the programme with guidance."""
    require(principal, Perm.selection_write)
    r = await get_round(session, principal, round_id=round_id, lock=True)
    require_status(r, "under_review", action="finalising")
    candidates = {
        c.municipality_id: c
        for c in (await session.scalars(sa.select(Candidate).where(Candidate.round_id == r.id))).all()
    }
    chosen = _named(data.selected, "/selected")
    passed = _named(data.passed_over, "/passed_over")
    if set(chosen) & set(passed):
        raise InvalidInput(
            "A municipality is both selected and passed over.", [{"pointer": "/passed_over", "detail": "overlap"}]
        )
    for mid in chosen:
        c = candidates.get(mid)
        if c is None:
            raise RuleViolation("selected-not-candidate", f"{mid} is not a candidate in this round.")
        if not c.eligible:
            raise RuleViolation(
                "candidate-excluded", f"{c.name} is excluded from the round ({c.excluded_reason}, rule 1)."
            )
    unexplained = [mid for mid, reason in chosen.items() if candidates[mid].recommend is not True and not reason] + [
        c.municipality_id
        for c in candidates.values()
        if c.recommend is True and c.municipality_id not in chosen and not passed.get(c.municipality_id)
    ]
    if unexplained:
        raise RuleViolation(
            "deviation-needs-reason",
            "A selection that departs from the county governor's recommendation needs a reason: "
            + ", ".join(sorted(unexplained)),
            municipalities=sorted(unexplained),
        )
    programme = await session.get(Programme, r.programme_id)
    assert programme is not None
    offers: dict[str, str] = {}
    for mid, reason in chosen.items():
        c = candidates[mid]
        offer = await create_offer(
            session,
            principal,
            data=OfferCreate(
                programme=programme.code,
                school_owner_id=c.school_owner_id,
                start_year=data.start_year or r.year,
                deadline=data.deadline,
                terms=data.terms,
                includes_guidance=True,  # rule 8
            ),
            selection_round_id=r.id,
        )
        c.selected, c.deviation_reason, c.offer_id = True, reason, offer.id
        offers[mid] = str(offer.id)
    for c in candidates.values():
        if c.municipality_id not in chosen and c.eligible:
            c.selected, c.deviation_reason = False, passed.get(c.municipality_id)
    before = snapshot(r, ["status"])
    r.status = "finalised"
    r.finalised_at = utcnow()
    r.finalised_by = principal.client_id
    r.summary = {**(r.summary or {}), "selected": sorted(chosen), "offers": offers}
    await _audit(session, principal, r, "finalise", before, selected=sorted(chosen))
    return r


def _named(items: list[Any], pointer: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for i, item in enumerate(items):
        mid = municipality_id(item.municipality_id)
        if mid is None or mid in out:
            detail = "not a municipality id" if mid is None else "named twice"
            raise InvalidInput(
                f"Bad municipality {item.municipality_id}.", [{"pointer": f"{pointer}/{i}", "detail": detail}]
            )
        out[mid] = (item.deviation_reason or "").strip() or None
    return out
