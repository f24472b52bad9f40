"""Readiness says what the pod can do: ready while its database answers, whatever the broker and partitions."""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path

from fastapi import APIRouter
from prometheus_client import REGISTRY
from sqlalchemy import text

from nwd_shared.app import Work, build_service_app
from nwd_shared.devstack.processes import free_port
from nwd_shared.http import PROBLEM_JSON
from nwd_shared.runtime import ConsumerSpec
from nwd_shared.settings import ServiceSettings
from nwd_shared.testing import NO_BROKER, eventually, running_app

from .conftest import create_topic, schema_engine, tables


async def ignore(session, event) -> None:
    return None


def consumer_spec(topic: str) -> ConsumerSpec:
    return ConsumerSpec(name="nwd-ready", topics=[topic], handlers=lambda _: {"nwd.case.closed.v1": ignore})


router = APIRouter()


@router.post("/v1/things", status_code=202)
async def take(work: Work) -> dict:
    """Touches the database, as every write does."""
    await work.session.execute(text("SELECT 1"))
    return {}


def service(database_url: str, bootstrap: str, topic: str, **settings):
    settings = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=bootstrap, migrate_on_start=False,
                               **settings)
    return build_service_app(settings=settings, title="t", tables=tables, migrations_dir=Path("."),
                             routers=[router], consumers=[consumer_spec(topic)])


async def create_tables(database_url: str) -> None:
    await (await schema_engine(database_url)).dispose()


async def test_a_pod_stays_ready_through_a_broker_outage_while_its_database_answers(database_url):
    await create_tables(database_url)
    async with running_app(service(database_url, NO_BROKER, "test.ready.none", service_name="no-broker")) as client:
        assert (await client.post("/v1/things")).status_code == 202
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["checks"] == {"database": "ok"}
        assert body["broker"] != "ok"
        # Never joined (no broker): reported, not a reason to take the pod out of service.
        assert list(body["consumers"].values()) == [{"joined": False, "partitions": 0}]


def assigned(service_name: str, group: str) -> float | None:
    return REGISTRY.get_sample_value("nwd_consumer_assigned_partitions",
                                     {"service": service_name, "consumer": group})


async def test_a_replica_with_no_partition_is_ready_and_its_assignment_is_a_metric(broker, database_url):
    topic = await create_topic(broker.bootstrap_servers, f"test.ready.{uuid.uuid4().hex[:8]}")
    await create_tables(database_url)
    prefix = f"ready-{uuid.uuid4().hex[:6]}-"
    group = prefix + "nwd-ready"
    # Two replicas of one service (one database, one group) and one partition: one of them idles.
    replicas = {name: service(database_url, broker.bootstrap_servers, topic, service_name=name,
                              kafka_group_prefix=prefix) for name in ("replica-a", "replica-b")}
    async with contextlib.AsyncExitStack() as stack:
        clients = {name: await stack.enter_async_context(running_app(app)) for name, app in replicas.items()}

        def settled() -> bool:
            counts = [assigned(name, group) for name in replicas]
            return None not in counts and sorted(counts) == [0, 1]

        await eventually(settled, timeout=60)
        for name, client in clients.items():
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            [consumer] = ready.json()["consumers"].values()
            assert consumer["partitions"] == assigned(name, group)


async def test_a_database_that_refuses_connections_answers_503_problem_json_with_retry_after():
    # Nothing listens on the port: asyncpg raises the socket's error (ConnectionRefusedError or
    # OSError), unwrapped by SQLAlchemy; before, that was a 500.
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere"
    async with running_app(service(url, NO_BROKER, "test.ready.none", service_name="no-database")) as client:
        refused = await client.post("/v1/things")
        assert refused.status_code == 503, refused.text
        assert refused.headers["content-type"] == PROBLEM_JSON
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["detail"].startswith("The database is unavailable")
        ready = await client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"] in {"ConnectionRefusedError", "OSError"}

