"""Identity-provider tokens (issue 18, item 3): issuer and audience required, JWKS fetches bounded,
the last good keys kept, a small clock leeway, the subject bounded before it is recorded."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from nwd_shared import auth
from nwd_shared.auth import JwksVerifier, _actor_of
from nwd_shared.devstack.processes import free_port
from nwd_shared.directory import Organisation
from nwd_shared.settings import AuthSettings, ServiceSettings

ISSUER, AUDIENCE = "https://idp.test", "nwd"


class IdentityProvider:
    """A JWKS endpoint on loopback that counts its fetches and can be made to fail."""

    def __init__(self) -> None:
        self.keys = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        self.fetches = 0
        self.failing = False
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                provider.fetches += 1
                if provider.failing:
                    self.send_response(503)
                    self.end_headers()
                    return
                body = json.dumps({"keys": [
                    {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())), "kid": kid,
                     "use": "sig", "alg": "RS256"} for kid, k in provider.keys.items()]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/jwks.json"

    def token(self, kid: str = "k1", signer: str | None = None, **claims) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "client-42", "iat": now, "exp": now + 300,
                "nwd_org": "wsx-council", **claims}
        return jwt.encode(body, self.keys[signer or kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def idp():
    provider = IdentityProvider()
    yield provider
    provider.server.shutdown()


class Clock:
    """time.monotonic as the verifier reads it, moved by the test."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(auth, "time", fake)
    return fake


def verifier(idp: IdentityProvider) -> JwksVerifier:
    return JwksVerifier(idp.url, issuer=ISSUER, audience=AUDIENCE, claim="nwd_org")


@pytest.mark.parametrize("missing", [{"jwt_issuer": None}, {"jwt_audience": None},
                                     {"jwt_issuer": None, "jwt_audience": None}])
def test_a_jwks_without_issuer_or_audience_refuses_to_start(missing):
    given = {"jwks_url": "https://idp.test/jwks.json", "jwt_issuer": ISSUER, "jwt_audience": AUDIENCE, **missing}
    with pytest.raises(ValidationError, match="NWD_JWT_ISSUER and NWD_JWT_AUDIENCE"):
        ServiceSettings(**given)
    with pytest.raises(ValueError, match="NWD_JWT_ISSUER and NWD_JWT_AUDIENCE"):
        JwksVerifier(given["jwks_url"], issuer=given["jwt_issuer"], audience=given["jwt_audience"], claim="nwd_org")
    # Without a JWKS, API keys alone: nothing to require.
    assert AuthSettings(jwks_url=None, jwt_issuer=None, jwt_audience=None).jwks_url is None


async def test_a_thousand_tokens_with_unknown_kids_fetch_the_jwks_at_most_once_a_minute(idp, clock):
    tokens = verifier(idp)
    await tokens.verify(idp.token())  # the first token fetches the keys
    assert idp.fetches == 1
    forged = [idp.token(kid=uuid.uuid4().hex, signer="k1") for _ in range(1000)]
    results = await asyncio.gather(*(tokens.verify(t) for t in forged), return_exceptions=True)
    assert all(isinstance(r, jwt.InvalidTokenError) for r in results)
    assert idp.fetches == 1, "within a minute of the last fetch: none"
    clock.now += 61
    results = await asyncio.gather(*(tokens.verify(t) for t in forged), return_exceptions=True)
    assert all(isinstance(r, jwt.InvalidTokenError) for r in results)
    assert idp.fetches == 2, "a thousand unknown kids at once: one fetch, the others waited for it"
    clock.now += 59
    await asyncio.gather(*(tokens.verify(t) for t in forged[:100]), return_exceptions=True)
    assert idp.fetches == 2, "within the minute: no fetch at all"
    clock.now += 2
    await asyncio.gather(*(tokens.verify(t) for t in forged[100:200]), return_exceptions=True)
    assert idp.fetches == 3, "a minute on: one more"
    # A key the provider really rotated in is found by the next allowed fetch.
    idp.keys["k2"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    clock.now += 61
    assert (await tokens.verify(idp.token(kid="k2")))["sub"] == "client-42"
    assert idp.fetches == 4


async def test_known_keys_are_still_accepted_while_a_refresh_fails(idp, clock):
    tokens = verifier(idp)
    await tokens.verify(idp.token())
    idp.failing = True
    clock.now += 3600  # long past the keys' age: a refresh is due, and fails
    assert (await tokens.verify(idp.token()))["sub"] == "client-42"
    assert idp.fetches == 2
    with pytest.raises(jwt.InvalidTokenError):
        await tokens.verify(idp.token(kid="unknown", signer="k1"))
    assert idp.fetches == 2  # the failed try counts: the next waits out the minute
    assert (await tokens.verify(idp.token()))["sub"] == "client-42"


async def test_a_small_clock_leeway_and_no_more(idp):
    tokens = verifier(idp)
    now = int(time.time())
    assert await tokens.verify(idp.token(exp=now - 10, iat=now - 300))
    assert await tokens.verify(idp.token(iat=now + 10, nbf=now + 10))
    with pytest.raises(jwt.ExpiredSignatureError):
        await tokens.verify(idp.token(exp=now - 60, iat=now - 300))
    with pytest.raises(jwt.ImmatureSignatureError):
        await tokens.verify(idp.token(nbf=now + 120))


def test_the_subject_is_bounded_and_printable_before_it_names_anyone():
    organisation = Organisation.model_validate({"id": "wsx-council", "name": "West Sussex", "kind": "council"})
    actor = _actor_of(organisation, {"sub": "a\nb\x00c" + "x" * 500, "name": "N\r\n" * 300})
    assert actor.id == "abc" + "x" * 61 and len(actor.id) == 64
    assert actor.name is not None and len(actor.name) <= 200 and "\n" not in actor.name
    # The credential the audit trail records is built from it: within its column (128).
    assert len(f"jwt:{actor.id}") <= 128
    assert _actor_of(organisation, {"sub": "\n\t"}).id == "?"
