"""What a document is, decided by its bytes, never by its name or the Content-Type the client sent."""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileType:
    """A kind of document the case file accepts: its media type and the extension it is served with."""

    name: str
    media_type: str
    extension: str


PDF = FileType("pdf", "application/pdf", "pdf")
PNG = FileType("png", "image/png", "png")
JPEG = FileType("jpeg", "image/jpeg", "jpg")
GIF = FileType("gif", "image/gif", "gif")
TIFF = FileType("tiff", "image/tiff", "tif")
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
DOC = FileType("doc", "application/msword", "doc")
EML = FileType("eml", "message/rfc822", "eml")
MSG = FileType("msg", "application/vnd.ms-outlook", "msg")
ACCEPTED = (PDF, PNG, JPEG, GIF, TIFF, DOCX, DOC, EML, MSG)

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_SIGNATURES = (
    (b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"GIF87a", GIF),
    (b"GIF89a", GIF), (b"II*\x00", TIFF), (b"MM\x00*", TIFF),
)
# An RFC 5322 header field: a name of printable ASCII without a colon, then a colon.
_HEADER = re.compile(rb"^[!-9;-~]+:")
_MAIL_HEADERS = {b"date", b"subject", b"to", b"cc", b"message-id", b"received", b"mime-version",
                 b"return-path", b"delivered-to", b"reply-to", b"sender"}
_HEAD = 16 * 1024


def detect(file: BinaryIO) -> FileType | None:
    """The accepted type the content is, or None: an executable named `.pdf` is None."""
    file.seek(0)
    head = file.read(_HEAD)
    file.seek(0)
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    if head.startswith(_ZIP):
        return DOCX if _is_word_package(file) else None
    if head.startswith(_OLE):
        return _ole_kind(file)
    return EML if _is_email(head) else None


def _is_word_package(file: BinaryIO) -> bool:
    """A Word document is a ZIP package with word/document.xml (ECMA-376 Part 2)."""
    try:
        with zipfile.ZipFile(file) as package:
            return "word/document.xml" in package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        file.seek(0)


def _is_email(head: bytes) -> bool:
    """An email: its first lines are header fields, with From and at least one other mail header."""
    block = head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if len(block) == len(head) and len(head) == _HEAD:
        return False  # no end of the header block in the first 16 KiB: not an email's headers
    names: set[bytes] = set()
    for line in block.replace(b"\r\n", b"\n").split(b"\n"):
        if line[:1] in (b" ", b"\t") and names:
            continue  # a folded header's continuation
        if not _HEADER.match(line):
            return False
        names.add(line.split(b":", 1)[0].lower())
    return b"from" in names and bool(names & _MAIL_HEADERS)


def _ole_kind(file: BinaryIO) -> FileType | None:
    """Word 97-2003 or an Outlook message, told apart by the streams the compound file holds."""
    try:
        names = _ole_stream_names(file)
    except (ValueError, struct.error, OSError):
        return None
    finally:
        file.seek(0)
    if "WordDocument" in names:
        return DOC
    if any(name.startswith("__substg1.0_") for name in names):
        return MSG
    return None


def _ole_stream_names(file: BinaryIO) -> set[str]:
    """The directory entry names of a Compound File Binary ([MS-CFB] §2.2, §2.6)."""
    file.seek(0)
    header = file.read(512)
    sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
    if sector_size not in (512, 4096):
        raise ValueError("not a compound file")
    first_directory, first_difat, difat_count = (struct.unpack_from("<I", header, offset)[0]
                                                 for offset in (0x30, 0x44, 0x48))

    def sector(number: int) -> bytes:
        file.seek((number + 1) * sector_size)
        data = file.read(sector_size)
        if len(data) != sector_size:
            raise ValueError("a sector beyond the end")
        return data

    fat_sectors = [n for n in struct.unpack_from("<109I", header, 0x4C) if n < 0xFFFFFFFA]
    per_sector = sector_size // 4
    next_difat = first_difat
    for _ in range(difat_count):
        entries = struct.unpack(f"<{per_sector}I", sector(next_difat))
        fat_sectors += [n for n in entries[:-1] if n < 0xFFFFFFFA]
        next_difat = entries[-1]
    fat: list[int] = []
    for number in fat_sectors:
        fat += struct.unpack(f"<{per_sector}I", sector(number))
    names: set[str] = set()
    current, seen = first_directory, set()
    while current < 0xFFFFFFFA and current not in seen and current < len(fat):
        seen.add(current)  # a loop in the chain would otherwise never end
        data = sector(current)
        for offset in range(0, sector_size, 128):
            length = struct.unpack_from("<H", data, offset + 64)[0]
            if 2 <= length <= 64:
                names.add(data[offset:offset + length - 2].decode("utf-16-le", errors="replace"))
        current = fat[current]
    return names


def safe_filename(name: str | None, kind: FileType) -> str:
    """A download name with no path, quotes or control characters, ending in the detected type's extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^A-Za-z0-9 ._-]+", "_", stem).strip(" ._")[:100] or "document"
    return f"{stem}.{kind.extension}"
