"""Which events are counted one by one."""

from datetime import UTC, date, datetime

from learning.domain import facts_of
from nwd_shared import events as ev


def test_referral_counts_for_sender_and_receiver():
    event = ev.ReferralProposed(
        source="/nwd/referral", subject="NWD-1", time=datetime(2026, 11, 20, 12, tzinfo=UTC),
        data=ev.ReferralData(referral_id="r", reference="NWD-1", from_organisation="wsx-council",
                             to_organisation="uhsussex", purpose="ownership"))
    assert facts_of(event) == [("wsx-council", "referrals.sent.ownership", date(2026, 11, 20)),
                               ("uhsussex", "referrals.received.ownership", date(2026, 11, 20))]


def test_a_breach_counts_on_the_day_the_deadline_passed_not_when_it_was_noticed():
    event = ev.CaseDeadlineBreached(
        source="/nwd/casework", subject="NWD-1", time=datetime(2026, 8, 10, 9, tzinfo=UTC),
        data=ev.CaseDeadlineBreachedData(case_id="c", reference="NWD-1", owner="uhsussex",
                                         deadline="six_months_by", due_on=date(2026, 8, 3)))
    assert facts_of(event) == [("uhsussex", "cases.breached.six_months_by", date(2026, 8, 3))]


def test_a_safeguarding_referral_counts_at_the_organisation_that_made_it():
    event = ev.SafeguardingReferred(
        source="/nwd/triage", subject="NWD-1", time=datetime(2026, 7, 1, 23, 30, tzinfo=UTC),
        data=ev.SafeguardingReferredData(reference="NWD-1", organisation_id="wsx-council",
                                         categories=["neglect_and_acts_of_omission"], reasons=["r"]))
    # 23:30 UTC in July is the next day in England.
    assert facts_of(event) == [("wsx-council", "safeguarding.referred", date(2026, 7, 2))]
