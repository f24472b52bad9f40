"""Schemathesis over every service's OpenAPI schema: no 5xx, and every response matches its schema."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance

import casework.config
import casework.main
import intake.config
import intake.main
import learning.config
import learning.main
import referral.config
import referral.main
import triage.config
import triage.main
from nwd_shared.testing import bearer, eventually, fresh_database, private_broker

SERVICES = {
    "intake": (intake.main.create_app, intake.config.Settings, {}),
    "triage": (triage.main.create_app, triage.config.Settings, {}),
    "casework": (casework.main.create_app, casework.config.Settings, {}),
    # Webhook deliveries would go to the made-up URLs of generated subscriptions: never poll here.
    "referral": (referral.main.create_app, referral.config.Settings, {"webhook_poll_seconds": 86400}),
    "learning": (learning.main.create_app, learning.config.Settings, {}),
}
# A caller the directory knows, so cases get past authentication into the endpoints.
KEY = bearer("demo-wsx-council-key")
CHECKS = [not_a_server_error, response_schema_conformance]
# /readyz answers 503 by design whenever the database or broker is slow to answer (the service
# must then leave the load balancer), so there only the schema is checked.
DELIBERATE_503 = {"/readyz"}
# Bounded and reproducible: the same cases on every run, and a failure is shrunk to a small one.
EXAMPLES = settings(max_examples=8, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck),
                    phases=[Phase.explicit, Phase.generate, Phase.shrink])


def run_operation(operation) -> int:
    """Valid and invalid cases of one operation against the app; returns how many ran."""
    ran = 0
    checks = [response_schema_conformance] if operation.path in DELIBERATE_503 else CHECKS

    @EXAMPLES
    @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE)))
    def check(case) -> None:
        nonlocal ran
        ran += 1
        case.call_and_validate(headers=KEY, checks=checks)

    check()
    return ran


def run_schema(schema) -> tuple[int, dict[str, str]]:
    """Every operation of a schema; returns the cases run and each failing operation's report."""
    ran, failures = 0, {}
    for result in schema.get_all_operations():
        operation = result.ok()  # an operation Schemathesis cannot read fails the test right here
        try:
            ran += run_operation(operation)
        except Exception as exc:  # noqa: BLE001 - report every failing operation, not just the first
            failures[operation.label] = f"{type(exc).__name__}: {exc}"
    return ran, failures


def start(service: str, bootstrap: str, url: str):
    """A service's app, started in-process by Schemathesis; returns its schema."""
    create_app, settings_type, extra = SERVICES[service]
    # Thousands of calls with one key in seconds: the rate limit is not what is tested here.
    app = create_app(settings_type(database_url=url, kafka_bootstrap_servers=bootstrap,
                                   kafka_group_prefix=f"test-{uuid.uuid4().hex[:8]}-",
                                   rate_limit_per_minute=10**9, **extra))
    # Loading the schema starts the app's lifespan (migrations, relay, consumers) on Schemathesis's
    # own event loop in another thread, where every case then runs.
    return schemathesis.openapi.from_asgi("/openapi.json", app)


async def ready(schema) -> bool:
    response = await asyncio.to_thread(asgi.get_client(schema.app).get, "/readyz")
    return response.status_code == 200


@pytest.fixture(scope="module")
async def broker(tmp_path_factory):
    """A broker of this module's own, so the apps do not replay every earlier test's events."""
    async with private_broker(tmp_path_factory) as running:
        yield running


# The apps' background tasks (aiokafka picks brokers at random) run on Schemathesis's thread while
# Hypothesis generates, which Hypothesis takes for a strategy using `random`.
@pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")
async def test_every_schema_holds(broker, tmp_path, cases_run):
    """Generated requests to every operation of all five services: no 5xx, responses as declared."""
    # One test for all five, since Schemathesis's plugin stops every app it started after each test:
    # their consumer groups then join together rather than one after another.
    schemas, failures = {}, {}
    async with contextlib.AsyncExitStack() as stack:
        try:
            # One at a time: Alembic's migration context is global to the process (started together, they hung).
            for service in SERVICES:
                url = await stack.enter_async_context(fresh_database("sqlite", tmp_path))
                schemas[service] = await asyncio.to_thread(start, service, broker.bootstrap_servers, url)
            # /readyz is a deliberate 503 until a service's consumers join; fuzz ready services.
            for schema in schemas.values():
                await eventually(lambda schema=schema: ready(schema), timeout=90, interval=0.5)
            for service, schema in schemas.items():
                cases_run[service], failed = await asyncio.to_thread(run_schema, schema)
                failures.update({f"{service}: {label}": report for label, report in failed.items()})
        finally:
            await asyncio.to_thread(asgi.shutdown_lifespans)
    assert not failures, "\n\n".join(f"{label}\n{report}" for label, report in failures.items())
