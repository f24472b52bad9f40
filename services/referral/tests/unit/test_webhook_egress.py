"""Webhook egress: every address inside the network refused, in every form, at registration or at send."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import httpx
import pytest

from referral.webhooks import delivery, egress
from referral.webhooks.schemas import SubscriptionIn

HTTPS_ONLY = egress.Policy()
PARTNER_VPN = egress.Policy(allowed_networks=(ipaddress.ip_network("10.20.0.0/16"),))

# Each form an address inside the network can take in a URL's host.
FORBIDDEN_HOSTS = [
    "127.0.0.1", "127.9.9.9", "0x7f000001", "2130706433", "017700000001", "0177.0.0.1", "127.1",
    "[::1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::127.0.0.1]",
    "169.254.169.254", "[fe80::1]", "[::ffff:169.254.169.254]",
    "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "[fc00::1]", "[fd12:3456::1]",
    "224.0.0.1", "239.255.255.250", "[ff02::1]",
    "240.0.0.1", "255.255.255.255", "192.0.2.1", "[2001:db8::1]",
    "0.0.0.0", "0", "[::]",
    "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[2002:a9fe:a9fe::]",
    "localhost", "LOCALHOST.", "metadata.localhost",
]


@pytest.mark.parametrize("host", FORBIDDEN_HOSTS)
def test_a_url_naming_an_address_inside_the_network_is_refused_at_registration(host):
    for url in (f"https://{host}/hooks", f"https://{host}:8443/hooks"):
        # As the API receives it (pydantic normalises numeric IPv4 forms to dotted) and as written.
        for given in (url, str(SubscriptionIn(url=url, event_types=["nwd.referral.proposed.v1"]).url)):
            with pytest.raises(egress.RefusedAddress):
                egress.check_url(given, HTTPS_ONLY)


def test_http_is_refused_unless_allowed_and_https_to_a_public_name_is_accepted():
    with pytest.raises(egress.RefusedAddress, match="https"):
        egress.check_url("http://partner.example.org/hooks", HTTPS_ONLY)
    egress.check_url("http://partner.example.org/hooks", egress.Policy(allow_http=True))
    egress.check_url("https://partner.example.org/hooks", HTTPS_ONLY)
    egress.check_url("https://8.8.8.8/hooks", HTTPS_ONLY)
    with pytest.raises(egress.RefusedAddress):
        egress.check_url("https://user:secret@partner.example.org/hooks", HTTPS_ONLY)


def resolving_to(*addresses: str):
    asked: list[tuple[str, int]] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return list(addresses)

    resolver.asked = asked
    return resolver


FORBIDDEN_ANSWERS = ["127.0.0.1", "::1", "::ffff:127.0.0.1", "169.254.169.254", "fe80::1%eth0", "10.1.2.3",
                     "192.168.0.10", "fd00::5", "224.0.0.251", "0.0.0.0", "::", "100.100.100.200",
                     "64:ff9b::a9fe:a9fe"]


@pytest.mark.parametrize("answer", FORBIDDEN_ANSWERS)
async def test_a_public_name_that_resolves_inside_the_network_is_refused_at_send_time(answer):
    with pytest.raises(egress.RefusedAddress):
        await egress.resolve("https://partner.example.org/hooks", HTTPS_ONLY, resolving_to(answer))


async def test_one_inside_address_among_public_ones_refuses_the_name():
    with pytest.raises(egress.RefusedAddress):
        await egress.resolve("https://partner.example.org/hooks", HTTPS_ONLY,
                             resolving_to("93.184.215.14", "127.0.0.1"))


async def test_a_public_address_is_called_as_checked_with_the_original_name_in_host_and_tls():
    resolver = resolving_to("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    target = await egress.resolve("https://partner.example.org:8443/hooks/nwd?x=1", HTTPS_ONLY, resolver)
    assert resolver.asked == [("partner.example.org", 8443)]
    assert str(target.request_url()) == "https://93.184.215.14:8443/hooks/nwd?x=1"
    assert target.host_header() == "partner.example.org:8443"
    assert target.extensions() == {"sni_hostname": "partner.example.org"}


async def test_an_allow_listed_private_network_is_admitted_and_only_it():
    target = await egress.resolve("https://hooks.trust.nhs.uk/x", PARTNER_VPN, resolving_to("10.20.3.4"))
    assert str(target.address) == "10.20.3.4"
    egress.check_url("https://10.20.3.4/x", PARTNER_VPN)
    for outside in ("10.21.0.1", "127.0.0.1", "169.254.169.254"):
        with pytest.raises(egress.RefusedAddress):
            await egress.resolve("https://hooks.trust.nhs.uk/x", PARTNER_VPN, resolving_to(outside))


ITEM = delivery.Claimed("d-1", "https://partner.example.org/hooks", "whsec_" + "A" * 32, '{"id":"e-1"}')
NOW = datetime(2026, 12, 14, 10, tzinfo=UTC)


async def send_with(handler, resolver=None):
    return await delivery.send(ITEM, NOW, policy=HTTPS_ONLY, resolver=resolver or resolving_to("93.184.215.14"),
                               timeout=5, transport=httpx.MockTransport(handler))


async def test_the_request_goes_to_the_checked_address_once_and_no_redirect_is_followed():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"location": "http://169.254.169.254/latest/meta-data/"})

    outcome = await send_with(handler)
    assert [str(r.url) for r in seen] == ["https://93.184.215.14/hooks"]
    assert seen[0].headers["host"] == "partner.example.org"
    assert seen[0].extensions["sni_hostname"] == "partner.example.org"
    assert (outcome.outcome, outcome.status_code) == ("failed_http_status", 302)


async def test_outcomes_are_coarse_and_never_carry_the_remote_text():
    def secret_500(request):
        return httpx.Response(500, text="Traceback: db password hunter2 at 10.0.0.7")

    def refused(request):
        raise httpx.ConnectError("[Errno 111] Connection refused to 10.0.0.7:5432")

    def slow(request):
        raise httpx.ReadTimeout("timed out reading from 10.0.0.7")

    def never(request):
        raise AssertionError("a refused address is never called")

    assert (await send_with(lambda r: httpx.Response(204))).outcome == "delivered"
    failed = await send_with(secret_500)
    assert (failed.outcome, failed.status_code) == ("failed_http_status", 500)
    assert (await send_with(refused)).outcome == "connection_failed"
    assert (await send_with(slow)).outcome == "timeout"
    assert (await send_with(never, resolving_to("127.0.0.1"))).outcome == "refused_address"
    for outcome in (failed, await send_with(refused)):
        assert "10.0.0.7" not in repr(outcome) and "hunter2" not in repr(outcome)
