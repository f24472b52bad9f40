"""Use cases of a complaint's later life. Never commits: the request, consumer or job does."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession

from casework import domain, repository
from casework.domain import CaseStatus
from casework.life import domain as life
from casework.life.schemas import (
    EqualityIn,
    FinalResponseIn,
    OralRecordIn,
    ReopenIn,
    ReplyIn,
    ResolvedIn,
    ReviewIn,
    TimeLimitIn,
    WithdrawIn,
)
from casework.life.views import (
    InformationRequestView,
    LifeView,
    OmbudsmanView,
    PersonFlagView,
    RemedyView,
)
from casework.models import (
    Case,
    ContactFact,
    PersistentComplainant,
)
from casework.schemas import PersistentFlagIn
from casework.service import (
    Done,
    apply_contact_fact,
    case_ids,
    opened_event,
    owned_case,
    record_summary_of,
)
from nwd_shared import events as ev
from nwd_shared.calendar import local_date
from nwd_shared.context import Context
from nwd_shared.errors import Conflict, Invalid


def invalid(field: str, message: str) -> Invalid:
    return Invalid.field(f"body.{field}", message)


def not_future(ctx: Context, field: str, day: date) -> None:
    if day > ctx.today:
        raise invalid(field, f"{day.isoformat()} is in the future")


def _closed(case: Case, ctx: Context) -> ev.CaseClosed:
    """The closed event of an ending, with how it ended (never resolved when withdrawn or out of time)."""
    case.record_summary = record_summary_of(case, ctx.today)
    return ev.CaseClosed(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseClosedData(**case_ids(case), closed_on=ctx.today, outcome=case.outcome, subject=case.subject,
                               responded_on=case.responded_on, on_time=case.on_time, reason=case.close_reason,
                               summary=case.record_summary, closed_as=case.closed_as))


# --- day-to-day business (reg 8; seed 003 §3.2) ---------------------------------------------------

def _day_to_day_data(case: Case) -> ev.CaseDayToDayData:
    return ev.CaseDayToDayData(**case_ids(case), received_on=case.received_on, resolve_by=case.resolve_by,
                               resolved_on=case.closed_on if case.closed_as == "day_to_day" else None)


def _day_to_day_owner(decision: ev.TriageDecisionData, ctx: Context) -> str:
    """The body that took the oral contact handles it: a PALS for its trust; else the first responsible body."""
    receiver = ctx.directory.receiving_body(decision.received_by)
    organisation = ctx.directory.get(receiver)
    if (organisation is None or not organisation.is_responsible_body) and decision.responsible_organisations:
        return decision.responsible_organisations[0]
    return receiver


async def on_triage_decided(session: AsyncSession, event: ev.TriageCompleted,
                            ctx: Context) -> list[ev.CloudEvent]:
    """A contact routed to day-to-day business gets a light record with its deadline; no other route does."""
    decision = event.data
    if decision.route != "day_to_day":
        return []
    if await repository.case_for_reference(session, decision.reference) is not None:
        return []  # a redelivery, or a case opened already: nothing new
    received_on = local_date(decision.received_at)
    case = Case(id=str(uuid4()), reference=decision.reference, owner=_day_to_day_owner(decision, ctx),
                contributors=[], kind=decision.kind, route="day_to_day", status=CaseStatus.DAY_TO_DAY,
                suspended=False, received_on=received_on, resolve_by=life.resolve_by(received_on, ctx.calendar),
                paused_working_days=0, unreasonably_persistent=False, anonymous=False, opened_at=ctx.now,
                **domain.deadlines_on_opening(received_on, ctx.calendar))
    fact = await repository.contact_fact(session, decision.reference)
    apply_contact_fact(case, fact)
    session.add(case)
    caused: list[ev.CloudEvent] = [ev.CaseDayToDayRecorded(source=ctx.source, subject=case.reference, time=ctx.now,
                                                           data=_day_to_day_data(case))]
    if fact is not None and fact.resolved_at_first_contact:
        caused += _resolve(case, ctx, "put right at first contact")
    return caused


def _resolve(case: Case, ctx: Context, note: str | None) -> list[ev.CloudEvent]:
    life.resolve_day_to_day(case, ctx.today, note)
    return [ev.CaseDayToDayResolved(source=ctx.source, subject=case.reference, time=ctx.now,
                                    data=_day_to_day_data(case))]


async def resolve(session: AsyncSession, ctx: Context, *, case_id: str, body: ResolvedIn) -> Done:
    """POST .../resolved: day-to-day business put right by the end of the next working day."""
    case = await owned_case(session, ctx, case_id)
    return case, _resolve(case, ctx, body.note)


async def lapse_day_to_day(session: AsyncSession, ctx: Context) -> list[ev.CloudEvent]:
    """Day-to-day business not put right in time becomes a complaint, its clock started when it was made."""
    caused: list[ev.CloudEvent] = []
    for case in await repository.lapsed_day_to_day(session, ctx.today):
        deadlines = life.become_complaint(case, ctx.calendar)
        caused.append(opened_event(case, deadlines, ctx, from_day_to_day=True))
    return caused


async def on_contact_received(session: AsyncSession, event: ev.ContactReceived,
                              ctx: Context) -> list[ev.CloudEvent]:
    """Keep what casework needs of the contact, for its case whenever it opens (topics do not keep order)."""
    contact = event.data
    if await repository.contact_fact(session, contact.reference) is not None:
        return []
    # Intake's `anonymous` (issue 15) when it says so; a contact with no name is anonymous anyway.
    anonymous = bool(getattr(contact, "anonymous", False)) or not (contact.complainant.name or "").strip()
    fact = ContactFact(reference=contact.reference, channel=contact.channel, anonymous=anonymous,
                       resolved_at_first_contact=contact.resolved_at_first_contact,
                       person_key=life.person_key(contact.complainant.email, contact.complainant.phone),
                       communication_needs=needs.model_dump() if (needs := contact.communication_needs) else None)
    session.add(fact)
    caused: list[ev.CloudEvent] = []
    for case in await repository.cases_of_reference(session, contact.reference):
        apply_contact_fact(case, fact)
        if case.status == CaseStatus.DAY_TO_DAY and fact.resolved_at_first_contact and not life.lapsed(case, ctx.today):
            caused += _resolve(case, ctx, "put right at first contact")
    return caused


# --- the oral record, the time limit, withdrawal ---------------------------------------------

async def record_oral(session: AsyncSession, ctx: Context, *, case_id: str, body: OralRecordIn) -> Done:
    """Reg 13: the written record of an oral complaint, and the day the complainant was given it."""
    case = await owned_case(session, ctx, case_id)
    life.check_oral_record(case)
    not_future(ctx, "sent_on", body.sent_on)
    if body.sent_on < case.received_on:
        raise invalid("sent_on", "the record cannot be given before the complaint was made")
    case.oral_record = {"record": body.record, "sent_on": body.sent_on.isoformat(), "how": body.how, "by": ctx.by}
    return case, [ev.CaseOralRecordSent(source=ctx.source, subject=case.reference, time=ctx.now,
                                        data=ev.CaseOralRecordData(**case_ids(case), sent_on=body.sent_on))]


async def decide_time_limit(session: AsyncSession, ctx: Context, *, case_id: str, body: TimeLimitIn) -> Done:
    """Reg 12: the 12-month limit waived (a fair investigation is still possible) or not (out of time)."""
    case = await owned_case(session, ctx, case_id)
    life.decide_time_limit(case, ctx.today, body.decision, body.reason)
    case.time_limit = {"decision": body.decision, "reason": body.reason, "decided_on": ctx.today.isoformat(),
                       "by": ctx.by}
    caused: list[ev.CloudEvent] = [ev.CaseTimeLimitDecided(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseTimeLimitData(**case_ids(case), decision=body.decision, decided_on=ctx.today,
                                  reason=body.reason))]
    if case.status == CaseStatus.CLOSED:
        caused.append(_closed(case, ctx))
    return case, caused


async def withdraw(session: AsyncSession, ctx: Context, *, case_id: str, body: WithdrawIn) -> Done:
    """The complainant withdrew: the case ends as withdrawn, reported apart from resolved ones."""
    case = await owned_case(session, ctx, case_id)
    life.withdraw(case, ctx.today, body.reason)
    return case, [_closed(case, ctx)]


async def reopen(session: AsyncSession, ctx: Context, *, case_id: str, body: ReopenIn) -> Done:
    """Customer relations reopens a closed or withdrawn case, with the reason; it returns to where it ended."""
    case = await owned_case(session, ctx, case_id)
    life.check_reopen(case)
    live = await repository.live_case_for_reference(session, case.reference)
    if live is not None and live.id != case.id:
        raise Conflict(f"the contact has a live case already: {live.id}")
    closed_on = case.closed_on
    status = life.reopen(case, ctx.today, body.reason, ctx.by)
    return case, [ev.CaseReopened(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseReopenedData(**case_ids(case), reopened_on=ctx.today, reason=body.reason, status=status,
                                 previous_closed_on=closed_on))]


# --- after the response (seed 003 §2.8, §2.9) -------------------------------------------------

async def reply(session: AsyncSession, ctx: Context, *, case_id: str, body: ReplyIn) -> Done:
    """The complainant's reply: satisfied, the case may close as resolved; not, a senior review is due."""
    case = await owned_case(session, ctx, case_id)
    life.check_reply(case)
    due = None if body.satisfied else life.final_response_by(
        ctx.today, ctx.policy(case.owner).response_working_days, ctx.calendar)
    life.record_reply(case, ctx.today, satisfied=body.satisfied, notes=body.notes, final_response_by=due)
    return case, [ev.CaseReplyRecorded(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseReplyData(**case_ids(case), satisfied=body.satisfied, replied_on=ctx.today,
                              final_response_by=due))]


async def review(session: AsyncSession, ctx: Context, *, case_id: str, body: ReviewIn) -> Done:
    """A senior manager reviews the complaint and the response to it (seed 003 §2.9)."""
    case = await owned_case(session, ctx, case_id)
    life.check_review(case)
    case.review = {"on": ctx.today.isoformat(), "by": ctx.by, "findings": body.findings}
    return case, [ev.CaseReviewed(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseReviewData(**case_ids(case), reviewed_on=ctx.today, reviewed_by=ctx.by,
                               final_response_by=case.final_response_by))]


async def final_response(session: AsyncSession, ctx: Context, *, case_id: str, body: FinalResponseIn) -> Done:
    """The review's findings in the final response letter; then the complainant may go to the ombudsman."""
    case = await owned_case(session, ctx, case_id)
    on_time = life.send_final_response(case, ctx.today)
    case.final_response = {"letter": body.letter, "signed_by": body.signed_by, "by": ctx.by,
                           "on": ctx.today.isoformat(), "on_time": on_time}
    return case, [ev.CaseFinalResponseSent(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CaseFinalResponseData(**case_ids(case), sent_on=ctx.today, on_time=on_time,
                                      final_response_by=case.final_response_by, signed_by=body.signed_by))]


# --- the person and equality data ---------------------------------------------------------------

async def set_person_flag(session: AsyncSession, ctx: Context, *, case_id: str, body: PersistentFlagIn) -> Done:
    """Customer relations flags the complainant (restrictions, review date) or clears the flag; with a reason."""
    case = await owned_case(session, ctx, case_id)
    if body.flagged and body.review_on is not None and body.review_on <= ctx.today:
        raise invalid("review_on", "the review date must be in the future")
    entry = {"at": ctx.now.isoformat(), "by": ctx.by or ctx.caller, "flagged": body.flagged, "reason": body.reason,
             "case": case.reference}
    flag = (await repository.person_flag(session, case.owner, case.person_key, for_update=True)
            if case.person_key else None)
    life.check_flag_change(flag.flagged if flag else case.unreasonably_persistent, body.flagged)
    if case.person_key:
        if flag is None:
            flag = PersistentComplainant(organisation=case.owner, person_key=case.person_key, history=[])
            session.add(flag)
        flag.flagged, flag.case_id = body.flagged, case.id
        flag.restrictions = list(body.restrictions) if body.flagged else []
        flag.review_on = body.review_on if body.flagged else None
        flag.history = [*flag.history, entry]
    case.unreasonably_persistent = body.flagged
    case.persistent_history = [*(case.persistent_history or []), entry]
    return case, [ev.CasePersistentFlagChanged(
        source=ctx.source, subject=case.reference, time=ctx.now,
        data=ev.CasePersistentFlagData(**case_ids(case), flagged=body.flagged,
                                       review_on=body.review_on if body.flagged else None))]


async def record_equality(session: AsyncSession, ctx: Context, *, case_id: str, body: EqualityIn) -> Done:
    """Equality and age data, kept only with consent; the age group alone goes on the feed for the KO41a."""
    case = await owned_case(session, ctx, case_id)
    if not body.consent:
        raise invalid("consent", "equality data is kept only with the person's consent")
    case.equality = {**body.model_dump(exclude_none=True), "recorded_on": ctx.today.isoformat()}
    return case, [ev.CaseEqualityRecorded(source=ctx.source, subject=case.reference, time=ctx.now,
                                          data=ev.CaseEqualityData(**case_ids(case), age_group=body.age_group))]


# --- the view -----------------------------------------------------------------------------------

def _status(done_on: date | None, due_on: date, today: date, done: str) -> str:
    if done_on is not None:
        return done
    return "overdue" if today > due_on else "outstanding"


async def view_of(session: AsyncSession, case: Case, today: date) -> LifeView:
    """The later life of a case, for its owner."""
    ombudsman = None
    if case.escalated_on is not None:
        stage = case.ombudsman_stage or {}
        ombudsman = OmbudsmanView(
            enquiry=stage.get("enquiry"), decision=stage.get("decision"),
            information_requests=[InformationRequestView(
                number=r.number, requested_on=r.requested_on, due_on=r.due_on, sent_on=r.sent_on,
                status=_status(r.sent_on, r.due_on, today, "sent"))
                for r in await repository.information_requests_of(session, case.id)],
            remedies=[RemedyView(number=r.number, description=r.description, due_on=r.due_on,
                                 complied_on=r.complied_on, evidence=r.evidence,
                                 status=_status(r.complied_on, r.due_on, today, "complied"))
                      for r in await repository.remedies_of(session, case.id)])
    return LifeView(
        closed_as=case.closed_as, resolve_by=case.resolve_by, channel=case.channel, anonymous=bool(case.anonymous),
        oral_record_due=life.oral_record_due(case), oral_record=case.oral_record, time_limit=case.time_limit,
        reply=case.reply, final_response_by=case.final_response_by, review=case.review,
        final_response=case.final_response, final_responded_on=case.final_responded_on,
        reopenings=case.reopenings or [], ombudsman=ombudsman, equality=case.equality,
        persistent=await persistent_of(session, case))


async def persistent_of(session: AsyncSession, case: Case) -> PersonFlagView | None:
    """The flag on the complainant (by their key), else the case's own flag."""
    flag = await repository.person_flag(session, case.owner, case.person_key) if case.person_key else None
    if flag is not None:
        return PersonFlagView(flagged=flag.flagged, restrictions=flag.restrictions, review_on=flag.review_on,
                              on_person=True)
    if case.unreasonably_persistent:
        return PersonFlagView(flagged=True, restrictions=[], review_on=None, on_person=False)
    return None


async def later_deadlines(session: AsyncSession, case: Case) -> dict[str, date]:
    """The later stages' running deadlines by alert key, for the case's live alerts."""
    running: dict[str, date] = {}
    if case.status == CaseStatus.UNDER_REVIEW and case.final_response_by:
        running["final_response_by"] = case.final_response_by
    if case.escalated_on is not None:
        for r in await repository.information_requests_of(session, case.id):
            if r.sent_on is None:
                running[alert_key("information_due_on", r.number)] = r.due_on
        for r in await repository.remedies_of(session, case.id):
            if r.complied_on is None:
                running[alert_key("remedy_due_on", r.number)] = r.due_on
    return running


def alert_key(deadline: str, item: int | None) -> str:
    """How an alert row names a numbered deadline: `remedy_due_on:2`."""
    return deadline if item is None else f"{deadline}:{item}"
