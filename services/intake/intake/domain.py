"""Intake rules: references, how each event moves a contact's journey on, corrections, and who
stands behind a credential. No I/O."""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from nwd_shared import events as ev

# No 0/O or 1/I, so a reference read over the phone is not misheard.
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference() -> str:
    """A contact reference such as NWD-7K3F-9Q2M: short enough to read out, 40 bits of chance."""
    body = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"NWD-{body[:4]}-{body[4:]}"


def request_fingerprint(payload: dict) -> str:
    """A stable hash of a request body, to tell a retried request from a different one.

    Fields left empty are not hashed, so a later release that adds an optional field still knows a
    retry of a request an earlier release stored.
    """
    return hashlib.sha256(json.dumps(_without_empty(payload), sort_keys=True, default=str).encode()).hexdigest()


def legacy_fingerprints(payload: dict) -> set[str]:
    """Hashes earlier releases stored for the same body: every field, before `communication_needs`."""
    older = {k: v for k, v in payload.items() if not (k == "communication_needs" and v is None)}
    return {hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
            for body in (payload, older)}


def _without_empty(value):
    if isinstance(value, dict):
        return {k: _without_empty(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_empty(v) for v in value]
    return value


@dataclass(frozen=True)
class Step:
    """What an event means for the person: who acted, what to say, and the new status."""

    organisation: str | None
    summary: str
    status: str | None = None


def _names(organisations: list[str]) -> str:
    return ", ".join(organisations) if organisations else "none"


def step_for(event: ev.CloudEvent) -> Step:
    """The journey step an event adds; unknown kinds still appear, never silently dropped."""
    d = event.data
    match event:
        case ev.ContactReceived():
            return Step(d.received_by, f"{d.kind.capitalize()} received by {d.received_by} ({d.channel})", "received")
        case ev.TriageCompleted():
            review = "; needs review" if d.needs_review else ""
            return Step(d.received_by, f"Triaged: route {d.route}; responsible {_names(d.responsible_organisations)}{review}", "triaged")
        case ev.TriageOverridden():
            return Step(d.overridden_by, f"Triage overridden: route {d.previous_route} → {d.route} ({d.reason})", "triaged")
        case ev.SafeguardingReferred():
            return Step(d.organisation_id, f"Referred under local safeguarding arrangements ({_names(d.categories)})", None)
        case ev.ReferralProposed() if d.reminder:
            return Step(d.from_organisation, f"Reminder sent: {d.to_organisation} has not yet answered the referral", None)
        case ev.ReferralProposed():
            return Step(d.from_organisation, f"Referral ({d.purpose}) proposed to {d.to_organisation}", "referral_pending")
        case ev.ReferralAccepted() if d.outcome == "resolved":
            return Step(d.to_organisation, f"Resolved by {d.to_organisation}", "closed")
        case ev.ReferralAccepted() if d.outcome == "returned":
            return Step(d.to_organisation, f"Returned by {d.to_organisation} into the complaints procedure", None)
        case ev.ReferralAccepted():
            return Step(d.to_organisation, f"Referral ({d.purpose}) accepted by {d.to_organisation}", None)
        case ev.ReferralDeclined():
            return Step(d.to_organisation, f"Referral ({d.purpose}) declined by {d.to_organisation}: {d.reason}", None)
        case ev.ReferralEscalated():
            return Step(d.from_organisation, f"Referral escalated to {d.from_organisation} customer relations: {d.reason}", "needs_review")
        case ev.OwnershipAgreed():
            joint = f" with contributors {_names(d.contributors)}" if d.contributors else ""
            return Step(d.owner, f"Ownership agreed: {d.owner} owns it{joint}", "owned")
        case ev.CaseOpened():
            return Step(d.owner, f"Case opened by {d.owner}; acknowledge by {d.deadlines.acknowledge_by.isoformat()}", "case_open")
        case ev.CaseAcknowledged():
            return Step(d.owner, f"Acknowledged on {d.acknowledged_on.isoformat()}", "acknowledged")
        case ev.CaseActionPlanIssued():
            return Step(d.owner, f"Action plan issued; respond by {d.deadlines.respond_by}", "action_plan_issued")
        case ev.CaseExtended():
            return Step(d.owner, f"Response date extended to {d.deadlines.respond_by}: {d.reason}", None)
        case ev.CaseSuspended():
            return Step(d.owner, f"Complaint suspended: {d.reason}", "suspended")
        case ev.CaseResumed():
            return Step(d.owner, f"Complaint resumed: {d.reason}", "case_open")
        case ev.CaseResponded():
            return Step(d.owner, f"Final response sent: {d.outcome.replace('_', ' ')}", "responded")
        case ev.CaseClosed() if d.transferred_to:
            # Not the end: the new owner's case.opened follows and sets the status.
            return Step(d.owner, f"Case passed on to {d.transferred_to}, the new owner", None)
        case ev.CaseClosed():
            return Step(d.owner, "Case closed", "closed")
        case ev.CaseDeadlineBreached():
            return Step(d.owner, f"Deadline missed: {d.deadline} was {d.due_on.isoformat()}", None)
        case ev.CaseEscalated():
            return Step(d.owner, f"Escalated: {d.reason}", "escalated")
        case ev.ConsentChanged():
            return Step(d.organisation, f"Consent recorded: {_consent_summary(d)}", None)
        case ev.DetailsCorrected():
            return Step(d.organisation, f"Contact details corrected: {', '.join(d.fields)}", None)
        case ev.LearningActionRaised():
            return Step(d.organisation, "Learning action raised", None)
        case ev.LearningActionCompleted():
            return Step(d.organisation, "Learning action completed", None)
    return Step(None, event.type, None)


def _consent_summary(d: ev.ConsentChangedData) -> str:
    parts = []
    if "consent_to_share" in d.changed:
        parts.append("consent to share given" if d.consent_to_share else "consent to share withdrawn")
    if "representative_consent" in d.changed and d.representative_consent is not None:
        parts.append("the person affected agrees with the representative's complaint"
                     if d.representative_consent.confirmed
                     else "the person affected does not agree with the representative's complaint")
    return "; ".join(parts) or "unchanged"


def is_anonymous(submission: dict) -> bool:
    """A contact whose complainant gave no name: handled, but no letter can be addressed."""
    return not (submission.get("complainant") or {}).get("name")


def corrected(submission: dict, changes: dict[str, dict[str, Any] | None]) -> tuple[dict, list[str]]:
    """The submission with `changes` merged in (RFC 7396 for each part) and the fields that differ.

    `changes` maps a part (complainant, person_affected, communication_needs) to its given fields;
    communication_needs is replaced whole (None removes it).
    """
    updated, fields = copy.deepcopy(submission), []
    for part, given in changes.items():
        if part == "communication_needs":
            if updated.get(part) != given:
                updated[part] = given
                fields.append(part)
            continue
        current = dict(updated.get(part) or {})
        for name, value in (given or {}).items():
            if current.get(name) != value:
                current[name] = value
                fields.append(f"{part}.{name}")
        updated[part] = current
    return updated, fields


