"""Schemathesis over every service's OpenAPI schema: no 5xx, and every response matches its schema.

Real contacts, cases and referrals are made first (through intake's API and the broker), so that
cases also reach them rather than 404s: every operation is fuzzed on its own, once more with the
seeded objects' ids in its path, and then statefully, following the documents' OpenAPI links
(declared, or inferred by Schemathesis) from one call's response to the next call's parameters.
"""

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
from nwd_shared.testing import bearer, contact_payload, eventually, fresh_database, private_broker

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
# Stateful runs: scenarios of a few linked calls each, from every operation that starts a chain.
SCENARIOS = settings(max_examples=25, stateful_step_count=6, derandomize=True, database=None, deadline=None,
                     suppress_health_check=list(HealthCheck),
                     phases=[Phase.explicit, Phase.generate])


class Tally:
    """Cases run per service, the writes that succeeded, and the cases a server error answered (each
    is also a failure)."""

    def __init__(self) -> None:
        self.cases = 0
        self.writes = 0
        self.server_errors = 0

    def count(self, case, status_code: int) -> None:
        self.cases += 1
        self.writes += case.method.upper() in {"POST", "PUT", "PATCH", "DELETE"} and status_code < 300
        self.server_errors += status_code >= 500


def checks_for(path: str) -> list:
    return [response_schema_conformance] if path in DELIBERATE_503 else CHECKS


def run_operation(operation, tally: Tally, seeded: dict[str, str]) -> None:
    """Valid and invalid cases of one operation, then valid ones on the seeded objects' ids."""
    checks = checks_for(operation.path)

    def call(case) -> None:
        response = case.call(headers=KEY)
        tally.count(case, response.status_code)
        case.validate_response(response, checks=checks, headers=KEY)

    @EXAMPLES
    @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                          operation.as_strategy(GenerationMode.NEGATIVE)))
    def check(case) -> None:
        call(case)

    check()
    known = {name: seeded[name] for name in (p.name for p in operation.path_parameters) if name in seeded}
    if not known:
        return

    @EXAMPLES
    @given(case=operation.as_strategy(GenerationMode.POSITIVE))
    def check_seeded(case) -> None:
        case.path_parameters = {**(case.path_parameters or {}), **known}
        call(case)

    check_seeded()


def run_stateful(schema, tally: Tally) -> dict[str, str]:
    """Scenarios of linked calls (OpenAPI links): an earlier response's ids feed the next call.

    Returns each failing operation's first report. Failures are collected rather than raised: a
    scenario depends on the app's state, so Hypothesis could not replay one to shrink it anyway.
    """
    failures: dict[str, str] = {}

    class Linked(schema.as_state_machine()):
        def get_call_kwargs(self, case) -> dict:
            return {"headers": KEY}

        def after_call(self, response, case) -> None:
            tally.count(case, response.status_code)

        def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
            try:
                case.validate_response(response, checks=checks_for(case.operation.path), transport_kwargs=kwargs)
            except Exception as exc:  # noqa: BLE001 - one report per operation, every operation
                failures.setdefault(f"stateful {case.operation.label}", f"{type(exc).__name__}: {exc}")

    Linked.run(settings=SCENARIOS)
    return failures


def run_schema(schema, seeded: dict[str, str]) -> tuple[Tally, dict[str, str]]:
    """Every operation of a schema, then its stateful scenarios; the tally and each failure's report."""
    tally, failures = Tally(), {}
    for result in schema.get_all_operations():
        operation = result.ok()  # an operation Schemathesis cannot read fails the test right here
        try:
            run_operation(operation, tally, seeded)
        except Exception as exc:  # noqa: BLE001 - report every failing operation, not just the first
            failures[operation.label] = f"{type(exc).__name__}: {exc}"
    failures.update(run_stateful(schema, tally))
    return tally, failures


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


async def call(schema, method: str, path: str, **kwargs):
    """One request to a started app, on Schemathesis's thread as the cases run."""
    return await asyncio.to_thread(asgi.get_client(schema.app).request, method, path, headers=KEY, **kwargs)


async def seed(schemas) -> dict[str, str]:
    """A complaint the council owns (its case open) and one it refers to the trust, through intake's API
    and the broker; returns the ids the operations' path parameters take."""
    async def received(**overrides) -> str:
        answer = await call(schemas["intake"], "POST", "/v1/contacts", json=contact_payload(**overrides))
        assert answer.status_code == 202, answer.text
        return answer.json()["reference"]

    owned = await received()
    referred = await received(concerns=[{"service_type": "health", "area": "west-sussex"}],
                              description="The hospital discharged my father without a care plan.")

    async def case_opened():
        found = (await call(schemas["casework"], "GET", "/v1/cases", params={"reference": owned})).json()
        return found.get("items")

    async def referral_proposed():
        found = (await call(schemas["referral"], "GET", "/v1/referrals", params={"reference": referred})).json()
        return found.get("items")

    async def learned():
        return (await call(schemas["learning"], "GET", f"/v1/subjects/{owned}")).status_code == 200

    [case] = await eventually(case_opened, timeout=60, interval=0.5)
    [referral] = await eventually(referral_proposed, timeout=60, interval=0.5)
    await eventually(learned, timeout=60, interval=0.5)
    assert (await call(schemas["triage"], "GET", f"/v1/triage/{owned}")).status_code == 200
    return {"reference": owned, "case_id": case["id"], "referral_id": referral["id"]}


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
            seeded = await seed(schemas)
            for service, schema in schemas.items():
                tally, failed = await asyncio.to_thread(run_schema, schema, seeded)
                cases_run[service] = (tally.cases, tally.writes, tally.server_errors)
                failures.update({f"{service}: {label}": report for label, report in failed.items()})
        finally:
            await asyncio.to_thread(asgi.shutdown_lifespans)
    assert not failures, "\n\n".join(f"{label}\n{report}" for label, report in failures.items())
