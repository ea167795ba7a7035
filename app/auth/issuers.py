"""Trusted token issuers: the service itself, and external issuers configured from a JSON file.

The external-issuers file is a JSON list; each entry:

    {"issuer": "https://test.maskinporten.no/", "audience": "https://skoleutvikling.udir.no",
     "algorithm": "RS256", "jwks_file": "maskinporten-jwks.json" | "jwks_url": "https://.../jwk",
     "org_claim": "consumer.ID", "org_prefix": "0192:",
     "role_claim": null, "role_map": {},
     "scope_claim": "scope", "scope_map": {"udir:skoleutvikling.read": "read", "udir:skoleutvikling.write": "write"}}

The organisation always comes from `org_claim` (for Maskinporten `consumer.ID`, ISO 6523 `0192:<orgnr>`),
never from `client_id` or a request body. Without `role_claim` the role follows from the organisation's
kind in the register (a county governor's organisation acts as county_governor, and so on).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.auth.tokens import JwksSource, KeyRing
from app.core.config import Settings


@dataclass
class ExternalIssuer:
    issuer: str
    audience: str
    algorithm: str
    jwks: JwksSource
    org_claim: str = "consumer.ID"
    org_prefix: str | None = "0192:"
    role_claim: str | None = None
    role_map: dict[str, str] = field(default_factory=dict)
    scope_claim: str = "scope"
    scope_map: dict[str, str] = field(default_factory=dict)

    def claim(self, claims: dict[str, Any], path: str) -> Any:
        value: Any = claims
        for part in path.split("."):
            if not isinstance(value, dict):
                return None
            value = value.get(part)
        return value


@dataclass
class Issuers:
    own_issuer: str
    own_audience: str
    keyring: KeyRing
    leeway: int
    external: dict[str, ExternalIssuer]


def load_external(path: Path | None, cache_seconds: int) -> dict[str, ExternalIssuer]:
    if path is None:
        return {}
    entries = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, ExternalIssuer] = {}
    for e in entries:
        jwks_file = e.get("jwks_file")
        source = JwksSource(
            file=(path.parent / jwks_file) if jwks_file else None, url=e.get("jwks_url"), cache_seconds=cache_seconds
        )
        out[e["issuer"]] = ExternalIssuer(
            issuer=e["issuer"],
            audience=e["audience"],
            algorithm=e.get("algorithm", "RS256"),
            jwks=source,
            org_claim=e.get("org_claim", "consumer.ID"),
            org_prefix=e.get("org_prefix", "0192:"),
            role_claim=e.get("role_claim"),
            role_map=e.get("role_map", {}),
            scope_claim=e.get("scope_claim", "scope"),
            scope_map=e.get("scope_map", {}),
        )
    return out


def build_issuers(settings: Settings) -> Issuers:
    keyring = KeyRing.from_directory(
        settings.signing_keys_dir,
        settings.token_algorithm,
        settings.signing_kid,
        create=settings.embedded or settings.generate_signing_key,
    )
    return Issuers(
        own_issuer=settings.token_issuer,
        own_audience=settings.token_audience,
        keyring=keyring,
        leeway=settings.token_leeway_seconds,
        external=load_external(settings.external_issuers_file, settings.external_jwks_cache_seconds),
    )
