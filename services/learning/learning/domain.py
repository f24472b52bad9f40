"""Learning rules: which facts an event contributes to the reports. No I/O."""

from __future__ import annotations

from datetime import date

from nwd_shared import events as ev
from nwd_shared.calendar import local_date

FactTuple = tuple[str, str, date]  # organisation, metric, day


def facts_of(event: ev.CloudEvent) -> list[FactTuple]:
    """The facts an event adds to its organisations' figures."""
    d = event.data
    day = local_date(event.time)
    match event:
        case ev.ContactReceived():
            return [(d.received_by, f"contacts.kind.{d.kind}", local_date(d.received_at)),
                    (d.received_by, f"contacts.channel.{d.channel}", local_date(d.received_at))]
        case ev.TriageCompleted():
            return [(d.received_by, f"triage.route.{d.route}", day)]
        case ev.SafeguardingReferred():
            return [(d.organisation_id, "safeguarding.referred", day)]
        case ev.ReferralProposed():
            return [(d.from_organisation, f"referrals.sent.{d.purpose}", day),
                    (d.to_organisation, f"referrals.received.{d.purpose}", day)]
        case ev.ReferralAccepted() | ev.ReferralDeclined():
            outcome = "accepted" if isinstance(event, ev.ReferralAccepted) else "declined"
            return [(d.to_organisation, f"referrals.{outcome}", day)]
        case ev.OwnershipAgreed():
            return [(d.owner, "ownership.agreed", day)]
        case ev.CaseOpened():
            return [(d.owner, "cases.opened", day)]
        case ev.CaseResponded():
            return [(d.owner, f"cases.outcome.{d.outcome}", day)]
        case ev.CaseClosed():
            return [(d.owner, "cases.closed", day)]
        case ev.CaseEscalated():
            return [(d.owner, "cases.escalated", day)]
    return []
