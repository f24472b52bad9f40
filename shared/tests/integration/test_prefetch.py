"""A batch's prefetch: lookups it covers cost no query, and rows added or deleted since are seen."""

from __future__ import annotations

import pytest
from sqlalchemy import String, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from nwd_shared import db
from nwd_shared.testing import fresh_database


class Base(DeclarativeBase):
    metadata = db.new_metadata()


class Person(Base):
    __tablename__ = "person"
    reference: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(32))


class Fact(Base):
    __tablename__ = "fact"
    event_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)


@pytest.fixture(params=["sqlite", "postgres"])
async def sessions(request, tmp_path):
    async with fresh_database(request.param, tmp_path) as url:
        engine = db.create_engine(url)
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
        async with db.session_factory(engine)() as session, session.begin():
            session.add_all([Person(reference="R1", name="Ann"), Fact(event_id="e1", metric="m1")])
        statements: list[str] = []
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda _c, _cur, statement, *_: statements.append(statement))
        yield db.session_factory(engine), statements
        await engine.dispose()


async def test_covered_lookups_need_no_query_and_see_rows_added_or_deleted_since(sessions):
    factory, statements = sessions
    async with factory() as session, session.begin():
        loaded = await db.load_rows(session, Person.reference, ["R1", "R2"])
        assert [p.name for p in loaded] == ["Ann"]
        statements.clear()
        assert (await db.get_row(session, Person, "R1")).name == "Ann"
        assert await db.get_row(session, Person, "R2") is None
        added = Person(reference="R2", name="Bo")
        session.add(added)
        assert await db.get_row(session, Person, "R2") is added
        assert statements == []  # no SELECT and no autoflush of the pending row
        await session.delete(loaded[0])
        await session.flush()
        assert await db.get_row(session, Person, "R1") is None
        statements.clear()
        assert await db.get_row(session, Person, "R3") is None  # not covered: asked of the database
        assert len(statements) == 1


async def test_a_composite_key_is_covered_by_its_leading_column(sessions):
    factory, statements = sessions
    async with factory() as session, session.begin():
        await db.load_rows(session, Fact.event_id, ["e1", "e2"])
        statements.clear()
        assert await db.get_row(session, Fact, ("e1", "m1")) is not None
        assert await db.get_row(session, Fact, ("e1", "m2")) is None
        assert await db.get_row(session, Fact, ("e2", "m1")) is None
        assert statements == []


async def test_without_a_prefetch_get_row_is_session_get(sessions):
    factory, statements = sessions
    async with factory() as session, session.begin():
        statements.clear()
        assert (await db.get_row(session, Person, "R1")).name == "Ann"
        assert await db.get_row(session, Person, "R9") is None
        assert len(statements) == 2
