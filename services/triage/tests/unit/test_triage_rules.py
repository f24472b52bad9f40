"""Triage rules (the walking skeleton's: every contact a complaint for its receiver)."""

from datetime import UTC, datetime

from nwd_shared.events import ContactReceivedData
from triage.domain import triage


def test_skeleton_routes_to_a_complaint_for_the_receiver_with_a_reason():
    contact = ContactReceivedData(reference="NWD-1", received_by="uhsussex", received_at=datetime.now(UTC),
                                  kind="complaint", channel="letter", complainant={"name": "A"},
                                  concerns=[{"organisation_id": "uhsussex"}], description="d")
    decision = triage(contact)
    assert decision.route == "complaint"
    assert decision.responsible_organisations == ["uhsussex"]
    assert decision.reasons
