"""What ops teams see after traffic: one trace per contact, metrics that moved, logs without personal data."""

from __future__ import annotations

import re

import httpx
import pytest

from nwd_shared.observability import trace_id_of
from nwd_shared.testing import bearer, contact_payload, eventually, wait_for_record

from .conftest import needs_own_processes

pytestmark = pytest.mark.e2e
COUNCIL = bearer("demo-wsx-council-key")
PRIVATE = {"name": "Zephyrine Quillfeather", "email": "zephyrine.q@example.org", "phone": "07700 900461"}
STORY = "Quillfeather-story: the evening carer never came on Tuesday."


async def post_contact(stack, client) -> httpx.Response:
    body = contact_payload(complainant={**PRIVATE, "relationship": "self"}, description=STORY)
    response = await client.post(f"{stack.url('intake')}/v1/contacts", json=body, headers=COUNCIL)
    assert response.status_code == 202, response.text
    return response


async def test_one_trace_id_runs_from_the_post_to_the_case_opening(stack, broker):
    async with httpx.AsyncClient(timeout=10) as client:
        response = await post_contact(stack, client)
    reference = response.json()["reference"]
    trace_id = response.headers["x-trace-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", trace_id)
    opened = await wait_for_record(
        broker.bootstrap_servers, "nwd.cases",
        lambda r: r.key == reference.encode() and dict(r.headers)["ce_type"] == b"nwd.case.opened.v1")
    assert trace_id_of(dict(opened.headers)["traceparent"].decode()) == trace_id


async def test_metrics_moved_on_every_service_after_traffic(stack):
    async with httpx.AsyncClient(timeout=10) as client:
        reference = (await post_contact(stack, client)).json()["reference"]

        async def case_opened():
            view = (await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=COUNCIL)).json()
            return view["status"] == "case_open"

        await eventually(case_opened, timeout=30)
        texts = {s: (await client.get(f"{stack.url(s)}/metrics")).text for s in stack.ports}

    def value(service: str, metric: str, **labels: str) -> float:
        total = 0.0
        for line in texts[service].splitlines():
            if line.startswith(metric + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                total += float(line.rsplit(" ", 1)[1])
        return total

    assert value("intake", "nwd_http_requests_total", route="/v1/contacts", status="202") >= 1
    assert value("intake", "nwd_http_request_duration_seconds_count", route="/v1/contacts") >= 1
    assert value("intake", "nwd_events_published_total", type="nwd.contact.received.v1") >= 1
    assert value("triage", "nwd_events_consumed_total", type="nwd.contact.received.v1") >= 1
    assert value("triage", "nwd_events_published_total", type="nwd.triage.completed.v1") >= 1
    assert value("referral", "nwd_events_published_total", type="nwd.ownership.agreed.v1") >= 1
    assert value("casework", "nwd_events_consumed_total", type="nwd.ownership.agreed.v1") >= 1
    assert value("casework", "nwd_events_published_total", type="nwd.case.opened.v1") >= 1
    assert value("learning", "nwd_events_consumed_total", type="nwd.case.opened.v1") >= 1
    assert value("intake", "nwd_events_consumed_total", type="nwd.case.opened.v1") >= 1
    for service in stack.ports:
        assert "nwd_outbox_backlog{" in texts[service]
        assert "nwd_consumer_lag{" in texts[service]


async def test_logs_hold_no_personal_data(stack):
    needs_own_processes(stack)
    async with httpx.AsyncClient(timeout=10) as client:
        reference = (await post_contact(stack, client)).json()["reference"]

        async def opened():
            view = (await client.get(f"{stack.url('intake')}/v1/contacts/{reference}", headers=COUNCIL)).json()
            return view["status"] == "case_open"

        # Every service has handled the contact by then, so each has had its chance to log it.
        await eventually(opened, timeout=60)
    logs = {path.name: path.read_text(errors="replace") for path in stack.data_dir.glob("*.log")}
    assert any(reference in text for text in logs.values()), "the reference itself should be logged"
    for name, text in logs.items():
        for secret in (*PRIVATE.values(), "Quillfeather"):
            assert secret not in text, f"{secret!r} found in {name}"
