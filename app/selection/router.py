"""Selection rounds: create, compute, county review, assessments and the final selection."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request, Response

from app.core.etag import etag_of
from app.core.listing import respond_item, respond_list
from app.core.openapi import list_responses, read_responses, write_responses
from app.core.pagination import Page
from app.core.params import UpdatedSince
from app.core.routing import DomainRouter
from app.deps import DryRunDep, IdempotencyDep, IfMatch, PageDep, PrincipalDep, SessionDep
from app.selection import review, rounds
from app.selection.schemas import (
    AssessmentIn,
    CandidateRead,
    FinaliseIn,
    RoundCreate,
    RoundRead,
    RoundSchoolRead,
    RoundStatus,
    RoundUpdate,
)

router = DomainRouter(prefix="/selection-rounds", tags=["selection rounds"])
RoundId = Annotated[str, Path(description="Selection round id (UUID).")]
MunicipalityId = Annotated[str, Path(description="Municipality id (`NO-5501` or `5501`).")]
County = Annotated[str | None, Query(description="County id.", examples=["NO-55"])]


@router.get("", response_model=Page[RoundRead], responses=list_responses())
async def list_selection_rounds(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    programme: Annotated[str | None, Query(examples=["oppfolging"])] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    status: Annotated[RoundStatus | None, Query()] = None,
    updated_since: UpdatedSince = None,
):
    """Rounds, sorted by (updated_at, id); a county governor sees them from county review on."""
    q = await rounds.list_rounds(
        session, principal, programme=programme, year=year, status=status, updated_since=updated_since
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=RoundRead,
        to_item=RoundRead.model_validate,
    )


@router.post("", response_model=RoundRead, status_code=201, responses=write_responses())
async def create_selection_round(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: RoundCreate,
):
    """A draft round with its school years, indicators and every parameter of the method (the directorate)."""
    r = await rounds.create_round(session, principal, data=body)
    return idem.created(response, RoundRead.model_validate(r), f"{request.url.path}/{r.id}", r.version)


@router.get("/{round_id}", response_model=RoundRead, responses=read_responses())
async def get_selection_round(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, round_id: RoundId
):
    """One round with its parameters and the summary of its computation."""
    r = await rounds.get_round(session, principal, round_id=round_id)
    return respond_item(request, response, RoundRead.model_validate(r), r.version)


@router.patch("/{round_id}", response_model=RoundRead, responses=write_responses(412, 428))
async def update_selection_round(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    round_id: RoundId,
    body: RoundUpdate,
    if_match: IfMatch = None,
):
    """Change a draft or computed round (If-Match); a computed round returns to draft until recomputed."""
    r = await rounds.update_round(session, principal, round_id=round_id, data=body, if_match=if_match)
    response.headers["ETag"] = etag_of(r.version)
    return RoundRead.model_validate(r)


@router.post("/{round_id}/compute", response_model=RoundRead, responses=write_responses())
async def compute_selection_round(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    round_id: RoundId,
):
    """Compute risk points, shares, the national ranking and the candidates (draft or computed round)."""
    r = await rounds.compute_round(session, principal, round_id=round_id)
    return idem.done(response, RoundRead.model_validate(r), r.version)


@router.post("/{round_id}/review", response_model=RoundRead, responses=write_responses())
async def open_selection_round_review(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    round_id: RoundId,
):
    """Send a computed round to the county governors for assessment."""
    r = await rounds.open_review(session, principal, round_id=round_id)
    return idem.done(response, RoundRead.model_validate(r), r.version)


@router.post("/{round_id}/finalise", response_model=RoundRead, responses=write_responses())
async def finalise_selection_round(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    round_id: RoundId,
    body: FinaliseIn,
):
    """The final selection: offers with guidance for the selected, in one transaction; the round becomes read only."""
    r = await review.finalise_round(session, principal, round_id=round_id, data=body)
    return idem.done(response, RoundRead.model_validate(r), r.version)


@router.get("/{round_id}/schools", response_model=Page[RoundSchoolRead], responses=list_responses(404))
async def list_selection_round_schools(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    round_id: RoundId,
    in_top: Annotated[bool | None, Query(description="Only schools in (or out of) the top share.")] = None,
    county: County = None,
    municipality: Annotated[str | None, Query(examples=["NO-5501"])] = None,
    updated_since: UpdatedSince = None,
):
    """The national ranking: each school's risk points, share and rank, sorted by (rank, school id)."""
    q = await review.list_round_schools(
        session,
        principal,
        round_id=round_id,
        in_top=in_top,
        county=county,
        municipality=municipality,
        updated_since=updated_since,
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=RoundSchoolRead,
        to_item=RoundSchoolRead.model_validate,
    )


@router.get("/{round_id}/candidates", response_model=Page[CandidateRead], responses=list_responses(404))
async def list_selection_candidates(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    round_id: RoundId,
    county: County = None,
    eligible: Annotated[bool | None, Query(description="False: the ones rule 1 excludes.")] = None,
    updated_since: UpdatedSince = None,
):
    """Candidate municipalities with their explanations and assessments, sorted by municipality id."""
    q = await review.list_candidates(
        session, principal, round_id=round_id, county=county, eligible=eligible, updated_since=updated_since
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=CandidateRead,
        to_item=CandidateRead.of,
    )


@router.get("/{round_id}/candidates/{municipality_id}", response_model=CandidateRead, responses=read_responses())
async def get_selection_candidate(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    round_id: RoundId,
    municipality_id: MunicipalityId,
):
    """One candidate: which schools, indicators, values and cut-offs put it there, and its assessment."""
    c = await review.get_candidate(session, principal, round_id=round_id, municipality=municipality_id)
    return respond_item(request, response, CandidateRead.of(c), c.version)


@router.patch(
    "/{round_id}/candidates/{municipality_id}", response_model=CandidateRead, responses=write_responses(412, 428)
)
async def assess_selection_candidate(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    round_id: RoundId,
    municipality_id: MunicipalityId,
    body: AssessmentIn,
    if_match: IfMatch = None,
):
    """The county governor's assessment: priority rank, recommendation, justification (If-Match)."""
    c = await review.assess_candidate(
        session, principal, round_id=round_id, municipality=municipality_id, data=body, if_match=if_match
    )
    response.headers["ETag"] = etag_of(c.version)
    return CandidateRead.of(c)
