"""Every service's Alembic migrations build exactly the tables its models describe."""

from __future__ import annotations

import asyncio
import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from nwd_shared.migrations import upgrade
from nwd_shared.testing import DATABASES, fresh_database

SERVICES = ["intake", "triage", "casework", "referral", "learning"]
# SQLite full-text search lives in an FTS5 virtual table and the shadow tables SQLite makes for it
# (case_search_fts, case_search_fts_data, ...): a migration creates them, no model can describe them.
FTS5_TABLES = ("case_search_fts",)


def _modelled(name, type_, parent_names) -> bool:
    return not (type_ == "table" and name.startswith(FTS5_TABLES))


@pytest.mark.parametrize("kind", DATABASES)
@pytest.mark.parametrize("service", SERVICES)
async def test_the_migrations_build_exactly_the_tables_the_models_describe(service, kind, tmp_path):
    main = importlib.import_module(f"{service}.main")
    base = importlib.import_module(f"{service}.models").Base
    async with fresh_database(kind, tmp_path) as url:
        await asyncio.to_thread(upgrade, main.MIGRATIONS, url)
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                differences = await connection.run_sync(
                    lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"include_name": _modelled}),
                                              base.metadata))
        finally:
            await engine.dispose()
    assert differences == [], f"{service}: migrations and models differ"
