"""The outbox and inbox tables every service keeps in its own database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
)

from nwd_shared.db import UtcDateTime

# BIGINT autoincrement on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
OUTBOX_ID = BigInteger().with_variant(Integer(), "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    """A service's outbox and inbox."""

    outbox: Table
    inbox: Table


def define_messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare `outbox_message` and `inbox_message` on a service's metadata."""
    outbox = Table(
        "outbox_message",
        metadata,
        Column("id", OUTBOX_ID, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(128), nullable=False),
        Column("topic", String(255), nullable=False),
        # The aggregate: the contact reference, also the record key.
        Column("key", String(64), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("payload", LargeBinary, nullable=False),
        Column("created_at", UtcDateTime, nullable=False),
        Column("published_at", UtcDateTime, nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", String(1000), nullable=True),
        Index("ix_outbox_message_unpublished", "published_at", "id"),
    )
    inbox = Table(
        "inbox_message",
        metadata,
        Column("consumer", String(128), nullable=False),
        Column("event_id", String(255), nullable=False),
        Column("event_type", String(128), nullable=False),
        Column("processed_at", UtcDateTime, nullable=False),
        PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox_message"),
    )
    return MessagingTables(outbox=outbox, inbox=inbox)
