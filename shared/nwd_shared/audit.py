"""The audit trail: who read or changed what, when and from where. Append-only: no update or delete."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from fastapi import Request
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nwd_shared.db import UtcDateTime


def define_audit_table(metadata: MetaData) -> Table:
    """Declare `audit_record` on a service's metadata."""
    return Table(
        "audit_record", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", UtcDateTime, nullable=False),
        Column("organisation_id", String(64), nullable=False),
        Column("credential_id", String(128), nullable=False),
        # read | create | update (of personal data or a case's state)
        Column("action", String(16), nullable=False),
        Column("resource", String(128), nullable=False),
        Column("reference", String(32), nullable=True),
        Column("client_address", String(64), nullable=True),
        Index("ix_audit_record_reference", "reference"),
    )


async def record(session: AsyncSession, table: Table, request: Request, *, action: str, resource: str,
                 reference: str | None) -> None:
    """Append one record for the authenticated caller of `request`, in the caller's transaction."""
    caller = request.state.caller
    await session.execute(insert(table).values(
        at=datetime.now(UTC), organisation_id=caller.organisation.id, credential_id=caller.credential_id,
        action=action, resource=resource, reference=reference,
        client_address=request.client.host if request.client else None,
    ))


async def trail(session: AsyncSession, table: Table, reference: str) -> list[dict]:
    """A contact's records, oldest first."""
    rows = await session.execute(select(table).where(table.c.reference == reference).order_by(table.c.id))
    return [dict(row._mapping) for row in rows]


def create_audit_table_v1() -> None:
    """Migration: create audit_record as of v1 (frozen; later changes add a v2)."""
    op.create_table(
        "audit_record",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("credential_id", sa.String(128), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("resource", sa.String(128), nullable=False),
        sa.Column("reference", sa.String(32), nullable=True),
        sa.Column("client_address", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_record"),
    )
    op.create_index("ix_audit_record_reference", "audit_record", ["reference"])


def drop_audit_table_v1() -> None:
    op.drop_index("ix_audit_record_reference", table_name="audit_record")
    op.drop_table("audit_record")
