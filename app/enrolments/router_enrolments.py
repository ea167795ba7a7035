"""Enrolments, their phases and goal checklists, participants and guidance."""

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
from app.enrolments.models import Enrolment
from app.enrolments.schemas import (
    EnrolmentCreate,
    EnrolmentRead,
    EnrolmentStatus,
    EnrolmentUpdate,
    GoalUpdate,
    GuidanceCreate,
    GuidanceRead,
    ParticipantCreate,
    ParticipantRead,
    PhaseRead,
    WithdrawIn,
)
from app.enrolments.service import enrolments as service
from app.enrolments.service import people, phases

router = DomainRouter(prefix="/enrolments", tags=["enrolments"])
EnrolmentId = Annotated[str, Path(description="Enrolment id (UUID).")]
PhaseId = Annotated[str, Path(description="Phase id (UUID), from the enrolment's `phases`.")]


@router.get("", response_model=Page[EnrolmentRead], responses=list_responses())
async def list_enrolments(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    programme: Annotated[str | None, Query(description="Programme code or id.", examples=["oppfolging"])] = None,
    status: Annotated[EnrolmentStatus | None, Query()] = None,
    school_owner: Annotated[str | None, Query(examples=["NO-5501"])] = None,
    county: Annotated[str | None, Query(examples=["NO-55"])] = None,
    municipality: Annotated[str | None, Query(examples=["NO-5501"])] = None,
    start_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    phase: Annotated[str | None, Query(description="Code of the active phase.", examples=["forfase"])] = None,
    updated_since: UpdatedSince = None,
):
    """Enrolments the caller may see, sorted by (updated_at, id)."""
    q = await service.list_enrolments(
        session,
        principal,
        programme=programme,
        status=status,
        school_owner=school_owner,
        county=county,
        municipality=municipality,
        start_year=start_year,
        phase=phase,
        updated_since=updated_since,
    )
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=EnrolmentRead,
        to_item=EnrolmentRead.data_of,
        records=[Enrolment.phases],
        reuse_items=True,
    )


@router.get("/{enrolment_id}", response_model=EnrolmentRead, responses=read_responses())
async def get_enrolment(
    request: Request, response: Response, session: SessionDep, principal: PrincipalDep, enrolment_id: EnrolmentId
):
    """One enrolment with its phases and their goal checklists."""
    enrolment = await service.get_enrolment(session, principal, enrolment_id=enrolment_id)
    return respond_item(request, response, EnrolmentRead.of(enrolment), enrolment.version)


@router.post("", response_model=EnrolmentRead, status_code=201, responses=write_responses())
async def create_enrolment(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    body: EnrolmentCreate,
):
    """Enrol a school owner directly (the directorate, or a county governor in its region)."""
    enrolment = await service.create_enrolment(session, principal, data=body)
    return idem.created(response, EnrolmentRead.of(enrolment), f"{request.url.path}/{enrolment.id}", enrolment.version)


@router.patch("/{enrolment_id}", response_model=EnrolmentRead, responses=write_responses(412, 428))
async def update_enrolment(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    enrolment_id: EnrolmentId,
    body: EnrolmentUpdate,
    if_match: IfMatch = None,
):
    """Register the plan for the implementation phase (JSON merge patch, If-Match)."""
    enrolment = await service.update_enrolment(
        session, principal, enrolment_id=enrolment_id, data=body, if_match=if_match
    )
    response.headers["ETag"] = etag_of(enrolment.version)
    return EnrolmentRead.of(enrolment)


@router.post("/{enrolment_id}/withdraw", response_model=EnrolmentRead, responses=write_responses())
async def withdraw_enrolment(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    enrolment_id: EnrolmentId,
    body: WithdrawIn,
):
    """Withdraw with a reason; the history stays."""
    enrolment = await service.withdraw_enrolment(session, principal, enrolment_id=enrolment_id, data=body)
    return idem.done(response, EnrolmentRead.of(enrolment), enrolment.version)


@router.post("/{enrolment_id}/complete", response_model=EnrolmentRead, responses=write_responses())
async def complete_enrolment(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    enrolment_id: EnrolmentId,
):
    """Complete an enrolment whose phases are all complete (a yearly cycle has none)."""
    enrolment = await service.complete_enrolment(session, principal, enrolment_id=enrolment_id)
    return idem.done(response, EnrolmentRead.of(enrolment), enrolment.version)


@router.post("/{enrolment_id}/phases/{phase_id}/start", response_model=EnrolmentRead, responses=write_responses())
async def start_phase(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    enrolment_id: EnrolmentId,
    phase_id: PhaseId,
):
    """Start a phase: 409 if the previous is not complete, the plan is not registered, or leadership is missing."""
    enrolment = await phases.start_phase(session, principal, enrolment_id=enrolment_id, phase_id=phase_id)
    return idem.done(response, EnrolmentRead.of(enrolment), enrolment.version)


@router.post("/{enrolment_id}/phases/{phase_id}/complete", response_model=EnrolmentRead, responses=write_responses())
async def complete_phase(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    enrolment_id: EnrolmentId,
    phase_id: PhaseId,
):
    """Complete the active phase; the last one completes the enrolment."""
    enrolment = await phases.complete_phase(session, principal, enrolment_id=enrolment_id, phase_id=phase_id)
    return idem.done(response, EnrolmentRead.of(enrolment), enrolment.version)


@router.patch(
    "/{enrolment_id}/phases/{phase_id}/goals/{goal_code}",
    response_model=PhaseRead,
    responses=write_responses(412, 428),
)
async def update_goal(
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    enrolment_id: EnrolmentId,
    phase_id: PhaseId,
    goal_code: Annotated[str, Path(examples=["utfordringsbilde"])],
    body: GoalUpdate,
    if_match: IfMatch = None,
):
    """Mark a goal of the phase's checklist done or not, with a comment (If-Match: the phase's ETag)."""
    phase = await phases.update_goal(
        session,
        principal,
        enrolment_id=enrolment_id,
        phase_id=phase_id,
        goal_code=goal_code,
        data=body,
        if_match=if_match,
    )
    response.headers["ETag"] = etag_of(phase.version)
    return PhaseRead.of(phase)


@router.get("/{enrolment_id}/participants", response_model=Page[ParticipantRead], responses=list_responses(404))
async def list_participants(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    enrolment_id: EnrolmentId,
    updated_since: UpdatedSince = None,
):
    """The people taking part, in the order they were added."""
    q = await people.list_participants(session, principal, enrolment_id=enrolment_id, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=ParticipantRead,
        to_item=ParticipantRead.model_validate,
    )


@router.post(
    "/{enrolment_id}/participants", response_model=ParticipantRead, status_code=201, responses=write_responses()
)
async def add_participant(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    enrolment_id: EnrolmentId,
    body: ParticipantCreate,
):
    """Add a participant (the school owner itself, its county governor or the directorate)."""
    p = await people.add_participant(session, principal, enrolment_id=enrolment_id, data=body)
    return idem.created(response, ParticipantRead.model_validate(p), f"{request.url.path}/{p.id}", p.version)


@router.delete("/{enrolment_id}/participants/{participant_id}", status_code=204, responses=write_responses())
async def remove_participant(
    session: SessionDep,
    principal: PrincipalDep,
    enrolment_id: EnrolmentId,
    participant_id: Annotated[str, Path(description="Participant id (UUID).")],
) -> Response:
    """Remove a participant."""
    await people.remove_participant(session, principal, enrolment_id=enrolment_id, participant_id=participant_id)
    return Response(status_code=204)


@router.get("/{enrolment_id}/guidance", response_model=Page[GuidanceRead], responses=list_responses(404))
async def list_guidance(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    enrolment_id: EnrolmentId,
    updated_since: UpdatedSince = None,
):
    """Guides assigned to the enrolment."""
    q = await people.list_guidance(session, principal, enrolment_id=enrolment_id, updated_since=updated_since)
    return await respond_list(
        request,
        response,
        session,
        stmt=q.stmt,
        order=q.order,
        page=page,
        schema=GuidanceRead,
        to_item=GuidanceRead.model_validate,
    )


@router.post("/{enrolment_id}/guidance", response_model=GuidanceRead, status_code=201, responses=write_responses())
async def assign_guidance(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    idem: IdempotencyDep,
    dry_run: DryRunDep,
    enrolment_id: EnrolmentId,
    body: GuidanceCreate,
):
    """Assign an external guide for a period (the directorate or the county governor)."""
    g = await people.assign_guidance(session, principal, enrolment_id=enrolment_id, data=body)
    return idem.created(response, GuidanceRead.model_validate(g), f"{request.url.path}/{g.id}", g.version)
