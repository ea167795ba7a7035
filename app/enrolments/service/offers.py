"""Offers: the directorate (or, where the programme says so, a county governor) invites a school owner.

Rule 9 (seed 000): the offer is voluntary and has a deadline; the school owner itself answers before it;
acceptance is confirmed, then a signed agreement is registered. Accepting creates the enrolment in the
same transaction. An unanswered offer expires at its deadline.
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
from app.core.errors import InvalidInput, RuleViolation
from app.core.etag import check_if_match
from app.db.types import utcnow
from app.enrolments.models import Offer
from app.enrolments.schemas import AgreementIn, OfferAnswer, OfferCreate, OfferUpdate
from app.enrolments.service.common import (
    active_enrolment,
    check_eligible,
    concerns,
    get_owned,
    owner_fields,
    school_owner_for_write,
)
from app.enrolments.service.enrolling import enrol
from app.programmes.models import Programme
from app.programmes.service import find_programme, programme_filter, programme_for_write
from app.reference.models import Organisation
from app.reference.service import ListQuery

AUDITED = [
    "programme_id",
    "school_owner_id",
    "start_year",
    "deadline",
    "terms",
    "includes_guidance",
    "status",
    "responded_by",
    "response_note",
    "agreement_reference",
    "agreement_signed_on",
    "enrolment_id",
    "selection_round_id",
]


async def list_offers(
    session: AsyncSession,
    principal: Principal,
    *,
    programme: str | None,
    status: str | None,
    school_owner: str | None,
    county: str | None,
    start_year: int | None,
    updated_since: datetime | None,
) -> ListQuery:
    stmt = sa.select(Offer).where(policy.owned(principal, Offer))
    programme_id = await programme_filter(session, programme)
    if programme_id is not None:
        stmt = stmt.where(Offer.programme_id == programme_id)
    if status == "expired":
        stmt = stmt.where(Offer.status == "open", Offer.deadline <= utcnow())
    elif status == "open":
        stmt = stmt.where(Offer.status == "open", Offer.deadline > utcnow())
    elif status:
        stmt = stmt.where(Offer.status == status)
    if school_owner:
        stmt = stmt.where(Offer.school_owner_id == school_owner)
    if county:
        stmt = stmt.where(Offer.county_id == county)
    if start_year:
        stmt = stmt.where(Offer.start_year == start_year)
    if updated_since:
        stmt = stmt.where(Offer.updated_at >= updated_since)
    return ListQuery(stmt, (Offer.updated_at, Offer.id))


async def get_offer(session: AsyncSession, principal: Principal, *, offer_id: str) -> Offer:
    return await get_owned(session, principal, Offer, offer_id, "offer")


def _may_offer(principal: Principal, programme: Programme) -> None:
    require(principal, Perm.offers_write)
    policy.require_role_in(
        principal, programme.offer_roles, f"{programme.name} is offered by {', '.join(programme.offer_roles)} only."
    )


async def _audit(
    session: AsyncSession, principal: Principal, offer: Offer, action: str, before: dict[str, Any]
) -> None:
    await record_change(
        session,
        principal,
        action=action,
        resource_type="offer",
        resource_id=str(offer.id),
        changes=diff(before, snapshot(offer, AUDITED)),
        concerns=concerns(offer),
        version=offer.version,
    )


async def create_offer(
    session: AsyncSession, principal: Principal, *, data: OfferCreate, selection_round_id: Any = None
) -> Offer:
    """Offer a programme to a school owner the caller sees (a county governor: in its region)."""
    require(principal, Perm.offers_write)
    programme = await programme_for_write(session, data.programme)
    _may_offer(principal, programme)
    owner = await school_owner_for_write(session, principal, data.school_owner_id)
    check_eligible(programme, owner, data.start_year)
    if await active_enrolment(session, owner.id, programme.id) is not None:
        raise RuleViolation("one-active-enrolment", f"{owner.name} is already enrolled in {programme.name}.")
    open_offer = await session.scalar(
        sa.select(Offer.id).where(
            Offer.school_owner_id == owner.id,
            Offer.programme_id == programme.id,
            Offer.status == "open",
            Offer.deadline > utcnow(),
        )
    )
    if open_offer is not None:
        raise RuleViolation(
            "one-open-offer", f"{owner.name} already has an open offer of {programme.name} ({open_offer})."
        )
    offer = Offer(
        programme_id=programme.id,
        start_year=data.start_year,
        deadline=data.deadline,
        terms=data.terms,
        includes_guidance=programme.offers_include_guidance
        if data.includes_guidance is None
        else data.includes_guidance,
        status="open",
        offered_by_org_id=principal.org_id,
        offered_by_role=principal.role.value,
        selection_round_id=selection_round_id,
        **owner_fields(owner),
    )
    session.add(offer)
    await session.flush()
    await _audit(session, principal, offer, "create", {})
    return offer


def _open_before_deadline(offer: Offer) -> None:
    if offer.status != "open":
        raise RuleViolation("offer-open", f"The offer is {offer.status}; only an open offer can be answered.")
    if offer.deadline <= utcnow():
        raise RuleViolation(
            "offer-deadline",
            f"The deadline {offer.deadline.isoformat()} has passed; the offer has expired.",
            deadline=offer.deadline.isoformat(),
        )


def _answered_by_owner(principal: Principal, offer: Offer) -> None:
    require(principal, Perm.offers_respond)
    policy.require_self(principal, offer.school_owner_id, "Only the school owner itself answers its offer.")


async def accept_offer(session: AsyncSession, principal: Principal, *, offer_id: str, data: OfferAnswer) -> Offer:
    """The school owner accepts before the deadline; its enrolment is created in the same transaction."""
    offer = await get_offer(session, principal, offer_id=offer_id)
    _answered_by_owner(principal, offer)
    _open_before_deadline(offer)
    programme = await find_programme(session, str(offer.programme_id))
    owner = await session.get(Organisation, offer.school_owner_id)
    assert programme is not None and owner is not None
    before = snapshot(offer, AUDITED)
    enrolment = await enrol(
        session,
        principal,
        programme=programme,
        owner=owner,
        start_year=offer.start_year,
        enrolled_by=offer.offered_by_org_id,
        offer=offer,
        guidance=offer.includes_guidance,
    )
    offer.status, offer.enrolment_id = "accepted", enrolment.id
    offer.responded_at, offer.responded_by, offer.response_note = utcnow(), principal.client_id, data.note
    await session.flush()
    await _audit(session, principal, offer, "accept", before)
    return offer


async def decline_offer(session: AsyncSession, principal: Principal, *, offer_id: str, data: OfferAnswer) -> Offer:
    """The school owner declines (the offer is voluntary)."""
    offer = await get_offer(session, principal, offer_id=offer_id)
    _answered_by_owner(principal, offer)
    _open_before_deadline(offer)
    before = snapshot(offer, AUDITED)
    offer.status = "declined"
    offer.responded_at, offer.responded_by, offer.response_note = utcnow(), principal.client_id, data.note
    await session.flush()
    await _audit(session, principal, offer, "decline", before)
    return offer


async def _offerer(session: AsyncSession, principal: Principal, offer: Offer) -> None:
    require(principal, Perm.offers_write)
    programme = await find_programme(session, str(offer.programme_id))
    assert programme is not None
    _may_offer(principal, programme)


async def withdraw_offer(session: AsyncSession, principal: Principal, *, offer_id: str, data: OfferAnswer) -> Offer:
    """The offerer withdraws an offer that has not been answered."""
    offer = await get_offer(session, principal, offer_id=offer_id)
    await _offerer(session, principal, offer)
    if offer.status != "open":
        raise RuleViolation("offer-open", f"The offer is {offer.status}; only an open offer can be withdrawn.")
    before = snapshot(offer, AUDITED)
    offer.status, offer.response_note = "withdrawn", data.note
    await session.flush()
    await _audit(session, principal, offer, "withdraw", before)
    return offer


async def update_offer(
    session: AsyncSession, principal: Principal, *, offer_id: str, data: OfferUpdate, if_match: str | None
) -> Offer:
    """The offerer changes the deadline or terms of an open offer (If-Match)."""
    offer = await get_offer(session, principal, offer_id=offer_id)
    await _offerer(session, principal, offer)
    check_if_match(if_match, offer.version)
    if offer.status != "open":
        raise RuleViolation("offer-open", f"The offer is {offer.status}; only an open offer can be changed.")
    changes = data.model_dump(exclude_unset=True)
    if "deadline" in changes:
        if changes["deadline"] is None or changes["deadline"] <= utcnow():
            raise InvalidInput("Invalid deadline.", [{"pointer": "/deadline", "detail": "must be in the future"}])
    before = snapshot(offer, AUDITED)
    for field, value in changes.items():
        setattr(offer, field, value)
    if diff(before, snapshot(offer, AUDITED)):
        await session.flush()
        await _audit(session, principal, offer, "update", before)
    return offer


async def register_agreement(session: AsyncSession, principal: Principal, *, offer_id: str, data: AgreementIn) -> Offer:
    """Register the signed agreement of an accepted offer (the school owner itself or the offerer)."""
    offer = await get_offer(session, principal, offer_id=offer_id)
    if policy.is_school_owner(principal):
        _answered_by_owner(principal, offer)
    else:
        await _offerer(session, principal, offer)
    if offer.status != "accepted":
        raise RuleViolation("agreement-after-acceptance", "An agreement is registered only for an accepted offer.")
    before = snapshot(offer, AUDITED)
    offer.agreement_reference, offer.agreement_signed_on = data.document_reference, data.signed_on
    await session.flush()
    await _audit(session, principal, offer, "register-agreement", before)
    return offer
