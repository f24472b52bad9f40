"""The audit trail names the client's address, taken from X-Forwarded-For only when the peer (the
ingress) is a configured trusted proxy; otherwise the peer's own."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from intake.config import Settings
from intake.main import create_app
from intake.models import audit
from nwd_shared.testing import bearer, contact_payload, in_process

PALS = bearer("demo-uhsussex-pals-key")
# The test client's peer address is 127.0.0.1 (httpx's ASGI transport): the "ingress".
behind_ingress = in_process(create_app, Settings, trusted_proxies=["127.0.0.1/32"])
exposed = in_process(create_app, Settings)


async def recorded_address(service, forwarded: str | None, peer: str = "127.0.0.1") -> str:
    headers = {**PALS, **({"X-Forwarded-For": forwarded} if forwarded else {})}
    app = service._transport.app
    transport = httpx.ASGITransport(app=app, client=(peer, 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        posted = await client.post("/v1/contacts", json=contact_payload(), headers=headers)
    assert posted.status_code == 202, posted.text
    reference = posted.json()["reference"]
    async with service.runtime.sessions() as session:
        return (await session.execute(select(audit.c.client_address)
                                      .where(audit.c.reference == reference, audit.c.action == "create"))).scalar_one()


async def test_behind_a_trusted_proxy_the_forwarded_client_is_recorded(behind_ingress):
    assert await recorded_address(behind_ingress, "203.0.113.9") == "203.0.113.9"
    # A client that forges the header gains nothing: the address the ingress saw is recorded.
    assert await recorded_address(behind_ingress, "10.0.0.1, 203.0.113.9") == "203.0.113.9"
    # A peer that is not the proxy is recorded as itself, whatever it claims.
    assert await recorded_address(behind_ingress, "203.0.113.9", peer="198.51.100.7") == "198.51.100.7"


async def test_without_trusted_proxies_the_header_is_ignored(exposed):
    assert await recorded_address(exposed, "203.0.113.9") == "127.0.0.1"
