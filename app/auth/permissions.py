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


PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.directorate: frozenset(Perm),
    Role.county_governor: frozenset({Perm.audit_read, Perm.events_read}),
    Role.school_owner: frozenset({Perm.audit_read, Perm.events_read}),
    Role.university: frozenset({Perm.audit_read, Perm.events_read}),
}

WRITE_PERMISSIONS = frozenset({Perm.reference_write, Perm.clients_manage})


def require(principal: Principal, perm: Perm) -> None:
    """403 unless the role has the permission (and, for a change, the token has the `write` scope)."""
    if perm not in PERMISSIONS[principal.role]:
        raise Forbidden(f"The role {principal.role.value} may not {perm.value.replace(':', ' ')}.")
    if perm in WRITE_PERMISSIONS and not principal.can_write:
        raise Forbidden("This token has no `write` scope.")
