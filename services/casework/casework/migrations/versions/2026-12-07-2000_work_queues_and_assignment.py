"""Work queues, search and assignment (issue 15).

case_assignment (who handles a case now), case_assignment_change (its history), case_search_text
(the contact's names and description) and three indexes on complaint_case for the queues. Full-text
search is the database's own: on PostgreSQL a stored tsvector with a GIN index, on SQLite an FTS5
table over case_search_text kept in step by triggers.

Revision ID: casework_0006
Revises: casework_0005
Create Date: 2026-12-07 20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "casework_0006"
down_revision = "casework_0005"
branch_labels = None
depends_on = None

FTS_COLUMNS = "reference, complainant_name, person_affected_name, description"
NEW_ROW = "new.reference, new.complainant_name, new.person_affected_name, new.description"
OLD_ROW = "old.reference, old.complainant_name, old.person_affected_name, old.description"
# An external-content FTS5 table: the words live once, in case_search_text; these keep its index in step.
SQLITE_FTS = [
    f"CREATE VIRTUAL TABLE case_search_fts USING fts5({FTS_COLUMNS}, content='case_search_text', "
    "content_rowid='id', tokenize='porter unicode61')",
    f"CREATE TRIGGER case_search_text_ai AFTER INSERT ON case_search_text BEGIN "
    f"INSERT INTO case_search_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_ROW}); END",
    f"CREATE TRIGGER case_search_text_ad AFTER DELETE ON case_search_text BEGIN "
    f"INSERT INTO case_search_fts(case_search_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD_ROW}); END",
    f"CREATE TRIGGER case_search_text_au AFTER UPDATE ON case_search_text BEGIN "
    f"INSERT INTO case_search_fts(case_search_fts, rowid, {FTS_COLUMNS}) VALUES ('delete', old.id, {OLD_ROW}); "
    f"INSERT INTO case_search_fts(rowid, {FTS_COLUMNS}) VALUES (new.id, {NEW_ROW}); END",
]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "case_assignment",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("handler", sa.String(64), nullable=False),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("assigned_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_assignment"),
        sa.ForeignKeyConstraint(["case_id"], ["complaint_case.id"],
                                name="fk_case_assignment_case_id_complaint_case"),
    )
    op.create_index("ix_case_assignment_handler", "case_assignment", ["handler"])
    op.create_index("ix_case_assignment_team", "case_assignment", ["team"])
    op.create_table(
        "case_assignment_change",
        sa.Column("id", big_id, nullable=False, autoincrement=True),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("handler", sa.String(64), nullable=False),
        sa.Column("team", sa.String(64), nullable=True),
        sa.Column("previous_handler", sa.String(64), nullable=True),
        sa.Column("previous_team", sa.String(64), nullable=True),
        sa.Column("reason", sa.String(2000), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_assignment_change"),
        sa.ForeignKeyConstraint(["case_id"], ["complaint_case.id"],
                                name="fk_case_assignment_change_case_id_complaint_case"),
    )
    op.create_index("ix_case_assignment_change_case_id", "case_assignment_change", ["case_id"])
    op.create_table(
        "case_search_text",
        sa.Column("id", sa.Integer(), nullable=False, autoincrement=True),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("received_by", sa.String(64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("complainant_name", sa.String(200), nullable=True),
        sa.Column("person_affected_name", sa.String(200), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("document", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_case_search_text"),
        sa.UniqueConstraint("reference", name="uq_case_search_text_reference"),
    )
    op.create_index("ix_case_search_text_received_at", "case_search_text", ["received_at"])
    # PostgreSQL searches the stored tsvector by this; on SQLite it indexes an empty column, FTS5 does the work.
    op.create_index("ix_case_search_text_document", "case_search_text", ["document"], postgresql_using="gin")
    # The queues' own indexes on the case: newest first a page at a time, an owner's cases at a stage,
    # and (PostgreSQL) the cases an organisation contributes to, by containment in the JSON list.
    op.create_index("ix_complaint_case_received_on_id", "complaint_case", ["received_on", "id"])
    op.create_index("ix_complaint_case_owner_status", "complaint_case", ["owner", "status"])
    if _sqlite():
        for statement in SQLITE_FTS:
            op.execute(statement)
    else:
        op.create_index("ix_complaint_case_contributors", "complaint_case",
                        [sa.text("CAST(contributors AS JSONB)")], postgresql_using="gin")


def downgrade() -> None:
    if _sqlite():
        for trigger in ("case_search_text_au", "case_search_text_ad", "case_search_text_ai"):
            op.execute(f"DROP TRIGGER {trigger}")
        op.execute("DROP TABLE case_search_fts")
    else:
        op.drop_index("ix_complaint_case_contributors", table_name="complaint_case")
    op.drop_index("ix_case_search_text_document", table_name="case_search_text")
    op.drop_index("ix_complaint_case_owner_status", table_name="complaint_case")
    op.drop_index("ix_complaint_case_received_on_id", table_name="complaint_case")
    op.drop_index("ix_case_search_text_received_at", table_name="case_search_text")
    op.drop_table("case_search_text")
    op.drop_index("ix_case_assignment_change_case_id", table_name="case_assignment_change")
    op.drop_table("case_assignment_change")
    op.drop_index("ix_case_assignment_team", table_name="case_assignment")
    op.drop_index("ix_case_assignment_handler", table_name="case_assignment")
    op.drop_table("case_assignment")
