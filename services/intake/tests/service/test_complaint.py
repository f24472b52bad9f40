"""The complaint for those who handle it: who reads the whole contact, consent and corrections after
intake, each change an event and an audit record naming the person; anonymous contacts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from intake import repository, retention
from intake.config import Settings
from intake.main import create_app
from nwd_shared import events as ev
from nwd_shared.testing import (
    bearer,
    contact_payload,
    deliver,
    in_process,
    ownership_agreed,
    staged,
)

PALS = bearer("demo-uhsussex-pals-key")
COUNCIL = bearer("demo-wsx-council-key")
ANA, BEN, CARA = bearer("demo-wsx-ana-key"), bearer("demo-wsx-ben-key"), bearer("demo-wsx-cara-key")
ROB = bearer("demo-wsx-rob-key")  # reports only: no contacts:read
HOSPITAL = bearer("demo-uhsussex-key")
STRANGER = bearer("demo-bh-council-key")
ADVOCACY, LGSCO = bearer("demo-sussex-advocacy-key"), bearer("demo-lgsco-key")

NEEDS = {"large_print": True, "easy_read": False, "language": "Polish", "preferred_channel": "phone",
         "other": "Calls after 2pm"}

intake = in_process(create_app, Settings)


def referral(reference: str, to: str, purpose: str) -> ev.ReferralProposed:
    return ev.ReferralProposed(source="/nwd/referral", subject=reference, data=ev.ReferralData(
        referral_id=f"r-{to}", reference=reference, from_organisation="wsx-council", to_organisation=to,
        purpose=purpose))


async def joint_complaint(intake, **payload) -> str:
    """Received by the hospital's PALS; the council owns it, the hospital contributes."""
    body = contact_payload(concerns=[{"organisation_id": "wsx-council"}, {"organisation_id": "uhsussex"}],
                           communication_needs=NEEDS, **payload)
    posted = await intake.post("/v1/contacts", json=body, headers=PALS)
    assert posted.status_code == 202, posted.text
    reference = posted.json()["reference"]
    await deliver(intake, ownership_agreed(reference, owner="wsx-council", contributors=["uhsussex"],
                                           received_by="uhsussex-pals"))
    return reference


async def trail(intake, reference: str) -> list[tuple[str, str, str | None, str | None]]:
    entries = (await intake.get(f"/v1/contacts/{reference}/audit", headers=CARA)).json()
    return [(e["action"], e["resource"], (e["person"] or {}).get("id"), (e["person"] or {}).get("name"))
            for e in entries]


async def test_the_owner_the_contributor_and_the_receiver_read_the_whole_complaint(intake):
    reference = await joint_complaint(intake)
    for reader in (ANA, HOSPITAL, PALS):
        response = await intake.get(f"/v1/contacts/{reference}/complaint", headers=reader)
        assert response.status_code == 200, response.text
    body = response.json()
    assert body["description"] == contact_payload()["description"]
    assert body["desired_outcome"] == contact_payload()["desired_outcome"]
    assert body["complainant"] == {"name": "Ann Example", "email": "ann@example.org", "phone": None,
                                   "relationship": "self"}
    assert body["communication_needs"] == NEEDS
    assert body["consent"] == {"consent_to_share": False, "representative_consent": None}
    assert (body["owner"], body["contributors"], body["anonymous"]) == ("wsx-council", ["uhsussex"], False)
    # Every read is audited, naming the person where a person's key was used.
    assert [t for t in await trail(intake, reference) if t[1] == "contact.complaint"] == [
        ("read", "contact.complaint", "ana.patel", "Ana Patel"), ("read", "contact.complaint", None, None),
        ("read", "contact.complaint", None, None)]


async def test_reports_only_staff_get_403_and_organisations_not_handling_it_404(intake):
    reference = await joint_complaint(intake, consent_to_share=True)
    await deliver(intake, referral(reference, "sussex-advocacy", "advocacy"))
    path = f"/v1/contacts/{reference}/complaint"
    assert (await intake.get(path, headers=ROB)).status_code == 403
    assert (await intake.get(path, headers=STRANGER)).status_code == 404
    # Advocacy sees the journey with consent, but it does not handle the complaint.
    assert (await intake.get(f"/v1/contacts/{reference}", headers=ADVOCACY)).status_code == 200
    assert (await intake.get(path, headers=ADVOCACY)).status_code == 404
    # Refused reads are not recorded.
    assert [t for t in await trail(intake, reference) if t[1] == "contact.complaint"] == []


async def test_the_ombudsman_reads_the_complaint_only_after_escalation(intake):
    reference = await joint_complaint(intake)
    path = f"/v1/contacts/{reference}/complaint"
    assert (await intake.get(path, headers=LGSCO)).status_code == 404
    await deliver(intake, ev.CaseEscalated(source="/nwd/casework", subject=reference, data=ev.CaseEscalatedData(
        case_id="c-1", reference=reference, owner="wsx-council", reason="Still dissatisfied",
        ombudsman_id="lgsco")))
    response = await intake.get(path, headers=LGSCO)
    assert response.status_code == 200 and response.json()["description"] == contact_payload()["description"]


async def test_a_representatives_consent_is_recorded_as_an_event_and_in_the_trail(intake):
    reference = await joint_complaint(intake, complainant={"name": "Rita Example", "relationship": "representative"},
                                      person_affected={"name": "Ron Example"})
    change = {"consent_to_share": True,
              "representative_consent": {"confirmed": True, "confirmed_on": "2026-11-20", "method": "phone"}}
    response = await intake.post(f"/v1/contacts/{reference}/consent", json=change, headers=ANA)
    assert response.status_code == 200, response.text
    consent = response.json()
    assert consent["consent_to_share"] is True
    assert {k: consent["representative_consent"][k] for k in ("confirmed", "confirmed_on", "confirmed_by",
                                                                "method", "recorded_by")} == {
        "confirmed": True, "confirmed_on": "2026-11-20", "confirmed_by": "ana.patel", "method": "phone",
        "recorded_by": "ana.patel"}
    [(kind, data)] = [s for s in await staged(intake, reference) if s[0] == "nwd.contact.consent_changed.v1"]
    assert (data["organisation"], data["changed_by"], data["consent_to_share"], data["changed"]) == (
        "wsx-council", "ana.patel", True, ["consent_to_share", "representative_consent"])
    assert data["representative_consent"]["confirmed_by"] == "ana.patel"
    assert ("update", "contact.consent", "ana.patel", "Ana Patel") in await trail(intake, reference)
    # The same consent again changes nothing: no second event, no second record.
    again = await intake.post(f"/v1/contacts/{reference}/consent", json=change, headers=ANA)
    assert again.status_code == 200
    assert len([s for s in await staged(intake, reference) if s[0] == "nwd.contact.consent_changed.v1"]) == 1
    assert [t[1] for t in await trail(intake, reference)].count("contact.consent") == 1
    # Withdrawn later, by another handler: a second event; the complaint shows the consent as it stands.
    withdrawn = await intake.post(f"/v1/contacts/{reference}/consent", json={"consent_to_share": False},
                                  headers=BEN)
    assert withdrawn.json()["consent_to_share"] is False
    changes = [d for k, d in await staged(intake, reference) if k == "nwd.contact.consent_changed.v1"]
    assert [(d["changed_by"], d["changed"], d["consent_to_share"]) for d in changes][-1] == (
        "ben.okafor", ["consent_to_share"], False)
    view = (await intake.get(f"/v1/contacts/{reference}/complaint", headers=ANA)).json()
    assert view["consent"]["consent_to_share"] is False
    assert view["consent"]["representative_consent"]["confirmed"] is True


async def test_consent_is_refused_when_it_cannot_be_so(intake):
    reference = await joint_complaint(intake)
    url = f"/v1/contacts/{reference}/consent"
    confirmed = {"representative_consent": {"confirmed": True, "confirmed_on": "2026-11-20", "method": "phone"}}
    # The complainant is the person affected: there is no representative to confirm.
    refused = await intake.post(url, json=confirmed, headers=ANA)
    assert refused.status_code == 422 and refused.json()["errors"][0]["type"] == "not_a_representative"
    # A contributor, an unrelated organisation, reports-only staff: no.
    assert (await intake.post(url, json={"consent_to_share": True}, headers=HOSPITAL)).status_code == 403
    assert (await intake.post(url, json={"consent_to_share": True}, headers=STRANGER)).status_code == 404
    assert (await intake.post(url, json={"consent_to_share": True}, headers=ROB)).status_code == 403
    assert (await intake.post(url, json={}, headers=ANA)).status_code == 422
    assert [s for s in await staged(intake, reference) if s[0] == "nwd.contact.consent_changed.v1"] == []


async def test_a_representatives_consent_checked_in_the_future_or_by_no_one_is_refused(intake):
    reference = await joint_complaint(intake, complainant={"name": "Rita Example", "relationship": "representative"},
                                      person_affected={"name": "Ron Example"})
    url = f"/v1/contacts/{reference}/consent"
    future = {"representative_consent": {"confirmed": True, "confirmed_on": "2999-01-01", "method": "phone"}}
    assert (await intake.post(url, json=future, headers=ANA)).json()["errors"][0]["type"] == "future_date"
    # The organisation's own key is no person: it names the member of staff who checked.
    unnamed = {"representative_consent": {"confirmed": True, "confirmed_on": "2026-11-20", "method": "letter"}}
    assert (await intake.post(url, json=unnamed, headers=COUNCIL)).json()["errors"][0]["type"] == "missing"
    named = {"representative_consent": {**unnamed["representative_consent"], "confirmed_by": "cara.jones"}}
    response = await intake.post(url, json=named, headers=COUNCIL)
    assert response.status_code == 200 and response.json()["representative_consent"]["confirmed_by"] == "cara.jones"
    stranger = {"representative_consent": {**unnamed["representative_consent"], "confirmed_by": "nobody"}}
    assert (await intake.post(url, json=stranger, headers=COUNCIL)).json()["errors"][0]["type"] == "unknown_person"


async def test_corrected_contact_details_are_an_event_naming_the_fields_not_their_values(intake):
    reference = await joint_complaint(intake)
    correction = {"complainant": {"email": "ann.new@example.org", "phone": "01243 777100"},
                  "communication_needs": {"easy_read": True}}
    response = await intake.patch(f"/v1/contacts/{reference}/contact-details", json=correction, headers=BEN)
    assert response.status_code == 200, response.text
    fields = ["complainant.email", "complainant.phone", "communication_needs"]
    assert response.json() == {"reference": reference, "fields": fields, "anonymous": False}
    [(kind, data)] = [s for s in await staged(intake, reference) if s[0] == "nwd.contact.details_corrected.v1"]
    assert (data["organisation"], data["corrected_by"], data["fields"]) == ("wsx-council", "ben.okafor", fields)
    assert "ann.new@example.org" not in json.dumps(data) and "777100" not in json.dumps(data)
    assert ("update", "contact.details", "ben.okafor", "Ben Okafor") in await trail(intake, reference)
    view = (await intake.get(f"/v1/contacts/{reference}/complaint", headers=ANA)).json()
    assert view["complainant"] == {"name": "Ann Example", "email": "ann.new@example.org", "phone": "01243 777100",
                                   "relationship": "self"}
    assert view["communication_needs"] == {"large_print": False, "easy_read": True, "language": None,
                                           "preferred_channel": None, "other": None}
    # Only the receiver or the owner corrects: the contributor may read, not change.
    url = f"/v1/contacts/{reference}/contact-details"
    assert (await intake.patch(url, json=correction, headers=HOSPITAL)).status_code == 403
    assert (await intake.patch(url, json={"complainant": {"email": "x@example.org"}}, headers=PALS)).status_code == 200
    assert (await intake.patch(url, json={"complainant": {"email": "not an email"}}, headers=ANA)).status_code == 422
    assert (await intake.patch(url, json={"complainant": None}, headers=ANA)).status_code == 422


async def test_a_contact_with_no_name_is_accepted_as_anonymous_and_handled(intake):
    payload = contact_payload(complainant={"relationship": "self"})
    posted = await intake.post("/v1/contacts", json=payload, headers=COUNCIL)
    assert posted.status_code == 202, posted.text
    reference = posted.json()["reference"]
    [(kind, data)] = await staged(intake, reference)
    assert kind == "nwd.contact.received.v1" and data["anonymous"] is True and data["complainant"]["name"] is None
    assert ev.ContactReceivedData.model_validate(data).anonymous is True
    # No complainant at all is anonymous too.
    without = {k: v for k, v in contact_payload().items() if k != "complainant"}
    assert (await intake.post("/v1/contacts", json=without, headers=COUNCIL)).status_code == 202
    view = (await intake.get(f"/v1/contacts/{reference}/complaint", headers=ANA)).json()
    assert view["anonymous"] is True and view["complainant"]["name"] is None
    # The person gives a name later: no longer anonymous, and the event says so.
    named = await intake.patch(f"/v1/contacts/{reference}/contact-details",
                               json={"complainant": {"name": "Ann Example"}}, headers=ANA)
    assert named.json() == {"reference": reference, "fields": ["complainant.name"], "anonymous": False}
    corrected = [d for k, d in await staged(intake, reference) if k == "nwd.contact.details_corrected.v1"]
    assert corrected[-1]["anonymous"] is False


async def test_consent_and_corrections_appear_in_the_journey_without_personal_data(intake):
    reference = await joint_complaint(intake)
    await intake.post(f"/v1/contacts/{reference}/consent", json={"consent_to_share": True}, headers=ANA)
    await intake.patch(f"/v1/contacts/{reference}/contact-details",
                       json={"complainant": {"email": "ann.new@example.org"}}, headers=ANA)
    # Intake reads its own topic back into the journey, as it does every topic.
    models = {ev.type_name(m): m for m in ev.EVENT_TYPES}
    await deliver(intake, *(models[kind](source="/nwd/intake", subject=reference, data=data)
                            for kind, data in await staged(intake, reference) if kind != "nwd.contact.received.v1"))
    journey = (await intake.get(f"/v1/contacts/{reference}", headers=ANA)).json()["journey"]
    assert [s["summary"] for s in journey if s["type"].startswith("nwd.contact.")] == [
        "Consent recorded: consent to share given", "Contact details corrected: complainant.email"]


async def test_an_anonymised_complaint_reads_anonymised_and_cannot_be_changed(intake):
    reference = await joint_complaint(intake, complainant={"name": "Rita Example", "relationship": "representative"},
                                      person_affected={"name": "Ron Example"})
    consent = {"representative_consent": {"confirmed": True, "confirmed_on": "2026-11-20", "method": "phone"}}
    assert (await intake.post(f"/v1/contacts/{reference}/consent", json=consent, headers=ANA)).status_code == 200
    async with intake.runtime.sessions() as session, session.begin():
        contact = await repository.get_contact(session, reference)
        contact.ended_at = datetime(2000, 1, 1, tzinfo=UTC)
        await retention.anonymise_ended(session, intake.runtime, datetime(2001, 1, 1, tzinfo=UTC),
                                        datetime(2011, 1, 1, tzinfo=UTC))
    view = await intake.get(f"/v1/contacts/{reference}/complaint", headers=ANA)
    assert view.status_code == 200, view.text
    body = view.json()
    assert (body["description"], body["complainant"]["name"], body["communication_needs"]["language"]) == (
        "[anonymised]", "[anonymised]", "[anonymised]")
    assert body["communication_needs"]["preferred_channel"] == "phone" and body["anonymised_at"]
    assert body["consent"]["representative_consent"]["confirmed_by"] == "ana.patel"
    url = f"/v1/contacts/{reference}/contact-details"
    assert (await intake.patch(url, json={"complainant": {"email": "a@example.org"}}, headers=ANA)).status_code == 409
