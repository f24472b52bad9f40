"""A broker outage loses nothing: the outbox row waits, then is published exactly as stored."""

from __future__ import annotations

import logging

from sqlalchemy import select

from intake.config import Settings
from intake.main import create_app
from intake.models import messaging
from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import free_port
from nwd_shared.kafka import ensure_topics
from nwd_shared.messaging import relay
from nwd_shared.testing import bearer, contact_payload, eventually, running_app, wait_for_record


async def test_contact_is_accepted_while_the_broker_is_down_and_delivered_when_it_is_back(
    database_url, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger=relay.__name__)
    port = free_port()
    bootstrap = f"127.0.0.1:{port}"
    app = create_app(Settings(database_url=database_url, kafka_bootstrap_servers=bootstrap))
    async with running_app(app) as client:
        response = await client.post("/v1/contacts", json=contact_payload(),
                                     headers=bearer("demo-wsx-council-key"))
        assert response.status_code == 202
        reference = response.json()["reference"]
        ready = await client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["broker"] != "ok"  # the outbox takes contacts

        async def outbox_row():
            async with app.state.runtime.sessions() as session:
                return (await session.execute(
                    select(messaging.outbox).where(messaging.outbox.c.key == reference))).one()

        # The relay tried to publish the row, failed, and backs off: the row waits unpublished.
        await eventually(lambda: [r for r in caplog.records if r.name == relay.__name__
                                  and r.getMessage().startswith("outbox relay waiting for the broker")])
        assert (await outbox_row()).published_at is None

        with TansuBroker(port=port, log_file=tmp_path / "tansu.log"):
            await ensure_topics(bootstrap)
            await eventually(lambda: _published(outbox_row), timeout=30)
            stored = await outbox_row()
            record = await wait_for_record(bootstrap, "nwd.contacts", lambda r: r.key == reference.encode())
            assert record.value == stored.payload
            assert [(k, v.decode()) for k, v in record.headers] == [tuple(h) for h in stored.headers]


async def _published(outbox_row) -> bool:
    return (await outbox_row()).published_at is not None
