"""The intake floor: a bare FastAPI endpoint with the same body model inserting one row."""

from __future__ import annotations

import os
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import JSON, String, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from intake.schemas import ContactIn
from nwd_shared import db


class Base(DeclarativeBase):
    metadata = db.new_metadata()


class Row(Base):
    __tablename__ = "floor_row"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body: Mapped[dict] = mapped_column(JSON)


engine = db.create_engine(os.environ["FLOOR_DATABASE_URL"])


@asynccontextmanager
async def lifespan(_: FastAPI):
    # The floor is a benchmark's baseline table, not a service: create_all is its whole schema.
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield


app = FastAPI(lifespan=lifespan)


@app.post("/v1/contacts", status_code=202)
async def post(body: ContactIn) -> dict:
    reference = str(uuid.uuid4())
    async with engine.begin() as connection:
        await connection.execute(insert(Row).values(id=reference, body=body.model_dump(mode="json")))
    return {"reference": reference}
