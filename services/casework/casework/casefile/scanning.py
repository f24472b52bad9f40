"""The malware-scan hook: nothing by default, or a ClamAV daemon a deployment points at."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterable
from dataclasses import dataclass
from typing import Literal, Protocol

from nwd_shared.errors import DomainError

ScanStatus = Literal["clean", "infected", "not_scanned"]


@dataclass(frozen=True)
class Verdict:
    """What a scanner made of a document; `signature` names what it found."""

    status: ScanStatus
    signature: str | None = None


class ScannerUnavailable(DomainError):
    """A scanner is configured but did not answer: nothing is stored unscanned."""

    status = 503

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"Retry-After": "30"})


class Scanner(Protocol):
    """Reads a document's bytes and says whether it carries malware."""

    name: str

    async def scan(self, chunks: AsyncIterable[bytes]) -> Verdict: ...


class NoScanner:
    """The default: documents are stored marked "not scanned"."""

    name = "none"

    async def scan(self, chunks: AsyncIterable[bytes]) -> Verdict:
        return Verdict("not_scanned")


class ClamdScanner:
    """A client of clamd's INSTREAM command over TCP (clamd(8): length-prefixed chunks, a zero to end)."""

    name = "clamd"

    def __init__(self, host: str, port: int, *, timeout: float = 30.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout

    async def scan(self, chunks: AsyncIterable[bytes]) -> Verdict:
        try:
            reply = await asyncio.wait_for(self._instream(chunks), self.timeout)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise ScannerUnavailable(f"the malware scanner did not answer ({type(exc).__name__}); "
                                     "nothing was stored") from None
        return self.verdict(reply)

    async def _instream(self, chunks: AsyncIterable[bytes]) -> str:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            # The z prefix: commands and replies end with a NUL, so a reply is read to its end.
            writer.write(b"zINSTREAM\0")
            async for chunk in chunks:
                writer.write(struct.pack(">I", len(chunk)) + chunk)
                await writer.drain()
            writer.write(struct.pack(">I", 0))
            await writer.drain()
            return (await reader.readuntil(b"\0"))[:-1].decode("utf-8", errors="replace").strip()
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    @staticmethod
    def verdict(reply: str) -> Verdict:
        """`stream: OK` is clean; `stream: <signature> FOUND` infected; anything else is an error."""
        if reply.endswith(": OK"):
            return Verdict("clean")
        if reply.endswith(" FOUND"):
            return Verdict("infected", reply.split(": ", 1)[-1].removesuffix(" FOUND"))
        raise ScannerUnavailable(f"the malware scanner answered an error ({reply[:200]}); nothing was stored")


def scanner_of(settings) -> Scanner:
    """The scanner the settings name (NWD_DOCUMENT_SCANNER)."""
    if settings.document_scanner == "clamd":
        return ClamdScanner(settings.clamd_host, settings.clamd_port, timeout=settings.clamd_timeout_seconds)
    return NoScanner()
