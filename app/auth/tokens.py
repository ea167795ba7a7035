"""Signing and verifying JWTs. The only module that imports python-jose: every token rule lives here.

Rules: one algorithm per issuer (never `none`, never HS*); keys looked up by `kid`; `exp`, `iat`,
`iss` and `aud` required; `nbf` honoured; `iat` in the future is refused; a small leeway; JWE and
anything that is not a three-part compact JWS is refused.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import JOSEError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

ASYMMETRIC = {"RS256", "RS384", "RS512", "ES256", "ES384", "PS256"}


class TokenError(Exception):
    """The token is not acceptable; the message says why (safe to show the caller)."""


@dataclass
class SigningKey:
    kid: str
    algorithm: str
    private: Key
    public_jwk: dict[str, Any]


def _public_jwk(private_pem: bytes, kid: str, algorithm: str) -> dict[str, Any]:
    private = serialization.load_pem_private_key(private_pem, password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    data = jwk.construct(public_pem, algorithm).to_dict()
    data = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in data.items()}
    data.update({"kid": kid, "use": "sig", "alg": algorithm})
    return data


def generate_private_pem(algorithm: str) -> bytes:
    key: Any
    if algorithm.startswith("ES"):
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


class KeyRing:
    """The service's own keys: every key in the directory is published; one of them signs.

    Rotation: add a new key file, set SIGNING_KID to it (or let it be the newest), keep the old file
    until every token it signed has expired, then remove it.
    """

    def __init__(self, keys: list[SigningKey], signing_kid: str) -> None:
        self.keys = {k.kid: k for k in keys}
        if signing_kid not in self.keys:
            raise ValueError(f"signing key {signing_kid!r} is not among the keys")
        self.signing = self.keys[signing_kid]
        self.verifiers = {k.kid: jwk.construct(k.public_jwk, k.algorithm) for k in keys}

    @classmethod
    def from_directory(cls, directory: Path, algorithm: str, signing_kid: str | None, *, create: bool) -> KeyRing:
        """The keys in `directory`; with `create`, a new one written when it has none.

        Several workers start at once and each loads the keys: the first to find the directory empty writes the
        key while holding the directory's lock, and the others, waiting on the lock, then find and load that
        key. Had each written its own, a token signed by one worker would be refused by the others.
        """
        directory.mkdir(parents=True, exist_ok=True)
        with _locked(directory):
            files = sorted(directory.glob("*.pem"), key=lambda p: (p.stat().st_mtime, p.name))
            if not files:
                if not create:
                    raise ValueError(f"no signing keys in {directory}")
                files = [write_new_key(directory, algorithm)]
        keys = []
        for path in files:
            pem = path.read_bytes()
            keys.append(
                SigningKey(path.stem, algorithm, jwk.construct(pem, algorithm), _public_jwk(pem, path.stem, algorithm))
            )
        return cls(keys, signing_kid or files[-1].stem)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk for k in self.keys.values()]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(
            claims,
            self.signing.private,
            algorithm=self.signing.algorithm,
            headers={"kid": self.signing.kid, "typ": "JWT"},
        )


def write_new_key(directory: Path, algorithm: str) -> Path:
    """A new private key in `directory`, readable by its owner only. It appears whole: written under another
    name first and renamed, so a worker reading the directory meanwhile never loads half a key."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:8]}.pem"
    partial = path.with_suffix(".partial")
    partial.write_bytes(generate_private_pem(algorithm))
    partial.chmod(0o600)
    partial.replace(path)
    return path


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """The key directory's lock, held by one process at a time; the system releases it if its holder dies.

    Nothing is held where there are no such locks (Windows), nor in a directory the service cannot write to
    (keys mounted read-only in production): no key can be written there either.
    """
    try:
        lock = None if fcntl is None else (directory / ".lock").open("a")
    except OSError:
        lock = None
    if lock is None:
        yield
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class JwksSource:
    """An external issuer's public keys: a local JWKS file, or a URL fetched with httpx and cached."""

    file: Path | None = None
    url: str | None = None
    cache_seconds: int = 3600
    _keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    _fetched_at: float = 0.0

    async def key(self, kid: str) -> dict[str, Any] | None:
        if not self._keys or (self.url and time.monotonic() - self._fetched_at > self.cache_seconds):
            await self._load()
        found = self._keys.get(kid)
        if found is None and self.url and time.monotonic() - self._fetched_at > 60:
            await self._load()  # an unknown kid may mean the issuer rotated: refetch, at most once a minute
            found = self._keys.get(kid)
        return found

    async def _load(self) -> None:
        if self.file is not None:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        elif self.url:
            async with httpx.AsyncClient(timeout=10) as client:
                resp = await client.get(self.url)
                resp.raise_for_status()
                data = resp.json()
        else:
            data = {"keys": []}
        self._keys = {k["kid"]: k for k in data.get("keys", []) if "kid" in k}
        self._fetched_at = time.monotonic()


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, unverified: only to choose the issuer and key."""
    if token.count(".") != 2:
        raise TokenError("not a signed JWT (JWE and other forms are not accepted)")
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.get_unverified_claims(token)
    except JOSEError as exc:
        raise TokenError("malformed token") from exc
    if not isinstance(claims, dict):
        raise TokenError("malformed token")
    return header, claims


def verify(
    token: str, key: Key | dict[str, Any], *, algorithm: str, issuer: str, audience: str, leeway: int
) -> dict[str, Any]:
    """Verify signature and registered claims; return the claims or raise TokenError."""
    if algorithm not in ASYMMETRIC:
        raise TokenError("issuer misconfigured: only asymmetric algorithms are accepted")
    header, _ = unverified_parts(token)
    if header.get("alg") != algorithm:
        raise TokenError(f"algorithm {header.get('alg')!r} is not accepted from this issuer")
    verifier = key if isinstance(key, Key) else jwk.construct(key, algorithm)
    options = {
        "require_exp": True,
        "require_iat": True,
        "require_iss": True,
        "require_aud": True,
        "verify_at_hash": False,
        "leeway": leeway,
    }
    try:
        claims = jwt.decode(token, verifier, algorithms=[algorithm], audience=audience, issuer=issuer, options=options)
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("token expired") from exc
    except jwt.JWTClaimsError as exc:
        raise TokenError(f"token claims rejected: {exc}") from exc
    except JOSEError as exc:
        raise TokenError("token signature or format is invalid") from exc
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or iat > time.time() + leeway:
        raise TokenError("token is not yet valid (iat in the future)")
    return claims


def kid_of(token: str) -> str | None:
    header, _ = unverified_parts(token)
    kid = header.get("kid")
    return kid if isinstance(kid, str) else None
