"""Counties, county governors, municipalities and organisations (read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from app.core.etag import etag_of
from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import Country, UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, IfMatch, PageDep, PrincipalDep, SessionDep
from app.reference import service, writes
from app.reference.models import Municipality
from app.reference.schemas import (
    CountyGovernorRead,
    CountyRead,
    MunicipalityRead,
    OrganisationCreate,
    OrganisationRead,
    OrganisationUpdate,
    OrgKind,
)

router = DomainRouter(tags=["reference data"])


@router.get("/counties", response_model=Page[CountyRead], responses=list_responses())
async def list_counties(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    country: Country = None,
    updated_since: UpdatedSince = None,
):
    """Counties (fylker, and Örebro län), sorted by id. Public geography: every caller sees all."""
    q = service.list_counties(principal, country=country, updated_since=updated_since)
    return await respond_list(
        request, response, session, stmt=q.stmt, order=q.order, page=page, schema=CountyRead, to_item=CountyRead.of
    )


@router.get("/counties/{county_id}", response_model=CountyRead, responses=read_responses())
async def get_county(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    county_id: Annotated[str, Path(description="NO-55, or the bare number 55.", examples=["NO-55"])],
):
    """One county with its official names."""
    county = await service.get_county(session, principal, ref=county_id)
    return respond_item(request, response, CountyRead.of(county), county.version)


@router.get("/county-governors", response_model=Page[CountyGovernorRead], responses=list_responses())
async def list_county_governors(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    country: Country = None,
    updated_since: UpdatedSince = None,
):
    """County governors (Statsforvalteren) with the counties each covers, and Sweden's regional body; by id."""
    q = service.list_county_governors(principal, country=country, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=CountyGovernorRead,
        to_item=CountyGovernorRead.of,
    )


@router.get("/county-governors/{county_governor_id}", response_model=CountyGovernorRead, responses=read_responses())
async def get_county_governor(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    county_governor_id: Annotated[str, Path(description="Organisation number (or id).", examples=["974760665"])],
):
    """One county governor with its counties."""
    org = await service.get_county_governor(session, principal, ref=county_governor_id)
    return respond_item(request, response, CountyGovernorRead.of(org), org.version)


@router.get("/municipalities", response_model=Page[MunicipalityRead], responses=list_responses())
async def list_municipalities(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    county: Annotated[str | None, Query(description="County id (NO-55 or 55).", examples=["NO-55"])] = None,
    county_governor: Annotated[
        str | None, Query(description="A county governor's organisation number: its region.", examples=["967311014"])
    ] = None,
    country: Country = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1, max_length=100, description="Part of any official name, any case.", examples=["Kautokeino"]
        ),
    ] = None,
    updated_since: UpdatedSince = None,
):
    """Municipalities the caller may see, sorted by id."""
    lq = service.list_municipalities(
        principal, county=county, county_governor=county_governor, country=country, q=q, updated_since=updated_since
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=lq.stmt,
        order=lq.order,
        page=page,
        schema=MunicipalityRead,
        to_item=MunicipalityRead.data_of,
        records=[Municipality.names],
    )


@router.get("/municipalities/{municipality_id}", response_model=MunicipalityRead, responses=read_responses())
async def get_municipality(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    municipality_id: Annotated[
        str, Path(description="NO-5501, SE-1864, or the bare number 5501.", examples=["NO-5501"])
    ],
):
    """One municipality with its official names."""
    m = await service.get_municipality(session, principal, ref=municipality_id)
    return respond_item(request, response, MunicipalityRead.of(m), m.version)


@router.get("/organisations", response_model=Page[OrganisationRead], responses=list_responses())
async def list_organisations(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    kind: Annotated[OrgKind | None, Query(description="Kind of organisation.")] = None,
    county: Annotated[str | None, Query(description="County id (NO-46 or 46).")] = None,
    municipality: Annotated[str | None, Query(description="Municipality id (NO-4601 or 4601).")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Part of the name or short name.")] = None,
    updated_since: UpdatedSince = None,
):
    """Organisations the caller may see (school owners, universities, county governors ...), sorted by id."""
    lq = service.list_organisations(
        principal, kind=kind, county=county, municipality=municipality, q=q, updated_since=updated_since
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=lq.stmt,
        order=lq.order,
        page=page,
        schema=OrganisationRead,
        to_item=OrganisationRead.of,
    )


@router.get("/organisations/{organisation_id}", response_model=OrganisationRead, responses=read_responses())
async def get_organisation(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    organisation_id: Annotated[
        str, Path(description="Organisation number, municipality id (NO-5501) or UUID.", examples=["970018131"])
    ],
):
    """One organisation."""
    org = await service.get_organisation(session, principal, ref=organisation_id)
    return respond_item(request, response, OrganisationRead.of(org), org.version)


@router.post("/organisations", response_model=OrganisationRead, status_code=201, responses=write_responses())
async def create_organisation(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: OrganisationCreate,
):
    """Register a county municipality, private school owner, university or third party (directorate)."""
    org = await writes.create_organisation(session, principal, data=body)
    location = None if dry_run else f"{request.url.path}/{org.id}"
    response.headers["ETag"] = etag_of(org.version)
    return idem.finish(response, 200 if dry_run else 201, OrganisationRead.of(org), location)


@router.patch("/organisations/{organisation_id}", response_model=OrganisationRead, responses=write_responses(412, 428))
async def update_organisation(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    body: OrganisationUpdate,
    organisation_id: Annotated[str, Path(description="Organisation id.", examples=["NO-5501"])],
    if_match: IfMatch = None,
):
    """Change an organisation (JSON merge patch; If-Match required): name, organisation number, location, status."""
    org = await writes.update_organisation(session, principal, ref=organisation_id, data=body, if_match=if_match)
    response.headers["ETag"] = etag_of(org.version)
    return OrganisationRead.of(org)
