"""The CloudEvents binary-mode envelope and the v1 catalogue."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nwd_shared import events as ev

CONTRACT = Path(__file__).parents[3] / "docs" / "contract.md"


def case_closed(**overrides) -> ev.CaseClosed:
    return ev.CaseClosed(
        source="/nwd/casework", subject="NWD-ABCD-EFGH",
        time=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        data=ev.CaseClosedData(case_id="c-1", reference="NWD-ABCD-EFGH", owner="wsx-council",
                               closed_on=date(2026, 11, 20)),
        **overrides,
    )


def test_headers_are_the_ce_attributes_and_content_type():
    event = case_closed(id="e-1")
    assert dict(event.headers()) == {
        "ce_id": b"e-1",
        "ce_source": b"/nwd/casework",
        "ce_type": b"nwd.case.closed.v1",
        "ce_specversion": b"1.0",
        "ce_time": b"2026-11-20T10:00:00+00:00",
        "ce_subject": b"NWD-ABCD-EFGH",
        "content-type": b"application/json",
    }


def test_record_key_and_subject_are_the_contact_reference():
    event = case_closed()
    assert event.key == event.subject == event.data.reference


def test_value_is_the_data_alone():
    assert case_closed().value().startswith(b'{"case_id":"c-1"')


def test_decode_gives_back_the_same_typed_event():
    event = case_closed()
    decoded = ev.decode(event.headers(), event.value())
    assert isinstance(decoded, ev.CaseClosed)
    assert decoded == event


def _contract_topics() -> dict[str, set[str]]:
    """docs/contract.md's topic table: each topic, its producer's event types."""
    topics: dict[str, set[str]] = {}
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"`nwd\.[a-z]+`", cells[0]):
            topics[cells[0].strip("`")] = set(re.findall(r"`(nwd\.[a-z_.]+\.v\d+)`", cells[2]))
    return topics


def test_every_contract_type_has_a_model_and_a_topic():
    contract = _contract_topics()
    assert set(contract) == set(ev.TOPICS)
    assert ev.TYPE_NAMES == set().union(*contract.values())
    for topic, types in contract.items():
        assert {ev.topic_of(t) for t in types} == {topic}


def test_data_ignores_fields_a_newer_producer_added():
    event = case_closed()
    value = event.value()[:-1] + b',"added_in_v1_1":"x"}'
    assert ev.decode(event.headers(), value).data == event.data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda h, v: ([x for x in h if x[0] != "ce_id"], v), "missing CloudEvents headers: id"),
        (lambda h, v: (h, b"{not json"), "value is not JSON"),
        (lambda h, v: ([(k, b"nwd.unknown.v1" if k == "ce_type" else x) for k, x in h], v),
         "unknown ce_type"),
        (lambda h, v: ([(k, b"0.3" if k == "ce_specversion" else x) for k, x in h], v),
         "unsupported specversion"),
        (lambda h, v: (h, b'{"case_id": "c-1"}'), "invalid nwd.case.closed.v1"),
        (lambda h, v: ([(k, b"\xff" if k == "ce_source" else x) for k, x in h], v), "not UTF-8"),
    ],
)
def test_decode_rejects_what_is_not_a_catalogue_event(mutate, message):
    event = case_closed()
    headers, value = mutate(event.headers(), event.value())
    with pytest.raises(ev.EnvelopeError, match=message):
        ev.decode(headers, value)


def test_dead_letter_topic_name():
    assert ev.dead_letter_topic("nwd.contacts") == "nwd.contacts.dlt"


def test_decode_error_names_fields_but_never_repeats_their_values():
    event = ev.ContactReceived(
        source="/nwd/intake", subject="NWD-1", time=datetime.now(UTC),
        data=ev.ContactReceivedData(reference="NWD-1", received_by="o", received_at=datetime.now(UTC),
                                    kind="complaint", channel="email",
                                    complainant={"name": "Private Person", "email": "private@example.org"},
                                    concerns=[{"organisation_id": "o"}], description="Private story"))
    value = event.value().replace(b'"channel":"email"', b'"channel":"Private Person"')
    with pytest.raises(ev.EnvelopeError) as error:
        ev.decode(event.headers(), value)
    assert "channel" in str(error.value)
    assert "Private" not in str(error.value)
