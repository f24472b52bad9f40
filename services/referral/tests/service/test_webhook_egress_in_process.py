"""Webhook URLs cannot reach inside the network: refused at registration, refused again at send time
when a public name resolves inside, delivered to an allow-listed partner network; deliveries show a
coarse outcome and never the remote error text."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from nwd_shared import events as ev
from nwd_shared.testing import bearer, deliver, in_process, new_reference
from referral.config import Settings
from referral.main import create_app
from referral.webhooks import delivery

COUNCIL = bearer("demo-wsx-council-key")
TYPES = ["nwd.safeguarding.acknowledged.v1"]
NO_POLL = dict(timeout_check_seconds=86400, webhook_poll_seconds=86400)

# The defaults: https only, nothing private admitted.
strict = in_process(create_app, Settings, **NO_POLL)
# A partner's private network admitted (here the test machine's loopback), over http as in development.
partnered = in_process(create_app, Settings, **NO_POLL, webhook_allow_http=True,
                       webhook_allowed_networks=["127.0.0.0/8"], webhook_timeout_seconds=1.0)


class Endpoint:
    """A partner's endpoint on 127.0.0.1: records requests, answers with the status `answer` holds."""

    def __init__(self, answer: int = 204, body: bytes = b"", delay: float = 0.0) -> None:
        self.requests: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                self.rfile.read(int(self.headers["content-length"]))
                endpoint.requests.append({k.lower(): v for k, v in self.headers.items()})
                time.sleep(delay)
                self.send_response(answer)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def resolving_to(address: str):
    async def resolver(host: str, port: int) -> list[str]:
        return [address]
    return resolver


def acknowledged(reference: str) -> ev.SafeguardingAcknowledged:
    now = datetime.now(UTC)
    return ev.SafeguardingAcknowledged(source="/nwd/triage", subject=reference, time=now, data=ev.SafeguardingConcernData(
        reference=reference, organisation_id="wsx-council", received_by="uhsussex", acknowledge_by=now,
        escalate_by=now, state="acknowledged"))


async def subscribe(service, url: str) -> dict:
    response = await service.post("/v1/subscriptions", headers=COUNCIL, json={"url": url, "event_types": TYPES})
    assert response.status_code == 201, response.text
    return response.json()


async def one_delivery(service, subscription: dict, resolver) -> dict:
    """Stage a delivery for the subscription, run the delivery job once, and read what it shows."""
    reference = new_reference()
    event = acknowledged(reference)
    await deliver(service, event)
    await delivery.deliver_due(None, service.runtime, resolver=resolver)
    items = (await service.get(f"/v1/subscriptions/{subscription['id']}/deliveries",
                               headers=COUNCIL)).json()["items"]
    mine = [d for d in items if d["reference"] == reference]
    assert len(mine) == 1
    # Unsubscribed afterwards, so later tests' events are not sent here again.
    assert (await service.delete(f"/v1/subscriptions/{subscription['id']}", headers=COUNCIL)).status_code == 204
    return mine[0]


@pytest.mark.parametrize("url", [
    "http://partner.example.org/hooks",                     # not https
    "https://127.0.0.1:8001/v1/contacts", "https://0x7f000001/x", "https://2130706433/x",
    "https://017700000001/x", "https://127.1/x", "https://[::1]/x", "https://[::ffff:127.0.0.1]/x",
    "https://169.254.169.254/latest/meta-data/", "https://[fe80::1]/x", "https://10.0.0.8/x",
    "https://192.168.1.1/x", "https://[fd00::1]/x", "https://224.0.0.1/x", "https://[ff02::1]/x",
    "https://240.0.0.1/x", "https://0.0.0.0/x", "https://[::]/x", "https://localhost/x",
])
async def test_a_url_inside_the_network_is_refused_at_registration(strict, url):
    response = await strict.post("/v1/subscriptions", headers=COUNCIL, json={"url": url, "event_types": TYPES})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["body.url"]


async def test_a_public_name_resolving_to_127_0_0_1_is_refused_at_send_time_and_never_called(strict):
    endpoint = Endpoint()
    try:
        subscription = await subscribe(strict, f"https://partner.example.org:{endpoint.port}/hooks")
        shown = await one_delivery(strict, subscription, resolving_to("127.0.0.1"))
    finally:
        endpoint.close()
    assert endpoint.requests == []
    assert shown["last_outcome"] == "refused_address" and shown["last_status_code"] is None
    assert [a["outcome"] for a in shown["history"]] == ["refused_address"]


async def test_an_allow_listed_private_address_is_delivered_to_by_the_checked_address(partnered):
    endpoint = Endpoint(answer=204)
    try:
        # .invalid never resolves: only the address the injected resolver gave can have been called.
        subscription = await subscribe(partnered, f"http://hooks.partner.invalid:{endpoint.port}/nwd")
        shown = await one_delivery(partnered, subscription, resolving_to("127.0.0.1"))
    finally:
        endpoint.close()
    assert shown["status"] == "delivered" and shown["last_outcome"] == "delivered"
    assert [r["host"] for r in endpoint.requests] == [f"hooks.partner.invalid:{endpoint.port}"]
    assert endpoint.requests[0]["webhook-id"] == shown["id"]


async def test_outside_the_allow_list_is_still_refused(partnered):
    subscription = await subscribe(partnered, "http://hooks.partner.invalid:9/nwd")
    shown = await one_delivery(partnered, subscription, resolving_to("169.254.169.254"))
    assert shown["last_outcome"] == "refused_address"


@pytest.mark.parametrize(("endpoint_kwargs", "outcome", "status_code"), [
    (dict(answer=500, body=b"psycopg.OperationalError: password for user admin at 10.9.8.7"),
     "failed_http_status", 500),
    (dict(answer=200, delay=3.0), "timeout", None),
    (None, "connection_failed", None),
])
async def test_deliveries_show_a_coarse_outcome_never_the_remote_text(partnered, endpoint_kwargs, outcome,
                                                                     status_code):
    endpoint = Endpoint(**endpoint_kwargs) if endpoint_kwargs is not None else Endpoint()
    if endpoint_kwargs is None:
        endpoint.close()  # nothing listens on the port any more: the connection is refused
    try:
        subscription = await subscribe(partnered, f"http://hooks.partner.invalid:{endpoint.port}/nwd")
        shown = await one_delivery(partnered, subscription, resolving_to("127.0.0.1"))
    finally:
        if endpoint_kwargs is not None:
            endpoint.close()
    assert (shown["last_outcome"], shown["last_status_code"]) == (outcome, status_code)
    assert set(shown["history"][0]) == {"attempted_at", "status_code", "outcome", "duration_ms"}
    text = str(shown)
    for leak in ("10.9.8.7", "password", "Errno", "refused", "Error", "timed out"):
        assert leak not in text
