"""Concrete objects for each relation of the authorisation matrix, seen from each caller."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tests.conftest import BERGEN, CALLERS, CG_TROMS_FINNMARK, CG_VESTLAND, DIRECTORATE, HARSTAD, TROMSO

Maker = Callable[..., Any]


async def _client_of(make_client: Maker, org: str) -> str:
    role = {DIRECTORATE: "directorate", CG_TROMS_FINNMARK: "county_governor"}.get(org, "school_owner")
    if org == CALLERS["university"]:
        role = "university"
    c, _ = await make_client(role, org)
    return str(c.id)


async def subject(param: str, relation: str, caller: str, make_client: Maker) -> str:
    own_org = CALLERS.get(caller, DIRECTORATE)
    match param, relation:
        case "county_id", "own":
            return "NO-55"
        case "county_id", "other_region":
            return "NO-46"
        case "county_governor_id", "own":
            return CG_TROMS_FINNMARK
        case "county_governor_id", "other_region":
            return CG_VESTLAND
        case "municipality_id", "own":
            return TROMSO
        case "organisation_id", "own":
            return own_org
        case (("municipality_id" | "organisation_id"), "other_org"):
            return HARSTAD
        case (("municipality_id" | "organisation_id"), "other_region"):
            return BERGEN
        case "client_id", "own":
            return await _client_of(make_client, own_org)
        case "client_id", "other_region":
            return await _client_of(make_client, BERGEN)
    raise KeyError(f"no subject for {param} / {relation}")


async def fill(path: str, relation: str, caller: str, make_client: Maker) -> str:
    for param in re.findall(r"{(\w+)}", path):
        path = path.replace("{" + param + "}", await subject(param, relation, caller, make_client))
    return path


# Request bodies and headers that make each write otherwise valid, so the status is authorisation's.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/v1/clients"): {
        "json": {"name": "matrix", "role": "school_owner", "organisation_id": TROMSO, "scopes": ["read"]}
    },
    ("PATCH", "/api/v1/clients/{client_id}"): {"json": {"name": "renamed"}, "headers": {"If-Match": '"1"'}},
    ("POST", "/api/v1/organisations"): {
        "json": {"kind": "private_school_owner", "name": "Matrix skole", "municipality_id": TROMSO}
    },
    ("PATCH", "/api/v1/organisations/{organisation_id}"): {"json": {"name": "x"}, "headers": {"If-Match": '"1"'}},
    ("POST", "/api/v1/auth/token"): {
        "data": {"grant_type": "client_credentials", "client_id": "c-nobody", "client_secret": "wrong"}
    },
}
