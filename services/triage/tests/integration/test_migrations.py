"""The triage migrations upgrade a database that already holds decisions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import text

from nwd_shared import db, migrations
from triage.main import MIGRATIONS


async def test_decisions_made_before_the_review_queue_are_visible_to_their_organisations(database_url):
    await asyncio.to_thread(migrations.upgrade, MIGRATIONS, database_url, "triage_0001")
    engine = db.create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO triage_decision (reference, received_by, received_at, kind, route, "
                "safeguarding_categories, responsible_organisations, reasons, out_of_time, needs_consent, "
                "needs_review, decided_at) VALUES ('NWD-OLD1', 'uhsussex-pals', :at, 'complaint', 'complaint', "
                "'[]', '[\"wsx-council\"]', '[\"old\"]', false, false, true, :at)"), {"at": datetime.now(UTC)})
        await asyncio.to_thread(migrations.upgrade, MIGRATIONS, database_url)
        async with engine.connect() as connection:
            visible = (await connection.execute(text(
                "SELECT organisation_id FROM triage_decision_organisation WHERE reference = 'NWD-OLD1' "
                "ORDER BY organisation_id"))).scalars().all()
            summary, areas = (await connection.execute(text(
                "SELECT summary, areas FROM triage_decision WHERE reference = 'NWD-OLD1'"))).one()
    finally:
        await engine.dispose()
    assert visible == ["uhsussex-pals", "wsx-council"]
    assert summary == "" and areas in ("[]", [])
