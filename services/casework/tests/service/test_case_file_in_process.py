"""The case file: notes, documents, the correspondence log and linked cases, over HTTP on a real database."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from sqlalchemy import func, select, update

from casework.casefile import service as casefile
from casework.casefile.models import CaseDocument, CaseDocumentChunk
from casework.models import Case
from casework.models import audit as audit_table
from nwd_shared.retention import ANONYMISED
from nwd_shared.testing import bearer, deliver, new_reference, ownership_agreed

COUNCIL = bearer("demo-wsx-council-key")
ANA = bearer("demo-wsx-ana-key")
BEN = bearer("demo-wsx-ben-key")
ROB = bearer("demo-wsx-rob-key")
TRUST = bearer("demo-uhsussex-key")        # a contributor in these tests
STRANGER = bearer("demo-bh-council-key")   # neither owner nor contributor
OMBUDSMAN = bearer("demo-lgsco-key")
MiB = 1024 * 1024


async def open_case(casework, *, owner: str = "wsx-council", contributors: tuple = ("uhsussex",)) -> dict:
    reference = new_reference()
    await deliver(casework, ownership_agreed(reference, owner=owner, contributors=contributors))
    [case] = (await casework.get("/v1/cases", params={"reference": reference},
                                 headers=bearer(f"demo-{owner}-key"))).json()["items"]
    return case


def pdf(size: int) -> bytes:
    head = b"%PDF-1.7\n"
    return head + b"0" * (size - len(head))


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


EMAIL = (b"From: Jo Bloggs <jo@example.org>\r\nTo: complaints@wsx.gov.uk\r\nSubject: Care plan\r\n"
         b"Date: Mon, 6 Jul 2026 10:00:00 +0100\r\n\r\nMy complaint.\r\n")


async def upload(casework, case: dict, name: str, content: bytes, headers=ANA, **form):
    return await casework.post(f"/v1/cases/{case['id']}/documents", headers=headers, data=form,
                               files={"file": (name, content, "application/pdf")})


async def audited(casework, reference: str) -> list[tuple[str, str, str]]:
    async with casework.runtime.engine.connect() as connection:
        rows = await connection.execute(select(audit_table.c.action, audit_table.c.resource,
                                               audit_table.c.credential_id)
                                        .where(audit_table.c.reference == reference).order_by(audit_table.c.id))
        return [tuple(row) for row in rows]


# --- notes ---

async def test_a_note_records_the_person_who_wrote_it_and_when(casework):
    case = await open_case(casework)
    written = await casework.post(f"/v1/cases/{case['id']}/notes", headers=ANA,
                                  json={"text": "Called the care home; manager on leave until Monday."})
    assert written.status_code == 201, written.text
    note = written.json()
    assert note["author"] == {"organisation_id": "wsx-council", "person_id": "ana.patel", "name": "Ana Patel",
                              "credential_id": "ana-key"}
    assert note["written_at"] == casework.clock().isoformat().replace("+00:00", "Z")
    by_key = (await casework.post(f"/v1/cases/{case['id']}/notes", headers=COUNCIL, json={"text": "Imported."})).json()
    # The organisation's own key is a system: no person, the credential is recorded.
    assert by_key["author"] == {"organisation_id": "wsx-council", "person_id": None, "name": None,
                                "credential_id": "primary"}
    assert ("create", "case.note", "ana-key") in await audited(casework, case["reference"])


async def test_notes_are_append_only_and_a_correction_is_a_new_note_naming_the_old(casework):
    case = await open_case(casework)
    notes = f"/v1/cases/{case['id']}/notes"
    first = (await casework.post(notes, headers=ANA, json={"text": "Spoke to Mrs Smith on 3 July."})).json()
    for method in ("PUT", "PATCH", "DELETE"):
        refused = await casework.request(method, f"{notes}/{first['id']}", headers=ANA, json={"text": "x"})
        assert refused.status_code == 405, (method, refused.text)
    assert (await casework.delete(notes, headers=ANA)).status_code == 405

    fixed = await casework.post(notes, headers=BEN, json={"text": "It was 2 July, not 3 July.",
                                                          "corrects": first["id"]})
    assert fixed.status_code == 201 and fixed.json()["corrects"] == first["id"]
    items = (await casework.get(notes, headers=ANA)).json()["items"]
    assert [n["text"] for n in items] == ["Spoke to Mrs Smith on 3 July.", "It was 2 July, not 3 July."]
    assert items[0]["corrected_by"] == [fixed.json()["id"]] and items[1]["corrected_by"] == []
    one = (await casework.get(f"{notes}/{first['id']}", headers=ANA)).json()
    assert one["text"] == "Spoke to Mrs Smith on 3 July." and one["corrected_by"] == [fixed.json()["id"]]


async def test_a_correction_must_name_a_note_of_the_same_case(casework):
    case, other = await open_case(casework), await open_case(casework)
    elsewhere = (await casework.post(f"/v1/cases/{other['id']}/notes", headers=ANA, json={"text": "x"})).json()
    refused = await casework.post(f"/v1/cases/{case['id']}/notes", headers=ANA,
                                  json={"text": "fix", "corrects": elsewhere["id"]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "corrects"


async def test_a_contributor_keeps_its_own_notes_and_the_owner_reads_them_all(casework):
    case = await open_case(casework)
    notes = f"/v1/cases/{case['id']}/notes"
    await casework.post(notes, headers=ANA, json={"text": "Council's note."})
    added = await casework.post(notes, headers=TRUST, json={"text": "Trust's note on its part."})
    assert added.status_code == 201
    assert [n["text"] for n in (await casework.get(notes, headers=TRUST)).json()["items"]] == [
        "Trust's note on its part."]
    assert len((await casework.get(notes, headers=ANA)).json()["items"]) == 2


async def test_reports_only_staff_read_no_case_file(casework):
    case = await open_case(casework)
    for path in ("notes", "documents", "correspondence", "links"):
        assert (await casework.get(f"/v1/cases/{case['id']}/{path}", headers=ROB)).status_code == 403


@pytest.mark.parametrize("who", [STRANGER, OMBUDSMAN])
async def test_other_organisations_learn_nothing_of_the_case_file(casework, who):
    case = await open_case(casework)
    note = (await casework.post(f"/v1/cases/{case['id']}/notes", headers=ANA, json={"text": "x"})).json()
    document = (await upload(casework, case, "a.pdf", pdf(100))).json()
    base = f"/v1/cases/{case['id']}"
    for method, path, body in [
        ("GET", "/notes", None), ("POST", "/notes", {"text": "x"}), ("GET", f"/notes/{note['id']}", None),
        ("GET", "/documents", None), ("GET", f"/documents/{document['id']}", None),
        ("GET", "/correspondence", None),
        ("POST", "/correspondence", {"occurred_on": "2026-07-01", "channel": "phone", "direction": "in",
                                     "summary": "x"}),
        ("GET", "/links", None), ("POST", "/links", {"case_id": case["id"], "reason": "other"}),
        ("DELETE", f"/links/{case['id']}", None),
    ]:
        answer = await casework.request(method, base + path, headers=who, json=body)
        assert answer.status_code == 404, (method, path, answer.text)
    uploaded = await upload(casework, case, "a.pdf", pdf(100), headers=who)
    assert uploaded.status_code == 404


# --- documents ---

async def test_a_20_mib_document_is_stored_with_its_size_and_sha256(casework):
    case = await open_case(casework)
    content = pdf(20 * MiB)
    stored = await upload(casework, case, "care-plan.pdf", content, description="The care plan Jo sent")
    assert stored.status_code == 201, stored.text
    document = stored.json()
    assert document["size"] == 20 * MiB and document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["content_type"] == "application/pdf" and document["scan"] == "not_scanned"
    assert document["filename"] == "care-plan.pdf" and document["description"] == "The care plan Jo sent"
    async with casework.runtime.engine.connect() as connection:
        chunks = await connection.scalar(
            select(func.count()).select_from(CaseDocumentChunk)
            .join(CaseDocument, CaseDocument.storage_key == CaseDocumentChunk.storage_key)
            .where(CaseDocument.id == document["id"]))
    assert chunks == 20  # kept in 1 MiB chunks, never one 20 MiB value

    downloaded = await casework.get(f"/v1/cases/{case['id']}/documents/{document['id']}", headers=ANA)
    assert downloaded.status_code == 200
    assert len(downloaded.content) == 20 * MiB and hashlib.sha256(downloaded.content).hexdigest() == document["sha256"]


async def test_a_document_one_byte_over_20_mib_is_refused_with_413_and_not_stored(casework):
    case = await open_case(casework)
    refused = await upload(casework, case, "big.pdf", pdf(20 * MiB + 1))
    assert refused.status_code == 413, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert (await casework.get(f"/v1/cases/{case['id']}/documents", headers=ANA)).json()["items"] == []


async def test_a_body_far_over_the_limit_is_refused_before_it_is_read(casework):
    case = await open_case(casework)
    refused = await upload(casework, case, "huge.pdf", pdf(22 * MiB))
    assert refused.status_code == 413
    assert "request body is over" in refused.json()["detail"]


async def test_other_routes_keep_the_1_mib_body_limit(casework):
    case = await open_case(casework)
    refused = await casework.post(f"/v1/cases/{case['id']}/notes", headers=ANA, json={"text": "x" * (MiB + 10)})
    assert refused.status_code == 413


async def test_an_executable_named_pdf_is_refused_with_415(casework):
    case = await open_case(casework)
    elf = b"\x7fELF\x02\x01\x01\0" + bytes(4096)
    refused = await upload(casework, case, "care-plan.pdf", elf)
    assert refused.status_code == 415, refused.text
    assert "not the name" in refused.json()["detail"]
    exe = await upload(casework, case, "letter.pdf", b"MZ\x90\0" + bytes(1024))
    assert exe.status_code == 415


async def test_word_and_email_documents_are_recognised_by_content(casework):
    case = await open_case(casework)
    word = (await upload(casework, case, "statement.bin", docx())).json()
    mail = (await upload(casework, case, "message.txt", EMAIL)).json()
    assert word["content_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert mail["content_type"] == "message/rfc822"


async def test_a_download_is_an_attachment_never_shown_inline(casework):
    case = await open_case(casework)
    document = (await upload(casework, case, "../evil<script>name.pdf", EMAIL)).json()
    answer = await casework.get(f"/v1/cases/{case['id']}/documents/{document['id']}", headers=ANA)
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == 'attachment; filename="evil_script_name.eml"'
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-type"].startswith("message/rfc822")
    assert answer.headers["content-length"] == str(len(EMAIL)) and answer.content == EMAIL
    assert ("read", "case.document", "ana-key") in await audited(casework, case["reference"])


async def test_documents_are_listed_without_their_bytes(casework):
    case = await open_case(casework)
    await upload(casework, case, "a.pdf", pdf(1000))
    await upload(casework, case, "b.docx", docx(), headers=TRUST)
    owner_sees = (await casework.get(f"/v1/cases/{case['id']}/documents", headers=ANA)).json()["items"]
    assert [d["filename"] for d in owner_sees] == ["a.pdf", "b.docx"] and "content" not in owner_sees[0]
    trust_sees = (await casework.get(f"/v1/cases/{case['id']}/documents", headers=TRUST)).json()["items"]
    assert [d["filename"] for d in trust_sees] == ["b.docx"]
    # The owner's document is not the contributor's to download.
    assert (await casework.get(f"/v1/cases/{case['id']}/documents/{owner_sees[0]['id']}",
                               headers=TRUST)).status_code == 404


async def test_an_upload_needs_the_cases_write_scope(casework):
    case = await open_case(casework)
    assert (await upload(casework, case, "a.pdf", pdf(100), headers=ROB)).status_code == 403


# --- correspondence ---

async def test_correspondence_is_logged_in_the_order_it_happened_with_its_document(casework):
    case = await open_case(casework)
    letter = (await upload(casework, case, "letter.pdf", pdf(500))).json()
    log = f"/v1/cases/{case['id']}/correspondence"
    call = await casework.post(log, headers=ANA, json={
        "occurred_on": "2026-07-01", "channel": "phone", "direction": "in", "correspondent": "Jo Bloggs",
        "summary": "Jo called to ask when the response is due."})
    sent = await casework.post(log, headers=ANA, json={
        "occurred_on": "2026-06-30", "channel": "letter", "direction": "out", "summary": "Acknowledgement sent.",
        "document_id": letter["id"]})
    assert call.status_code == 201 and sent.status_code == 201, sent.text
    items = (await casework.get(log, headers=ANA)).json()["items"]
    assert [(i["channel"], i["direction"], i["document_id"]) for i in items] == [
        ("letter", "out", letter["id"]), ("phone", "in", None)]
    assert items[1]["recorded_by"]["person_id"] == "ana.patel" and items[1]["correspondent"] == "Jo Bloggs"


async def test_correspondence_may_link_only_a_document_of_its_own_case(casework):
    case, other = await open_case(casework), await open_case(casework)
    elsewhere = (await upload(casework, other, "x.pdf", pdf(100))).json()
    refused = await casework.post(f"/v1/cases/{case['id']}/correspondence", headers=ANA, json={
        "occurred_on": "2026-07-01", "channel": "email", "direction": "in", "summary": "x",
        "document_id": elsewhere["id"]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "document_id"


async def test_correspondence_cannot_be_dated_in_the_future_or_by_an_unknown_channel(casework):
    case = await open_case(casework)
    log = f"/v1/cases/{case['id']}/correspondence"
    future = await casework.post(log, headers=ANA, json={"occurred_on": "2026-07-03", "channel": "email",
                                                         "direction": "in", "summary": "x"})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "occurred_on"
    pigeon = await casework.post(log, headers=ANA, json={"occurred_on": "2026-07-01", "channel": "pigeon",
                                                         "direction": "in", "summary": "x"})
    assert pigeon.status_code == 422


# --- linked cases ---

async def test_a_link_is_seen_from_both_cases_and_removed_from_both(casework):
    first, second = await open_case(casework), await open_case(casework)
    linked = await casework.post(f"/v1/cases/{first['id']}/links", headers=ANA,
                                 json={"reference": second["reference"], "reason": "same_person"})
    assert linked.status_code == 201, linked.text
    assert linked.json()["case_id"] == second["id"] and linked.json()["reason"] == "same_person"
    back = (await casework.get(f"/v1/cases/{second['id']}/links", headers=BEN)).json()["items"]
    assert [(link["case_id"], link["reference"], link["reason"]) for link in back] == [
        (first["id"], first["reference"], "same_person")]
    again = await casework.post(f"/v1/cases/{second['id']}/links", headers=ANA,
                                json={"case_id": first["id"], "reason": "same_incident"})
    assert again.status_code == 409

    removed = await casework.delete(f"/v1/cases/{second['id']}/links/{first['id']}", headers=ANA)
    assert removed.status_code == 204
    assert (await casework.get(f"/v1/cases/{first['id']}/links", headers=ANA)).json()["items"] == []
    assert (await casework.get(f"/v1/cases/{second['id']}/links", headers=ANA)).json()["items"] == []
    assert (await casework.delete(f"/v1/cases/{second['id']}/links/{first['id']}", headers=ANA)).status_code == 404


async def test_links_join_only_cases_the_caller_owns(casework):
    ours = await open_case(casework)
    theirs = await open_case(casework, owner="bh-council", contributors=())
    for body in ({"case_id": theirs["id"]}, {"reference": theirs["reference"]}, {"case_id": ours["id"]}):
        refused = await casework.post(f"/v1/cases/{ours['id']}/links", headers=ANA,
                                      json={**body, "reason": "same_incident"})
        assert refused.status_code == 422, body
    # A contributor sees the case but links are the owner's.
    assert (await casework.get(f"/v1/cases/{ours['id']}/links", headers=TRUST)).status_code == 403
    both = await casework.post(f"/v1/cases/{ours['id']}/links", headers=ANA,
                               json={"case_id": ours["id"], "reference": ours["reference"], "reason": "other"})
    assert both.status_code == 422


# --- retention ---

async def test_retention_blanks_the_case_file_and_deletes_the_documents_bytes(casework):
    case, kept = await open_case(casework), await open_case(casework)
    base = f"/v1/cases/{case['id']}"
    await casework.post(f"{base}/notes", headers=ANA, json={"text": "Mrs Smith's daughter rang."})
    document = (await upload(casework, case, "care-plan.pdf", pdf(2 * MiB), description="Mrs Smith's plan")).json()
    await casework.post(f"{base}/correspondence", headers=ANA, json={
        "occurred_on": "2026-07-01", "channel": "phone", "direction": "in", "correspondent": "Jo Smith",
        "summary": "Asked for an update.", "document_id": document["id"]})
    await casework.post(f"/v1/cases/{kept['id']}/notes", headers=ANA, json={"text": "Untouched."})

    async with casework.runtime.sessions() as session, session.begin():
        await casefile.forget(session, [case["id"]], ANONYMISED)
        await session.execute(update(Case).where(Case.id == case["id"]).values(anonymised_at=casework.clock()))

    [note] = (await casework.get(f"{base}/notes", headers=ANA)).json()["items"]
    [entry] = (await casework.get(f"{base}/correspondence", headers=ANA)).json()["items"]
    [listed] = (await casework.get(f"{base}/documents", headers=ANA)).json()["items"]
    assert note["text"] == ANONYMISED and entry["summary"] == ANONYMISED and entry["correspondent"] == ANONYMISED
    assert (entry["channel"], entry["occurred_on"], entry["document_id"]) == ("phone", "2026-07-01", document["id"])
    assert listed["filename"] == ANONYMISED and listed["description"] == ANONYMISED
    assert (listed["size"], listed["sha256"]) == (document["size"], document["sha256"])
    async with casework.runtime.engine.connect() as connection:
        left = await connection.scalar(select(func.count()).select_from(CaseDocumentChunk)
                                       .where(CaseDocumentChunk.storage_key.in_(
                                           select(CaseDocument.storage_key).where(CaseDocument.case_id == case["id"]))))
    assert left == 0
    assert (await casework.get(f"{base}/documents/{document['id']}", headers=ANA)).status_code == 409
    assert (await casework.post(f"{base}/notes", headers=ANA, json={"text": "x"})).status_code == 409
    untouched = (await casework.get(f"/v1/cases/{kept['id']}/notes", headers=ANA)).json()["items"]
    assert [n["text"] for n in untouched] == ["Untouched."]
