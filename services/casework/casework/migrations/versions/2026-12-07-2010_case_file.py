"""The case file: notes, documents, correspondence and linked cases (issue 15)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "casework_0007"
down_revision = "casework_0006"
branch_labels = None
depends_on = None

# BIGINT autoincrement on PostgreSQL; SQLite only autoincrements INTEGER PRIMARY KEY.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _recorded() -> list[sa.Column]:
    """Who wrote an entry: the organisation, the person and the credential."""
    return [
        sa.Column("organisation_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=True),
        sa.Column("person_name", sa.String(200), nullable=True),
        sa.Column("credential_id", sa.String(128), nullable=True),
    ]


def _case_fk(table: str, column: str = "case_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["complaint_case.id"], name=f"fk_{table}_{column}_complaint_case")


def upgrade() -> None:
    op.create_table(
        "case_note",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("corrects", ID, nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_case_note"),
        _case_fk("case_note"),
        sa.ForeignKeyConstraint(["corrects"], ["case_note.id"], name="fk_case_note_corrects_case_note"),
    )
    op.create_index("ix_case_note_case_id", "case_note", ["case_id"])

    op.create_table(
        "case_document",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("description", sa.String(1000), nullable=True),
        sa.Column("scan", sa.String(16), nullable=False),
        sa.Column("scanner", sa.String(32), nullable=False),
        sa.Column("store", sa.String(16), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_case_document"),
        sa.UniqueConstraint("storage_key", name="uq_case_document_storage_key"),
        _case_fk("case_document"),
    )
    op.create_index("ix_case_document_case_id", "case_document", ["case_id"])

    op.create_table(
        "case_document_chunk",
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("storage_key", "seq", name="pk_case_document_chunk"),
    )

    op.create_table(
        "case_correspondence",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("correspondent", sa.String(200), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("document_id", ID, nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_case_correspondence"),
        _case_fk("case_correspondence"),
        sa.ForeignKeyConstraint(["document_id"], ["case_document.id"],
                                name="fk_case_correspondence_document_id_case_document"),
    )
    op.create_index("ix_case_correspondence_case_id", "case_correspondence", ["case_id"])

    op.create_table(
        "case_link",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("linked_case_id", sa.String(36), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("detail", sa.String(500), nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_case_link"),
        _case_fk("case_link"),
        _case_fk("case_link", "linked_case_id"),
        sa.UniqueConstraint("case_id", "linked_case_id", name="uq_case_link_case_id"),
    )
    op.create_index("ix_case_link_case_id", "case_link", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_case_link_case_id", table_name="case_link")
    op.drop_table("case_link")
    op.drop_index("ix_case_correspondence_case_id", table_name="case_correspondence")
    op.drop_table("case_correspondence")
    op.drop_table("case_document_chunk")
    op.drop_index("ix_case_document_case_id", table_name="case_document")
    op.drop_table("case_document")
    op.drop_index("ix_case_note_case_id", table_name="case_note")
    op.drop_table("case_note")
