"""Where documents' bytes live: the service's database by default, behind a small protocol."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from casework.casefile import repository

# Bytes per stored chunk and per read: a download never holds more than this in memory.
CHUNK_BYTES = 1024 * 1024


class DocumentStore(Protocol):
    """Keeps a document's bytes under a key; `put` joins the request's transaction where it can."""

    name: str

    async def put(self, session: AsyncSession, key: str, chunks: AsyncIterable[bytes]) -> None: ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...


class DatabaseStore:
    """Bytes in `case_document_chunk`: stored in the same transaction as the document's description."""

    name = "database"

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def put(self, session: AsyncSession, key: str, chunks: AsyncIterable[bytes]) -> None:
        seq = 0
        async for chunk in chunks:
            await repository.add_chunk(session, key, seq, chunk)
            seq += 1

    async def read(self, key: str) -> AsyncIterator[bytes]:
        # A short session per chunk: a slow download holds no connection (SQLite has only one).
        seq = 0
        while True:
            async with self._sessions() as session:
                chunk = await repository.chunk(session, key, seq)
            if chunk is None:
                return
            yield chunk
            seq += 1


def store_of(settings, sessions: async_sessionmaker[AsyncSession]) -> DocumentStore:
    """The store NWD_DOCUMENT_STORE names; only `database` is built (the setting refuses others)."""
    if settings.document_store != "database":
        raise ValueError(f"NWD_DOCUMENT_STORE={settings.document_store} is not built; use database")
    return DatabaseStore(sessions)
