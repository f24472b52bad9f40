"""Limits before authentication (issue 18, item 5): failed authentications per client address are
limited before any token is looked at, so neither bad keys nor tokens that would fetch the JWKS are
unlimited."""

from __future__ import annotations

import uuid

import pytest

from intake.config import Settings
from intake.main import create_app
from nwd_shared.testing import NO_BROKER, bearer, service_client

from .test_tokens import AUDIENCE, ISSUER, IdentityProvider

FAILURES = 5


@pytest.fixture(scope="module")
def idp():
    provider = IdentityProvider()
    yield provider
    provider.server.shutdown()


@pytest.fixture
async def intake(idp, tmp_path):
    async with service_client(create_app, Settings, "sqlite", NO_BROKER, tmp_path, jwks_url=idp.url,
                              jwt_issuer=ISSUER, jwt_audience=AUDIENCE,
                              auth_failures_per_minute=FAILURES) as client:
        yield client


async def test_failed_authentications_from_one_address_are_limited_before_the_key_is_checked(intake):
    answers = [(await intake.get("/v1/contacts/NWD-NONE-XIST", headers=bearer(f"guess-{n}"))).status_code
               for n in range(FAILURES + 3)]
    assert answers == [401] * FAILURES + [429] * 3
    # Past the allowance even a good key from that address waits: the limit comes before the check.
    limited = await intake.get("/v1/contacts/NWD-NONE-XIST", headers=bearer("demo-wsx-council-key"))
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert (await intake.get("/v1/contacts/NWD-NONE-XIST")).status_code == 429  # nor no key


async def test_tokens_with_made_up_kids_are_limited_and_fetch_the_jwks_at_most_once(intake, idp):
    fetched = idp.fetches
    answers = [(await intake.get("/v1/contacts/NWD-NONE-XIST",
                                 headers=bearer(idp.token(kid=uuid.uuid4().hex, signer="k1")))).status_code
               for _ in range(50)]
    assert answers == [401] * FAILURES + [429] * (50 - FAILURES)
    assert idp.fetches - fetched <= 1


async def test_successful_requests_do_not_spend_the_failure_allowance(intake):
    assert (await intake.get("/v1/contacts/NWD-NONE-XIST")).status_code == 401  # no key: a failure
    for _ in range(FAILURES * 4):
        assert (await intake.get("/v1/contacts/NWD-NONE-XIST",
                                 headers=bearer("demo-wsx-council-key"))).status_code == 404
    assert (await intake.get("/v1/contacts/NWD-NONE-XIST", headers=bearer("guess"))).status_code == 401
