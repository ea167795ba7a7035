"""Registering, listing, disabling and rotating API clients (the directorate's job)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Concerns, diff, record_change, snapshot
from app.auth.cache import auth_changed
from app.auth.permissions import Perm, require
from app.auth.principal import ROLE_ORG_KINDS, Principal
from app.clients.models import ApiClient
from app.clients.schemas import ClientCreate, ClientUpdate
from app.clients.secrets import hash_secret, new_secret
from app.core.errors import InvalidInput, NotFound, RuleViolation
from app.core.etag import check_if_match
from app.reference.service import ListQuery, find_organisation

AUDITED = ["name", "role", "organisation_id", "scopes", "enabled"]


def list_clients(
    principal: Principal,
    *,
    organisation: str | None,
    role: str | None,
    enabled: bool | None,
    updated_since: datetime | None,
) -> ListQuery:
    require(principal, Perm.clients_manage_read)
    stmt = sa.select(ApiClient)
    if organisation:
        stmt = stmt.where(ApiClient.organisation_id == organisation)
    if role:
        stmt = stmt.where(ApiClient.role == role)
    if enabled is not None:
        stmt = stmt.where(ApiClient.enabled == enabled)
    if updated_since:
        stmt = stmt.where(ApiClient.updated_at >= updated_since)
    return ListQuery(stmt, (ApiClient.id,))


async def get_client(session: AsyncSession, principal: Principal, *, client_id: str) -> ApiClient:
    require(principal, Perm.clients_manage_read)
    client = await session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"No client {client_id}.")
    return client


async def _concerns(session: AsyncSession, org_id: str) -> Concerns:
    org = await find_organisation(session, org_id)
    return Concerns(
        subject_org_id=org_id,
        municipality_id=org.municipality_id if org else None,
        county_id=org.county_id if org else None,
    )


async def create_client(
    session: AsyncSession, principal: Principal, *, data: ClientCreate, created_by: str | None = None
) -> tuple[ApiClient, str]:
    """Register a client bound to a role and an organisation; returns it and its one-time secret."""
    require(principal, Perm.clients_manage)
    org = await find_organisation(session, data.organisation_id)
    if org is None:
        raise InvalidInput(
            f"No organisation {data.organisation_id}.",
            [{"pointer": "/organisation_id", "detail": "unknown organisation"}],
        )
    if org.kind not in ROLE_ORG_KINDS[data.role]:
        raise RuleViolation(
            "role-matches-organisation",
            f"An organisation of kind {org.kind} cannot act as {data.role.value}.",
        )
    secret = new_secret()
    client = ApiClient(
        id=f"c-{secrets.token_hex(8)}",
        name=data.name,
        role=data.role.value,
        organisation_id=org.id,
        scopes=" ".join(dict.fromkeys(data.scopes)),
        secret_hash=hash_secret(secret),
        enabled=True,
        created_by=created_by or principal.client_id,
    )
    session.add(client)
    await session.flush()
    await record_change(
        session,
        principal,
        action="create",
        resource_type="client",
        resource_id=client.id,
        changes=diff({}, snapshot(client, AUDITED)),
        concerns=await _concerns(session, org.id),
        version=client.version,
    )
    return client, secret


async def update_client(
    session: AsyncSession, principal: Principal, *, client_id: str, data: ClientUpdate, if_match: str | None
) -> ApiClient:
    """Rename, change scopes, or disable/enable a client (If-Match required)."""
    client = await get_client(session, principal, client_id=client_id)
    require(principal, Perm.clients_manage)
    check_if_match(if_match, client.version)
    before = snapshot(client, AUDITED)
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if changes.get("scopes") is not None:
        changes["scopes"] = " ".join(dict.fromkeys(changes["scopes"]))
    for field, value in changes.items():
        if value is None:
            raise InvalidInput(f"{field} cannot be null.", [{"pointer": f"/{field}", "detail": "cannot be null"}])
        setattr(client, field, value)
    delta = diff(before, snapshot(client, AUDITED))
    if delta:
        auth_changed(session)
        await session.flush()
        await record_change(
            session,
            principal,
            action="update",
            resource_type="client",
            resource_id=client.id,
            changes=delta,
            concerns=await _concerns(session, client.organisation_id),
            version=client.version,
        )
    return client


async def rotate_secret(session: AsyncSession, principal: Principal, *, client_id: str) -> tuple[ApiClient, str]:
    """A new secret; tokens issued before now stop working."""
    client = await get_client(session, principal, client_id=client_id)
    require(principal, Perm.clients_manage)
    secret = new_secret()
    client.secret_hash = hash_secret(secret)
    client.secret_generation += 1
    auth_changed(session)
    await session.flush()
    await record_change(
        session,
        principal,
        action="rotate-secret",
        resource_type="client",
        resource_id=client.id,
        changes={"secret": {"before": "(hidden)", "after": "(rotated)"}},
        concerns=await _concerns(session, client.organisation_id),
        version=client.version,
    )
    return client, secret
