"""Object-level authorisation: the one place that turns a principal into what it may see.

Every read goes through a filter from here, in SQL, so a list can never hold what its caller may not
see; a single object outside the filter answers 404. What a role may *do* is permissions.py.

Sight, by role (DOMAIN.md):
- directorate: everything;
- county governor: its region (the counties it covers), their municipalities and school owners, and
  itself; events and audit records concerning its region or itself;
- school owner: itself;
- university: itself, its partnerships, and (read only) the school owners in them and what is theirs;
- school owners and universities also see the forums they are members of.
Counties and county governors are public geography: every authenticated caller sees all of them.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from app.audit.models import AuditEvent, OutboxEvent
from app.auth.principal import Principal, Role
from app.core.errors import Forbidden
from app.funding.models import Allocation
from app.partnerships.models import Forum, ForumMember, Partnership, PartnershipMember
from app.reference.models import Municipality, Organisation, RegionCounty
from app.reports.models import Report
from app.selection.models import SelectionRound
from app.webhooks.models import WebhookSubscription


def region_counties(principal: Principal) -> sa.Select[Any]:
    """The county ids a county governor covers."""
    return sa.select(RegionCounty.county_id).where(RegionCounty.organisation_id == principal.org_id)


def _my_partnerships(principal: Principal) -> sa.Select[Any]:
    return sa.select(PartnershipMember.partnership_id).where(PartnershipMember.organisation_id == principal.org_id)


def partner_orgs(principal: Principal) -> sa.Select[Any]:
    """Organisations in a partnership with the caller (school owners and universities)."""
    return sa.select(PartnershipMember.organisation_id).where(
        PartnershipMember.partnership_id.in_(_my_partnerships(principal))
    )


def _region_partners(principal: Principal) -> sa.Select[Any]:
    """Organisations in the partnerships of a county governor's region (the universities there, say)."""
    return (
        sa.select(PartnershipMember.organisation_id)
        .join(Partnership, Partnership.id == PartnershipMember.partnership_id)
        .where(Partnership.county_governor_id == principal.org_id)
    )


def partnerships(principal: Principal) -> ColumnElement[bool]:
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return Partnership.county_governor_id == principal.org_id
        case Role.school_owner | Role.university:
            return Partnership.id.in_(_my_partnerships(principal))


def forums(principal: Principal) -> ColumnElement[bool]:
    """A forum is seen by its county governor and by its members."""
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return Forum.county_governor_id == principal.org_id
        case Role.school_owner | Role.university:
            return Forum.id.in_(sa.select(ForumMember.forum_id).where(ForumMember.organisation_id == principal.org_id))


def allocations(principal: Principal) -> ColumnElement[bool]:
    """Money in a county governor's region is seen by that county governor; a recipient sees what it received."""
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return Allocation.region_id == principal.org_id
        case Role.school_owner | Role.university:
            return Allocation.recipient_id == principal.org_id


def reports(principal: Principal) -> ColumnElement[bool]:
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return sa.or_(Report.region_id == principal.org_id, Report.recipient_id == principal.org_id)
        case Role.school_owner | Role.university:
            return Report.recipient_id == principal.org_id


def webhook_subscriptions(principal: Principal) -> ColumnElement[bool]:
    """An organisation's subscriptions are its own; the directorate sees all (operations)."""
    if principal.role is Role.directorate:
        return sa.true()
    return WebhookSubscription.owner_org_id == principal.org_id


def selection_rounds(principal: Principal) -> ColumnElement[bool]:
    """A round is the directorate's working material until it goes to county review."""
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return SelectionRound.status.in_(("under_review", "finalised"))
        case Role.school_owner | Role.university:
            return sa.false()


def _own_location(principal: Principal) -> sa.Select[Any]:
    return sa.select(Organisation.municipality_id).where(Organisation.id == principal.org_id)


def municipalities(principal: Principal) -> ColumnElement[bool]:
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return Municipality.county_id.in_(region_counties(principal))
        case Role.school_owner:
            return Municipality.id.in_(_own_location(principal))
        case Role.university:
            return Municipality.id.in_(
                sa.select(Organisation.municipality_id).where(Organisation.id.in_(partner_orgs(principal)))
            )


def organisations(principal: Principal) -> ColumnElement[bool]:
    own = Organisation.id == principal.org_id
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return sa.or_(
                own,
                Organisation.county_id.in_(region_counties(principal)),
                Organisation.id.in_(_region_partners(principal)),
            )
        case Role.school_owner | Role.university:
            return sa.or_(own, Organisation.id.in_(partner_orgs(principal)))


def owned(principal: Principal, model: Any) -> ColumnElement[bool]:
    """What belongs to a school owner (offers, enrolments, plans ...): the model has school_owner_id and county_id."""
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return model.county_id.in_(region_counties(principal))
        case Role.school_owner:
            return model.school_owner_id == principal.org_id
        case Role.university:
            return model.school_owner_id.in_(partner_orgs(principal))


def in_region(principal: Principal, county_id: str | None) -> ColumnElement[bool]:
    """True when a county governor covers `county_id` (for checks on objects not yet stored)."""
    return sa.literal(county_id).in_(region_counties(principal))


def _concerning(principal: Principal, model: Any) -> ColumnElement[bool]:
    own = model.subject_org_id == principal.org_id
    match principal.role:
        case Role.directorate:
            return sa.true()
        case Role.county_governor:
            return sa.or_(own, model.county_id.in_(region_counties(principal)))
        case Role.school_owner | Role.university:
            return sa.or_(own, model.subject_org_id.in_(partner_orgs(principal)))


def audit_events(principal: Principal) -> ColumnElement[bool]:
    """Audit records concerning what the caller sees, and the ones it caused itself."""
    if principal.role is Role.directorate:
        return sa.true()
    return sa.or_(_concerning(principal, AuditEvent), AuditEvent.actor_org_id == principal.org_id)


def events(principal: Principal) -> ColumnElement[bool]:
    return _concerning(principal, OutboxEvent)


# Object-level checks on writes. The caller already sees the object (fetched through a filter above);
# these decide whether its role may act on it as itself.


def require_self(principal: Principal, org_id: str, message: str) -> None:
    """A school owner (or university) acts only for its own organisation; other roles pass."""
    if principal.role in (Role.school_owner, Role.university) and principal.org_id != org_id:
        raise Forbidden(message)


def require_own_region(principal: Principal, governor_id: str, message: str) -> None:
    """A county governor acts only in its own region; the directorate passes."""
    if principal.role is Role.county_governor and principal.org_id != governor_id:
        raise Forbidden(message)


def require_acting_org(principal: Principal, org_id: str, message: str) -> None:
    """Whoever the role, the caller must be this organisation (the grantor of an allocation, say)."""
    if principal.org_id != org_id:
        raise Forbidden(message)


def require_reviewer(principal: Principal, reviewer_id: str, message: str) -> None:
    """The named reviewer acts (a report's grantor, say); the directorate may review anything."""
    if principal.role is not Role.directorate and principal.org_id != reviewer_id:
        raise Forbidden(message)


def require_role(principal: Principal, role: Role, message: str) -> None:
    if principal.role is not role:
        raise Forbidden(message)


def acting_for(principal: Principal, ref: str | None, role: Role, message: str) -> str | None:
    """The organisation a request acts for: a caller of `role` acts for itself only (default: itself)."""
    if principal.role is role:
        if ref and ref != principal.org_id:
            raise Forbidden(message)
        return principal.org_id
    return ref


def is_school_owner(principal: Principal) -> bool:
    return principal.role is Role.school_owner


def require_role_in(principal: Principal, roles: list[str], message: str) -> None:
    """For rules kept as data (a programme's `offer_roles`)."""
    if principal.role.value not in roles:
        raise Forbidden(message)
