"""Intake rules: references and journey steps."""

import re
from datetime import UTC, date, datetime

from intake.domain import new_reference, request_fingerprint, step_for
from nwd_shared import events as ev


def test_reference_is_short_unambiguous_and_random():
    references = {new_reference() for _ in range(1000)}
    assert len(references) == 1000
    assert all(re.fullmatch(r"NWD-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", r) for r in references)


def test_fingerprint_ignores_key_order_but_not_content():
    assert request_fingerprint({"a": 1, "b": 2}) == request_fingerprint({"b": 2, "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": 2})


def test_case_opened_step_tells_the_acknowledgement_date():
    event = ev.CaseOpened(
        source="/nwd/casework", subject="NWD-1", time=datetime.now(UTC),
        data=ev.CaseOpenedData(case_id="c", reference="NWD-1", owner="uhsussex", received_on=date(2026, 11, 23),
                               deadlines=ev.Deadlines(acknowledge_by=date(2026, 11, 26),
                                                      six_months_by=date(2027, 5, 23))))
    step = step_for(event)
    assert step == type(step)("uhsussex", "Case opened by uhsussex; acknowledge by 2026-11-26", "case_open")


def test_ownership_agreed_names_the_owner_and_contributors():
    event = ev.OwnershipAgreed(
        source="/nwd/referral", subject="NWD-1", time=datetime.now(UTC),
        data=ev.OwnershipAgreedData(reference="NWD-1", owner="uhsussex", contributors=["wsx-council"],
                                    received_by="wsx-council", owner_received_at=datetime.now(UTC),
                                    kind="complaint", route="complaint"))
    assert step_for(event).summary == "Ownership agreed: uhsussex owns it with contributors wsx-council"


def referral(**extra) -> ev.ReferralData:
    return ev.ReferralData(referral_id="r", reference="NWD-1", from_organisation="uhsussex",
                           to_organisation="uhsussex-pals", purpose="pals", **extra)


def test_a_reminder_is_shown_as_a_reminder_not_a_new_proposal():
    event = ev.ReferralProposed(source="/nwd/referral", subject="NWD-1", data=referral(reminder=True))
    step = step_for(event)
    assert step.summary.startswith("Reminder sent") and step.status is None


def test_pals_resolving_a_contact_closes_it():
    event = ev.ReferralAccepted(source="/nwd/referral", subject="NWD-1", data=referral(outcome="resolved"))
    assert step_for(event).status == "closed"
