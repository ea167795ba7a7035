"""Client secrets: random, shown once, stored as Argon2id hashes."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verified against when the client is unknown, so that a wrong client_id costs the same time.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored: str | None, given: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, given) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
