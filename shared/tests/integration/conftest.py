"""A test-only service schema for exercising the messaging plumbing on its own."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table

from nwd_shared.db import new_metadata
from nwd_shared.messaging.tables import define_messaging_tables

# A test of the messaging tables themselves, so create_all stands in for a service's migrations.
metadata: MetaData = new_metadata()
tables = define_messaging_tables(metadata)
effect = Table(
    "effect", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reference", String(32), nullable=False),
    Column("event_id", String(64), nullable=False),
)
