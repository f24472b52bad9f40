"""Credentials: rotated keys with scopes and expiry, identity-provider tokens, per-credential limits."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from intake.config import Settings
from intake.main import create_app
from nwd_shared.devstack.processes import free_port
from nwd_shared.directory import hash_key
from nwd_shared.testing import bearer, contact_payload, running_app

PAST = (datetime.now(UTC) - timedelta(days=1)).isoformat()
FUTURE = (datetime.now(UTC) + timedelta(days=30)).isoformat()
DIRECTORY = f"""
organisations:
  - id: wsx-council
    name: West Sussex County Council
    kind: council
    responsible_for: [social_care]
    areas: [west-sussex]
    people:
      - {{id: ana.patel, name: Ana Patel, roles: [handler]}}
    credentials:
      - {{id: current, key_sha256: {hash_key("key-current-0001")}, expires_at: "{FUTURE}"}}
      - {{id: next, key_sha256: {hash_key("key-next-0002")}}}
      - {{id: old, key_sha256: {hash_key("key-old-0003")}, expires_at: "{PAST}"}}
      - {{id: reports-only, key_sha256: {hash_key("key-reports-0004")}, scopes: [reports:read]}}
"""


class Jwks:
    """An identity provider's JWKS endpoint, served on loopback by the test."""

    def __init__(self) -> None:
        self.keys = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        self.port = free_port()
        jwks = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = json.dumps({"keys": [
                    {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())), "kid": kid,
                     "use": "sig", "alg": "RS256"} for kid, k in jwks.keys.items()]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/.well-known/jwks.json"

    def token(self, kid: str = "k1", **claims) -> str:
        now = int(time.time())
        body = {"iss": "https://idp.test", "aud": "nwd", "sub": "client-42", "iat": now, "exp": now + 300,
                "nwd_org": "wsx-council", "scope": "contacts:write contacts:read", **claims}
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def jwks():
    provider = Jwks()
    yield provider
    provider.server.shutdown()


@pytest.fixture(scope="module")
async def intake(broker, jwks, tmp_path_factory):
    folder = tmp_path_factory.mktemp("credentials")
    (folder / "organisations.yaml").write_text(DIRECTORY)
    settings = Settings(database_url=f"sqlite+aiosqlite:///{folder}/intake.db",
                        kafka_bootstrap_servers=broker.bootstrap_servers,
                        organisations_file=folder / "organisations.yaml", jwks_url=jwks.url,
                        jwt_issuer="https://idp.test", jwt_audience="nwd", rate_limit_per_minute=30)
    app = create_app(settings)
    async with running_app(app) as client:
        client.runtime = app.state.runtime
        yield client


async def post(intake, headers):
    return await intake.post("/v1/contacts", json=contact_payload(), headers=headers)


async def test_both_keys_of_a_rotation_work_and_an_expired_one_does_not(intake):
    assert (await post(intake, bearer("key-current-0001"))).status_code == 202
    assert (await post(intake, bearer("key-next-0002"))).status_code == 202
    expired = await post(intake, bearer("key-old-0003"))
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


async def test_a_credential_without_the_scope_is_refused(intake):
    response = await post(intake, bearer("key-reports-0004"))
    assert response.status_code == 403 and "contacts:write" in response.json()["detail"]


async def test_identity_provider_token_names_the_organisation(intake, jwks):
    response = await post(intake, bearer(jwks.token()))
    assert response.status_code == 202 and response.json()["received_by"] == "wsx-council"


async def test_keys_rotated_at_the_identity_provider_are_fetched_again(intake, jwks, monkeypatch):
    jwks.keys["k2"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    # Unknown kids fetch the JWKS at most once a minute (shared/tests/integration/test_tokens.py):
    # here, as if the minute since the last fetch had passed.
    monkeypatch.setattr(intake.runtime.jwks, "min_refresh", 0)
    assert (await post(intake, bearer(jwks.token(kid="k2")))).status_code == 202


@pytest.mark.parametrize("claims", [
    {"exp": int(time.time()) - 120},  # expired past the 30 s leeway
    {"aud": "someone-else"}, {"iss": "https://evil.test"}, {"nwd_org": "nowhere"},
])
async def test_bad_tokens_are_refused(intake, jwks, claims):
    assert (await post(intake, bearer(jwks.token(**claims)))).status_code == 401


async def test_token_signed_by_another_key_is_refused(intake, jwks):
    forged = jwt.encode({"nwd_org": "wsx-council", "aud": "nwd", "iss": "https://idp.test",
                         "iat": int(time.time()), "exp": int(time.time()) + 60},
                        rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                        headers={"kid": "k1"})
    assert (await post(intake, bearer(forged))).status_code == 401


async def test_token_without_the_scope_is_refused(intake, jwks):
    assert (await post(intake, bearer(jwks.token(scope="reports:read")))).status_code == 403


async def test_a_persons_token_reads_the_complaint_and_the_trail_names_them(intake, jwks):
    reference = (await post(intake, bearer("key-next-0002"))).json()["reference"]
    path = f"/v1/contacts/{reference}/complaint"
    assert (await intake.get(path, headers=bearer(jwks.token(sub="ana.patel")))).status_code == 200
    # Someone the directory does not list: the token's subject, roles and name speak for them.
    visitor = jwks.token(sub="locum-7", name="Lee Locum", nwd_roles="handler")
    assert (await intake.get(path, headers=bearer(visitor))).status_code == 200
    # The token's roles apply: reports-only staff never read the person's words.
    reports_only = jwks.token(sub="rob.reid", nwd_roles=["reports_only"])
    assert (await intake.get(path, headers=bearer(reports_only))).status_code == 403
    trail = (await intake.get(f"/v1/contacts/{reference}/audit", headers=bearer("key-current-0001"))).json()
    assert [(e["action"], e["credential_id"], e["person"]) for e in trail] == [
        ("create", "next", None),
        ("read", "jwt:ana.patel", {"id": "ana.patel", "name": "Ana Patel"}),
        ("read", "jwt:locum-7", {"id": "locum-7", "name": None}),
    ]


async def test_too_many_requests_from_one_credential_get_429_with_retry_after(intake):
    statuses = [(await intake.get("/v1/contacts/NWD-NONE-XIST", headers=bearer("key-next-0002")))
                for _ in range(35)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, "the 31st request within a minute should be limited"
    assert int(limited[0].headers["retry-after"]) >= 1
    # Another credential of the same organisation has its own allowance.
    assert (await intake.get("/v1/contacts/NWD-NONE-XIST", headers=bearer("key-current-0001"))).status_code == 404
