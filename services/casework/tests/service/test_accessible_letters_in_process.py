"""Accessible letters over HTTP (issue 19): the contact's needs choose the format or raise a task."""

from __future__ import annotations

import io
import re

import pypdf

from nwd_shared.events.contacts import CommunicationNeeds
from nwd_shared.testing import bearer

from .test_complaint_life_in_process import COUNCIL, STRANGER, ok, opened

PDF = {**COUNCIL, "Accept": "application/pdf"}
NAMES = ["Zoë Brontë", "Żaneta Łukasiewicz-Gęś", "Nguyễn Thị Minh Khai", "محمد عبد الله", "王秀英"]


async def acknowledged(casework, needs: dict | None = None, name: str = "Ann Example") -> dict:
    case = await opened(casework, contact_of={"communication_needs": CommunicationNeeds(**needs) if needs else None})
    await ok(casework, case, "acknowledge", {"complainant": {"name": name, "address": ["1 High Street"]}})
    return case


def sizes(document: bytes) -> set[float]:
    reader = pypdf.PdfReader(io.BytesIO(document))
    return {float(s) for page in reader.pages
            for s in re.findall(rb"/F\d+ ([\d.]+) Tf", page.get_contents().get_data())}


def text_of(document: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(document)).pages)


async def test_a_letter_names_a_person_in_five_scripts_exactly_in_a_tagged_pdf(casework):
    case = await acknowledged(casework, name=", ".join(NAMES))
    answer = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement", headers=PDF)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    text = text_of(answer.content)
    for name in NAMES:
        assert name in text
    catalog = pypdf.PdfReader(io.BytesIO(answer.content)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == "en-GB"
    assert pypdf.PdfReader(io.BytesIO(answer.content)).metadata.title.startswith("We have received your complaint")


async def test_a_need_for_large_print_yields_the_large_print_pdf(casework):
    case = await acknowledged(casework, {"large_print": True})
    answer = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement", headers=PDF)
    assert answer.status_code == 200 and min(sizes(answer.content)) >= 16
    assert "large-print.pdf" in answer.headers["content-disposition"] and "nwd-letter-tasks" not in answer.headers
    page = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement", headers=COUNCIL)
    assert "font-size: 1.5rem" in page.text
    # Without the need the letter is standard print, unless large print is asked for.
    other = await acknowledged(casework)
    standard = await casework.get(f"/v1/cases/{other['id']}/letters/acknowledgement", headers=PDF)
    assert min(sizes(standard.content)) == 12
    asked = await casework.get(f"/v1/cases/{other['id']}/letters/acknowledgement?format=large_print",
                               headers=COUNCIL)
    assert asked.headers["content-type"] == "application/pdf" and min(sizes(asked.content)) >= 16


async def test_a_need_for_braille_yields_a_task_on_the_case_once_and_a_person_marks_it_done(casework):
    case = await acknowledged(casework, {"other": "Braille"})
    answer = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement", headers=PDF)
    assert answer.status_code == 200
    [(task_id, need)] = [part.split("=") for part in answer.headers["nwd-letter-tasks"].split(", ")]
    assert need == "braille" and f"/v1/cases/{case['id']}/letter-tasks" in answer.headers["link"]
    again = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement?format=text", headers=COUNCIL)
    assert again.headers["nwd-letter-tasks"] == f"{task_id}=braille"
    [task] = (await casework.get(f"/v1/cases/{case['id']}/letter-tasks", headers=COUNCIL)).json()
    assert (task["need"], task["letter"], task["done_at"]) == ("braille", "acknowledgement", None)
    assert "Braille" in task["detail"]
    assert (await casework.get(f"/v1/cases/{case['id']}/letter-tasks", headers=STRANGER)).status_code == 404
    done = await casework.post(f"/v1/cases/{case['id']}/letter-tasks/{task_id}/done",
                               json={"note": "Sent to the transcription service."}, headers=COUNCIL)
    assert done.status_code == 200 and done.json()["done_at"] and done.json()["done_by"]
    after = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement", headers=COUNCIL)
    assert "nwd-letter-tasks" not in after.headers


async def test_a_language_other_than_english_raises_a_translation_task(casework):
    case = await acknowledged(casework, {"language": "Polish", "large_print": True})
    answer = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement", headers=PDF)
    assert answer.headers["nwd-letter-tasks"].endswith("=translation") and min(sizes(answer.content)) >= 16


async def test_the_plain_text_letter_is_an_email_body(casework):
    case = await acknowledged(casework, name=NAMES[3])
    answer = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement",
                                headers={**COUNCIL, "Accept": "text/plain"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    assert f"Dear {NAMES[3]}," in answer.text and "<p>" not in answer.text and case["reference"] in answer.text
    refused = await casework.get(f"/v1/cases/{case['id']}/letters/acknowledgement",
                                 headers={**COUNCIL, "Accept": "application/json"})
    assert refused.status_code == 406


async def test_an_organisation_previews_a_template_with_sample_data(casework):
    page = await casework.get("/v1/letter-templates/final-response/preview", headers=COUNCIL)
    assert page.status_code == 200 and "Alex Sample" in page.text and "NWD-PREVIEW" in page.text
    document = await casework.get("/v1/letter-templates/acknowledgement/preview?format=large_print",
                                  headers=bearer("demo-bh-council-key"))
    assert document.headers["content-type"] == "application/pdf" and min(sizes(document.content)) >= 16
    assert "Alex Sample" in text_of(document.content)
    assert (await casework.get("/v1/letter-templates/nothing/preview", headers=COUNCIL)).status_code == 404
