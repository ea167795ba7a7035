"""Roles -> permissions. The only table that says what each role may do (what it may see is policy.py)."""

from __future__ import annotations

from enum import StrEnum

from app.auth.principal import Principal, Role
from app.core.errors import Forbidden


class Perm(StrEnum):
    reference_write = "reference:write"
    clients_manage = "clients:manage"
    clients_manage_read = "clients:read"
    audit_read = "audit:read"
    events_read = "events:read"
    programmes_write = "programmes:write"
    offers_write = "offers:write"
    offers_respond = "offers:respond"
    enrolments_write = "enrolments:write"
    enrolments_progress = "enrolments:progress"
    participants_write = "participants:write"
    guidance_write = "guidance:write"
    gatherings_write = "gatherings:write"
    gatherings_register = "gatherings:register"
    workshops_write = "workshops:write"
    workshops_signup = "workshops:signup"
    partnerships_write = "partnerships:write"
    subcontracts_write = "subcontracts:write"
    forums_write = "forums:write"
    plans_write = "plans:write"
    plans_review = "plans:review"
    selection_read = "selection:read"
    selection_write = "selection:write"
    selection_assess = "selection:assess"
    allocations_write = "allocations:write"
    co_financing_write = "co-financing:write"
    reports_write = "reports:write"
    reports_review = "reports:review"
    webhooks_write = "webhooks:write"


# Every role may follow the feed by webhook, for what it may see.
_READ = {Perm.audit_read, Perm.events_read, Perm.webhooks_write}

PERMISSIONS: dict[Role, frozenset[Perm]] = {
    # The directorate answers no offer and signs up for nothing: that is the school owner's own act.
    # Plans are written by the school owner and reviewed by its county governor; the directorate reads them.
    # County governors assess the candidates of their region; the directorate computes and finalises.
    # Co-financing and reports are the recipient's own acts.
    Role.directorate: frozenset(Perm)
    - {
        Perm.offers_respond,
        Perm.workshops_signup,
        Perm.plans_write,
        Perm.plans_review,
        Perm.selection_assess,
        Perm.co_financing_write,
        Perm.reports_write,
    },
    Role.county_governor: frozenset(
        _READ
        | {
            Perm.offers_write,
            Perm.enrolments_write,
            Perm.enrolments_progress,
            Perm.participants_write,
            Perm.guidance_write,
            Perm.gatherings_register,
            Perm.partnerships_write,
            Perm.forums_write,
            Perm.plans_review,
            Perm.selection_read,
            Perm.selection_assess,
            Perm.allocations_write,
            Perm.reports_write,
            Perm.reports_review,
        }
    ),
    Role.school_owner: frozenset(
        _READ
        | {
            Perm.offers_respond,
            Perm.enrolments_progress,
            Perm.participants_write,
            Perm.gatherings_register,
            Perm.workshops_signup,
            Perm.plans_write,
            Perm.co_financing_write,
            Perm.reports_write,
        }
    ),
    Role.university: frozenset(_READ | {Perm.subcontracts_write, Perm.reports_write}),
}

READ_PERMISSIONS = frozenset({Perm.audit_read, Perm.events_read, Perm.clients_manage_read, Perm.selection_read})
WRITE_PERMISSIONS = frozenset(Perm) - READ_PERMISSIONS


def require(principal: Principal, perm: Perm) -> None:
    """403 unless the role has the permission (and, for a change, the token has the `write` scope)."""
    if perm not in PERMISSIONS[principal.role]:
        raise Forbidden(f"The role {principal.role.value} may not {perm.value.replace(':', ' ')}.")
    if perm in WRITE_PERMISSIONS and not principal.can_write:
        raise Forbidden("This token has no `write` scope.")
