"""Intake rules: references and journey steps."""

import hashlib
import json
import re
from datetime import UTC, date, datetime

from intake import domain
from intake.domain import (
    corrected,
    is_anonymous,
    new_reference,
    request_fingerprint,
    step_for,
)
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


def test_a_correction_merges_given_fields_and_names_only_those_that_changed():
    submission = {"complainant": {"name": None, "email": "a@example.org", "phone": "01", "relationship": "self"},
                  "person_affected": None, "communication_needs": None, "description": "words"}
    updated, fields = corrected(submission, {
        "complainant": {"name": "Ann", "email": "a@example.org", "phone": None},
        "person_affected": {"name": "Ron"}, "communication_needs": {"large_print": True}})
    assert fields == ["complainant.name", "complainant.phone", "person_affected.name", "communication_needs"]
    assert updated["complainant"] == {"name": "Ann", "email": "a@example.org", "phone": None, "relationship": "self"}
    assert updated["person_affected"] == {"name": "Ron"} and updated["communication_needs"] == {"large_print": True}
    assert submission["complainant"]["name"] is None  # the original is not changed in place
    assert is_anonymous(submission) and not is_anonymous(updated)


def test_consent_and_correction_steps_say_what_changed_never_the_values():
    now = datetime.now(UTC)
    consent = ev.ConsentChanged(source="/nwd/intake", subject="NWD-1", data=ev.ConsentChangedData(
        reference="NWD-1", organisation="wsx-council", changed_by="ana.patel", changed_at=now,
        consent_to_share=False, changed=["consent_to_share", "representative_consent"],
        representative_consent=ev.RepresentativeConsent(confirmed=False, confirmed_on=date(2026, 11, 20),
                                                        confirmed_by="ana.patel", method="phone")))
    assert step_for(consent) == type(step_for(consent))(
        "wsx-council", "Consent recorded: consent to share withdrawn; the person affected does not agree with "
        "the representative's complaint", None)
    corrected_step = step_for(ev.DetailsCorrected(source="/nwd/intake", subject="NWD-1", data=ev.DetailsCorrectedData(
        reference="NWD-1", organisation="wsx-council", corrected_at=now, fields=["complainant.email"],
        anonymous=False)))
    assert corrected_step.summary == "Contact details corrected: complainant.email"


def test_a_retry_is_known_whatever_optional_fields_a_later_release_added():
    before = {"kind": "complaint", "description": "Missed visits.", "desired_outcome": None}
    after = {**before, "communication_needs": None}
    assert domain.request_fingerprint(before) == domain.request_fingerprint(after)
    # The hash the release before this one stored for the same body (every field) still matches.
    stored_then = hashlib.sha256(json.dumps(before, sort_keys=True, default=str).encode()).hexdigest()
    assert stored_then in domain.legacy_fingerprints(after)
    assert domain.request_fingerprint({**before, "description": "Other."}) != domain.request_fingerprint(before)
