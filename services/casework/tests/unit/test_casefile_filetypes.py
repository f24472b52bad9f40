"""A document's type is read from its bytes: what is accepted, what is refused, and the names served."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from casework.casefile import filetypes
from casework.casefile.scanning import ClamdScanner, ScannerUnavailable, Verdict


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def compound_file(*streams: str) -> bytes:
    """A minimal [MS-CFB] file: header, one FAT sector, one directory sector naming `streams`."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x2C, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0, 0)
    struct.pack_into("<108I", header, 0x50, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))
    directory = bytearray(512)
    for index, name in enumerate(("Root Entry", *streams)):
        encoded = name.encode("utf-16-le") + b"\0\0"
        directory[index * 128:index * 128 + len(encoded)] = encoded
        struct.pack_into("<H", directory, index * 128 + 64, len(encoded))
    return bytes(header) + fat + bytes(directory)


EMAIL = (b"Return-Path: <jo@example.org>\r\nFrom: Jo Bloggs <jo@example.org>\r\nTo: complaints@wsx.gov.uk\r\n"
         b"Subject: My mother's care plan\r\n  (continued)\r\nDate: Mon, 6 Jul 2026 10:00:00 +0100\r\n\r\n"
         b"Please find my complaint below.\r\n")


def kind_of(content: bytes) -> str | None:
    found = filetypes.detect(io.BytesIO(content))
    return found.name if found else None


@pytest.mark.parametrize(("content", "expected"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "pdf"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "png"),
    (b"\xff\xd8\xff\xe0\0\x10JFIF", "jpeg"),
    (b"GIF89a\x01\0\x01\0", "gif"),
    (b"II*\0\x08\0\0\0", "tiff"),
    (docx(), "docx"),
    (compound_file("WordDocument", "1Table"), "doc"),
    (compound_file("__substg1.0_0037001F", "__properties_version1.0"), "msg"),
    (EMAIL, "eml"),
])
def test_accepted_documents_are_known_by_their_content(content, expected):
    assert kind_of(content) == expected


@pytest.mark.parametrize("content", [
    b"\x7fELF\x02\x01\x01\0" + bytes(64),            # a Linux executable
    b"MZ\x90\0\x03\0\0\0" + bytes(64),               # a Windows executable
    b"#!/bin/sh\nrm -rf /\n",                         # a script
    b"<html><script>alert(1)</script></html>",        # a web page
    b"Just some words\nthat are not an email\n",
    b"From jo@example.org Mon Jul  6 10:00:00 2026\nSubject: x\n\nbody",  # an mbox line is not a header
    b"Subject: no sender\r\nDate: Mon, 6 Jul 2026 10:00:00 +0100\r\n\r\nbody",
    b"PK\x03\x04" + bytes(40),                        # a broken ZIP
    compound_file("Workbook"),                        # an Excel 97 file
])
def test_anything_else_is_refused_whatever_its_name(content):
    assert kind_of(content) is None


def test_a_zip_that_is_not_a_word_document_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("payload.exe", b"MZ")
    assert kind_of(buffer.getvalue()) is None


def test_detection_leaves_the_file_at_its_start():
    file = io.BytesIO(docx())
    filetypes.detect(file)
    assert file.tell() == 0


@pytest.mark.parametrize(("name", "kind", "served"), [
    ("care plan.pdf", filetypes.PDF, "care plan.pdf"),
    ("../../etc/passwd", filetypes.PDF, "passwd.pdf"),
    ('C:\\Users\\jo\\letter "final".docx', filetypes.DOCX, "letter _final.docx"),
    ("photo.pdf", filetypes.PNG, "photo.png"),        # served with the type its content is
    ("\r\nSet-Cookie: x=1", filetypes.EML, "Set-Cookie_ x_1.eml"),
    ("", filetypes.GIF, "document.gif"),
    (None, filetypes.JPEG, "document.jpg"),
])
def test_a_download_name_is_safe_and_carries_the_detected_extension(name, kind, served):
    assert filetypes.safe_filename(name, kind) == served


def test_clamd_replies_are_read_as_verdicts():
    assert ClamdScanner.verdict("stream: OK") == Verdict("clean")
    assert ClamdScanner.verdict("stream: Eicar-Test-Signature FOUND") == Verdict("infected", "Eicar-Test-Signature")
    with pytest.raises(ScannerUnavailable):
        ClamdScanner.verdict("INSTREAM size limit exceeded. ERROR")
