"""The caller: a role plus the organisation it acts for, and the scopes of its token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    directorate = "directorate"
    county_governor = "county_governor"
    school_owner = "school_owner"
    university = "university"


# Which organisation kinds may act in which role.
ROLE_ORG_KINDS: dict[Role, tuple[str, ...]] = {
    Role.directorate: ("directorate",),
    Role.county_governor: ("county_governor", "regional_body"),
    Role.school_owner: ("municipality", "county_municipality", "private_school_owner"),
    Role.university: ("university",),
}


def role_for_org_kind(kind: str) -> Role | None:
    for role, kinds in ROLE_ORG_KINDS.items():
        if kind in kinds:
            return role
    return None


@dataclass(frozen=True)
class Principal:
    role: Role
    org_id: str
    scopes: frozenset[str]
    client_id: str | None
    issuer: str
    token_id: str | None = None

    @property
    def can_write(self) -> bool:
        return "write" in self.scopes
