"""Collaboration forums (rule 19), their members, and their decisions (rules 13, 14, 16)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, diff, jsonable, record_change
from app.auth import policy
from app.auth.permissions import Perm, require
from app.auth.principal import Principal, Role
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.db.guard import insert_guarded
from app.enrolments.service.common import parse_uuid
from app.partnerships.models import Forum, ForumDecision, ForumMember
from app.partnerships.schemas import DecisionCreate, ForumCreate, ForumMemberCreate
from app.partnerships.service import counties_of, region_of
from app.programmes.service import programme_filter, programme_for_write
from app.reference.models import SCHOOL_OWNER_KINDS
from app.reference.service import ListQuery, find_organisation


async def list_forums(
    session: AsyncSession,
    principal: Principal,
    *,
    county_governor: str | None,
    programme: str | None,
    year: int | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Forum).where(policy.forums(principal))
    programme_id = await programme_filter(session, programme)
    if programme_id is not None:
        stmt = stmt.where(Forum.programme_id == programme_id)
    if county_governor:
        stmt = stmt.where(Forum.county_governor_id == county_governor)
    if year:
        stmt = stmt.where(Forum.year == year)
    if updated_since:
        stmt = stmt.where(Forum.updated_at >= updated_since)
    return ListQuery(stmt, (Forum.updated_at, Forum.id))


async def get_forum(session: AsyncSession, principal: Principal, *, forum_id: str) -> Forum:
    found = await session.scalar(
        sa.select(Forum).where(Forum.id == parse_uuid(forum_id, "forum"), policy.forums(principal))
    )
    if found is None:
        raise NotFound(f"No forum {forum_id}.")
    return found


def _concerns(forum: Forum) -> Concerns:
    return Concerns(subject_org_id=forum.county_governor_id)


async def create_forum(session: AsyncSession, principal: Principal, *, data: ForumCreate) -> Forum:
    """One forum per county governor region and programme year."""
    require(principal, Perm.forums_write)
    region = await region_of(session, principal, data.county_governor_id)
    programme = await programme_for_write(session, data.programme)
    forum = Forum(county_governor_id=region.id, programme_id=programme.id, year=data.year, name=data.name)
    await insert_guarded(
        session,
        forum,
        RuleViolation(
            "one-forum-per-region-and-year", f"{region.name} already has a forum for {programme.name} {data.year}."
        ),
    )
    await record_change(
        session,
        principal,
        action="create",
        resource_type="forum",
        resource_id=str(forum.id),
        changes=diff(
            {},
            jsonable(
                {"county_governor_id": region.id, "programme_id": programme.id, "year": data.year, "name": data.name}
            ),
        ),
        concerns=_concerns(forum),
        version=forum.version,
    )
    return forum


def _run_by(principal: Principal, forum: Forum) -> None:
    policy.require_own_region(principal, forum.county_governor_id, "Only the forum's county governor changes it.")


async def list_members(
    session: AsyncSession, principal: Principal, *, forum_id: str, updated_since: datetime | None
) -> ListQuery:
    forum = await get_forum(session, principal, forum_id=forum_id)
    stmt = sa.select(ForumMember).where(ForumMember.forum_id == forum.id)
    if updated_since:
        stmt = stmt.where(ForumMember.updated_at >= updated_since)
    return ListQuery(stmt, (ForumMember.created_at, ForumMember.id))


async def add_member(
    session: AsyncSession, principal: Principal, *, forum_id: str, data: ForumMemberCreate
) -> ForumMember:
    """School owners, the local university, the teacher profession and other relevant actors (rule 19)."""
    forum = await get_forum(session, principal, forum_id=forum_id)
    require(principal, Perm.forums_write)
    _run_by(principal, forum)
    org_id = None
    if data.organisation_id:
        org = await find_organisation(session, data.organisation_id)
        if org is None:
            raise InvalidInput(
                "Unknown organisation.", [{"pointer": "/organisation_id", "detail": "unknown organisation"}]
            )
        expected = {"school_owner": SCHOOL_OWNER_KINDS, "university": ("university",)}.get(data.kind)
        if expected and org.kind not in expected:
            raise InvalidInput(
                "Wrong kind.", [{"pointer": "/organisation_id", "detail": f"a {org.kind} is not a {data.kind}"}]
            )
        org_id = org.id
    member = ForumMember(
        forum_id=forum.id,
        kind=data.kind,
        organisation_id=org_id,
        organisation_name=data.organisation_name,
        representative_name=data.representative_name,
    )
    session.add(member)
    await session.flush()
    await record_change(
        session,
        principal,
        action="create",
        resource_type="forum-member",
        resource_id=str(member.id),
        changes=diff({}, jsonable(data.model_dump())),
        concerns=_concerns(forum),
        version=member.version,
    )
    return member


async def list_decisions(
    session: AsyncSession, principal: Principal, *, forum_id: str, updated_since: datetime | None
) -> ListQuery:
    forum = await get_forum(session, principal, forum_id=forum_id)
    stmt = sa.select(ForumDecision).where(ForumDecision.forum_id == forum.id)
    if updated_since:
        stmt = stmt.where(ForumDecision.updated_at >= updated_since)
    return ListQuery(stmt, (ForumDecision.meeting_date, ForumDecision.id))


async def get_decision(
    session: AsyncSession, principal: Principal, *, forum_id: str, decision_id: str
) -> ForumDecision:
    forum = await get_forum(session, principal, forum_id=forum_id)
    found = await session.scalar(
        sa.select(ForumDecision).where(
            ForumDecision.id == parse_uuid(decision_id, "decision"), ForumDecision.forum_id == forum.id
        )
    )
    if found is None:
        raise NotFound(f"No decision {decision_id} in forum {forum_id}.")
    return found


async def _check_distribution(session: AsyncSession, forum: Forum, data: DecisionCreate) -> None:
    counties = await counties_of(session, forum.county_governor_id)
    errors = []
    for i, share in enumerate(data.distribution):
        org = await find_organisation(session, share.recipient_id)
        if org is None:
            errors.append({"pointer": f"/distribution/{i}/recipient_id", "detail": "unknown organisation"})
            continue
        share.recipient_id = org.id
        if org.commercial or org.kind == "third_party" or org.kind not in (*SCHOOL_OWNER_KINDS, "university"):
            # 003: funds go only to school owners and Norwegian universities, never to commercial actors.
            raise RuleViolation(
                "recipients-school-owners-and-universities",
                f"{org.name} cannot receive funds: only school owners and universities can (rule 16).",
            )
        if org.kind in SCHOOL_OWNER_KINDS and org.county_id not in counties:
            raise RuleViolation("recipient-in-region", f"{org.name} is outside the forum's region.")
    for i, priority in enumerate(data.priorities):
        for j, ref in enumerate([*priority.school_owner_ids, *priority.university_ids]):
            if await find_organisation(session, ref) is None:
                errors.append({"pointer": f"/priorities/{i}", "detail": f"unknown organisation {ref} (#{j})"})
    if errors:
        raise InvalidInput("Invalid decision.", errors)


async def record_decision(
    session: AsyncSession, principal: Principal, *, forum_id: str, data: DecisionCreate
) -> ForumDecision:
    """Only the county governor records decisions: by consensus, or its own when the forum did not agree (rule 14)."""
    forum = await get_forum(session, principal, forum_id=forum_id)
    require(principal, Perm.forums_write)
    policy.require_role(principal, Role.county_governor, "Only the county governor records the forum's decisions.")
    _run_by(principal, forum)
    await _check_distribution(session, forum, data)
    body = data.model_dump(mode="json")
    decision = ForumDecision(
        forum_id=forum.id,
        meeting_date=data.meeting_date,
        reached_by=data.reached_by,
        justification=data.justification,
        priorities=body["priorities"],
        distribution=body["distribution"],
        total=sum((s.amount for s in data.distribution), Decimal("0")),
    )
    session.add(decision)
    await session.flush()
    await record_change(
        session,
        principal,
        action="create",
        resource_type="forum-decision",
        resource_id=str(decision.id),
        changes=diff({}, body | {"total": str(decision.total)}),
        concerns=_concerns(forum),
        version=decision.version,
    )
    return decision
