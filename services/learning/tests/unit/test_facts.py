"""Which facts an event adds to the reports."""

from datetime import UTC, date, datetime

from learning.domain import facts_of
from nwd_shared import events as ev


def test_contact_received_counts_by_kind_and_channel_on_the_english_receipt_date():
    event = ev.ContactReceived(
        source="/nwd/intake", subject="NWD-1", time=datetime.now(UTC),
        data=ev.ContactReceivedData(reference="NWD-1", received_by="wsx-council",
                                    received_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC), kind="concern",
                                    channel="phone", complainant={"name": "A"},
                                    concerns=[{"organisation_id": "wsx-council"}], description="d"))
    assert facts_of(event) == [("wsx-council", "contacts.kind.concern", date(2026, 7, 2)),
                               ("wsx-council", "contacts.channel.phone", date(2026, 7, 2))]


def test_referral_counts_for_sender_and_receiver():
    event = ev.ReferralProposed(
        source="/nwd/referral", subject="NWD-1", time=datetime(2026, 11, 20, 12, tzinfo=UTC),
        data=ev.ReferralData(referral_id="r", reference="NWD-1", from_organisation="wsx-council",
                             to_organisation="uhsussex", purpose="ownership"))
    assert facts_of(event) == [("wsx-council", "referrals.sent.ownership", date(2026, 11, 20)),
                               ("uhsussex", "referrals.received.ownership", date(2026, 11, 20))]
