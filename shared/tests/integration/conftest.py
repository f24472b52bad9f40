"""A test-only service schema for exercising the messaging plumbing on its own."""

from __future__ import annotations

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import Column, Integer, MetaData, String, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from nwd_shared import db
from nwd_shared.events import dead_letter_topic
from nwd_shared.messaging.tables import define_messaging_tables

# A test of the messaging tables themselves, so create_all stands in for a service's migrations.
metadata: MetaData = db.new_metadata()
tables = define_messaging_tables(metadata)
effect = Table(
    "effect", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(32), nullable=False),
    Column("event_id", String(64), nullable=False),
)


async def schema_engine(url: str) -> AsyncEngine:
    """An engine on a database holding the test schema."""
    engine = db.create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    return engine


async def create_topic(bootstrap: str, topic: str, partitions: int = 1) -> str:
    """Create a topic and its dead-letter topic; returns the topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1), NewTopic(dead_letter_topic(topic), 1, 1)])
    finally:
        await admin.close()
    return topic
