"""Building hostile and broken tokens for the attack tests (without importing jose here)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from cryptography.hazmat.primitives import serialization


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def segment(obj: dict[str, Any]) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def claims_for(app: Any, client_id: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    issuers = app.state.issuers
    claims = {
        "iss": issuers.own_issuer,
        "aud": issuers.own_audience,
        "sub": client_id,
        "client_id": client_id,
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "jti": "t",
        "scope": "read write",
        "gen": 1,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def alg_none(claims: dict[str, Any], kid: str) -> str:
    return f"{segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{segment(claims)}."


def hs256_with_public_key(claims: dict[str, Any], kid: str, public_jwk: dict[str, Any]) -> str:
    """The classic confusion attack: HMAC keyed with the server's public key."""
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicNumbers

    n = int.from_bytes(base64.urlsafe_b64decode(public_jwk["n"] + "=="), "big")
    e = int.from_bytes(base64.urlsafe_b64decode(public_jwk["e"] + "=="), "big")
    pem = (
        RSAPublicNumbers(e, n)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{segment(claims)}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def jwe_shaped() -> str:
    header = segment({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "x"})
    return f"{header}.{b64(b'k' * 32)}.{b64(b'iv' * 6)}.{b64(b'ciphertext')}.{b64(b't' * 16)}"
