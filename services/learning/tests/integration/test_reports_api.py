"""The learning API over the real broker: every event delivered twice, reports in each format,
learning actions, subjects, feedback from people and the partner digest."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import threading
from datetime import UTC, date, datetime, time

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from pypdf import PdfReader

from nwd_shared import events as ev
from nwd_shared.calendar import WorkingCalendar, add_months, local_date
from nwd_shared.testing import (
    bearer,
    eventually,
    group_of,
    outbox_drained,
    publish,
    wait_until_committed,
)

CALENDAR = WorkingCalendar()
PERSONAL = ["Bea Person", "bea@example.org", "07700 900456", "Call me on"]


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def story(trust: str, council: str, prefix: str) -> list[ev.CloudEvent]:
    """Three complaints at the trust in 2024-25 and one at the council (see the expected figures)."""
    events: list[ev.CloudEvent] = []

    def case(model, data_model, ref, on, owner=trust, **data):
        events.append(model(source="/nwd/casework", subject=ref, time=at(on, 14), data=data_model(
            case_id=f"case-{ref}", reference=ref, owner=owner, **data)))

    def complaint(ref, on, description, owner=trust):
        events.append(ev.ContactReceived(source="/nwd/intake", subject=ref, time=at(on), data=ev.ContactReceivedData(
            reference=ref, received_by=owner, received_at=at(on, 10), kind="complaint", channel="email",
            complainant={"name": PERSONAL[0], "email": PERSONAL[1], "phone": PERSONAL[2]},
            concerns=[{"organisation_id": owner, "summary": description}], description=description)))
        events.append(ev.TriageCompleted(source="/nwd/triage", subject=ref, time=at(on, 11), data=ev.TriageDecisionData(
            reference=ref, received_by=owner, received_at=at(on, 10), kind="complaint", route="complaint",
            responsible_organisations=[owner], reasons=["test"])))
        events.append(ev.OwnershipAgreed(source="/nwd/referral", subject=ref, time=at(on, 12),
                                         data=ev.OwnershipAgreedData(reference=ref, owner=owner, received_by=owner,
                                                                     owner_received_at=at(on, 10), kind="complaint",
                                                                     route="complaint")))
        case(ev.CaseOpened, ev.CaseOpenedData, ref, on, owner, received_on=on, deadlines=ev.Deadlines(
            acknowledge_by=CALENDAR.add_working_days(on, 3), six_months_by=add_months(on, 6)))

    p1, p2, p3, c1 = (f"{prefix}-{x}" for x in ("P1", "P2", "P3", "C1"))
    complaint(p1, date(2024, 5, 7), f"Nobody told me about my appointment. {PERSONAL[3]} {PERSONAL[2]}.")
    case(ev.CaseAcknowledged, ev.CaseAcknowledgedData, p1, date(2024, 5, 8), acknowledged_on=date(2024, 5, 8),
         deadlines=ev.Deadlines(acknowledge_by=date(2024, 5, 10), six_months_by=date(2024, 11, 7)))
    case(ev.CaseResponded, ev.CaseRespondedData, p1, date(2024, 6, 3), responded_on=date(2024, 6, 3),
         outcome="upheld", desired_outcome_met=True, on_time=True, actions=["Fix how appointment letters go out"])
    case(ev.CaseClosed, ev.CaseClosedData, p1, date(2024, 6, 5), closed_on=date(2024, 6, 5), outcome="upheld")
    complaint(p2, date(2024, 8, 12), "The nurse was rude.")
    case(ev.CaseResponded, ev.CaseRespondedData, p2, date(2024, 9, 2), responded_on=date(2024, 9, 2),
         outcome="not_upheld", desired_outcome_met=False, on_time=True)
    case(ev.CaseClosed, ev.CaseClosedData, p2, date(2024, 9, 3), closed_on=date(2024, 9, 3), outcome="not_upheld")
    case(ev.CaseEscalated, ev.CaseEscalatedData, p2, date(2024, 10, 1), reason="unhappy", ombudsman_id="phso")
    complaint(p3, date(2024, 11, 4), "Something else entirely.")
    complaint(c1, date(2024, 6, 10), "Home care visits were missed.", owner=council)
    return events


@pytest.fixture(scope="module")
async def published(learning, broker):
    """The story published twice over (every event redelivered) and fully consumed."""
    orgs = learning.orgs
    prefix = f"NWD-{orgs['trust']['id'][-8:].upper()}"
    events = story(orgs["trust"]["id"], orgs["council"]["id"], prefix)
    sent = await publish(broker.bootstrap_servers, *events, *events)
    last = {}
    for metadata in sent:
        key = (metadata.topic, metadata.partition)
        if key not in last or metadata.offset > last[key].offset:
            last[key] = metadata
    for metadata in last.values():
        await wait_until_committed(broker.bootstrap_servers, group_of(learning), metadata)
    return {"prefix": prefix, "trust": orgs["trust"], "council": orgs["council"],
            "healthwatch": orgs["healthwatch"], "area": orgs["area"]}


def key_of(org: dict) -> dict:
    return bearer(org["api_key"])


async def test_duplicate_deliveries_count_once(learning, published):
    trust = published["trust"]
    response = await learning.get("/v1/reports/summary", headers=key_of(trust), params={
        "organisation": trust["id"], "from": "2024-04-01", "to": "2025-03-31"})
    counts = response.json()["counts"]
    assert counts["contacts.received"] == 3
    assert counts["cases.opened"] == 3
    assert counts["cases.closed"] == 2
    assert counts["cases.outcome.upheld"] == 1 and counts["cases.outcome.not_upheld"] == 1
    assert counts["cases.escalated"] == 1
    assert counts["learning_actions.raised"] == 1
    assert counts["experience.links_issued"] == 2
    assert counts["subjects.communications"] == 1 and counts["subjects.values_behaviours"] == 1


async def _records_of(bootstrap: str, topic: str, key: bytes) -> list:
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        await reader.topics()
        partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        found = []
        while [tp for tp in partitions if await reader.position(tp) < ends[tp]]:
            for records in (await reader.getmany(timeout_ms=300)).values():
                found += [r for r in records if r.key == key]
        return found
    finally:
        await reader.stop()


async def test_learning_actions_are_raised_once_listed_overdue_and_completed(learning, published, broker):
    trust, p1 = published["trust"], f"{published['prefix']}-P1"

    async def raised():
        records = await _records_of(broker.bootstrap_servers, ev.LEARNING, p1.encode())
        return [r for r in records if dict(r.headers)["ce_type"] == b"nwd.learning.action_raised.v1"]

    await eventually(raised)
    # Everything learning staged is on the topic, and `raised` reads to its end: a second raise shows.
    await eventually(lambda: outbox_drained(learning))
    [record] = await raised()
    assert json.loads(record.value)["description"] == "Fix how appointment letters go out"

    listed = (await learning.get("/v1/learning-actions", headers=key_of(trust), params={"status": "overdue"})).json()
    [action] = listed["actions"]
    assert (action["reference"], action["status"], action["owner"]) == (p1, "overdue", "Customer Relations")
    assert action["due_on"] == CALENDAR.add_working_days(date(2024, 6, 3), 40).isoformat()
    other = await learning.post(f"/v1/learning-actions/{action['id']}/complete", headers=key_of(published["council"]))
    assert other.status_code == 404
    moved = await learning.patch(f"/v1/learning-actions/{action['id']}", headers=key_of(trust),
                                 json={"owner": "Head of outpatients"})
    assert moved.json()["owner"] == "Head of outpatients"
    done = await learning.post(f"/v1/learning-actions/{action['id']}/complete", headers=key_of(trust))
    assert done.status_code == 200 and done.json()["status"] == "completed"
    again = await learning.post(f"/v1/learning-actions/{action['id']}/complete", headers=key_of(trust))
    assert again.json()["completed_on"] == done.json()["completed_on"]
    overdue = (await learning.get("/v1/learning-actions", headers=key_of(trust), params={"status": "overdue"})).json()
    assert overdue["actions"] == []

    async def completed():
        records = await _records_of(broker.bootstrap_servers, ev.LEARNING, p1.encode())
        return [r for r in records if dict(r.headers)["ce_type"] == b"nwd.learning.action_completed.v1"]

    await eventually(completed)
    await eventually(lambda: outbox_drained(learning))
    assert len(await completed()) == 1  # completing twice announces it once


async def test_annual_report_as_json_html_and_pdf(learning, published, tmp_path):
    trust = published["trust"]
    params = {"organisation": trust["id"], "year": 2024}
    report = (await learning.get("/v1/reports/annual", headers=key_of(trust), params=params)).json()
    assert (report["received"], report["decided"], report["well_founded"], report["referred_to_ombudsman"]) == (3, 2, 1, 1)
    assert report["received_by_quarter"] == [1, 1, 1, 0]
    assert report["without_subject"] == 1
    assert report["actions"]["items"][0]["description"] == "Fix how appointment letters go out"

    html = await learning.get("/v1/reports/annual", headers=key_of(trust) | {"Accept": "text/html"}, params=params)
    assert html.headers["content-type"].startswith("text/html")
    assert html.text.count("<svg") == 4 and 'class="bar"' in html.text
    assert "<script" not in html.text and '("http://x")' not in html.text  # the name is escaped

    pdf = await learning.get("/v1/reports/annual", headers=key_of(trust) | {"Accept": "application/pdf"},
                             params=params)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Complaints received: 3" in text and "Referred to an ombudsman: 1" in text
    assert "Fix how appointment letters go out" in text

    refused = await learning.get("/v1/reports/annual", headers=key_of(trust) | {"Accept": "image/png"}, params=params)
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    hidden = await learning.get("/v1/reports/annual", headers=key_of(published["council"]), params=params)
    assert hidden.status_code == 404
    (tmp_path / "annual.html").write_text(html.text)
    charts_are_drawn_in_chromium(tmp_path / "annual.html", tmp_path)


CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.path.exists(p)), None)


async def test_the_annual_pdf_is_drawn_off_the_event_loop(learning, published, monkeypatch):
    from learning.reports import render

    drawn_on, draw = [], render.annual_pdf

    def recording(report):
        drawn_on.append(threading.get_ident())
        return draw(report)

    monkeypatch.setattr(render, "annual_pdf", recording)
    trust = published["trust"]
    pdf = await learning.get("/v1/reports/annual", headers=key_of(trust) | {"Accept": "application/pdf"},
                             params={"organisation": trust["id"], "year": 2024})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert drawn_on and drawn_on[0] != threading.get_ident()  # not the thread the event loop runs on


def charts_are_drawn_in_chromium(page, folder) -> None:
    """Headless Chromium lays the page out: every chart is in its DOM with bars of real size, and
    the screenshot shows the bars' colour."""
    if CHROMIUM is None:
        pytest.skip("no Chromium at /usr/bin/chromium or on PATH (Debian: apt-get install chromium; .ci/run does)")
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={folder / 'chromium-profile'}"]
    dom = subprocess.run([*flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    charts = re.findall(r'<svg[^>]*class="chart"[^>]*id="([^"]+)"', dom.stdout)
    assert charts == ["chart-quarters", "chart-outcomes", "chart-subjects", "chart-themes"]
    sizes = [(float(w), float(h)) for w, h in re.findall(r'<rect class="bar"[^>]*width="([\d.]+)" height="([\d.]+)"',
                                                          dom.stdout)]
    assert sum(1 for w, h in sizes if w > 0 and h > 0) >= 8
    shot = folder / "annual.png"
    subprocess.run([*flags, "--window-size=1000,2600", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    from PIL import Image

    raw = Image.open(shot).convert("RGB").tobytes()
    blue = sum(1 for i in range(0, len(raw), 3)
               if raw[i] < 20 and abs(raw[i + 1] - 94) < 20 and abs(raw[i + 2] - 184) < 20)
    assert blue > 2000, f"only {blue} pixels of the bars' colour were drawn"


async def test_ko41a_is_csv_with_warnings_and_no_formulas(learning, published):
    trust = published["trust"]
    response = await learning.get("/v1/reports/ko41a", headers=key_of(trust),
                                  params={"organisation": trust["id"], "year": 2024})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    cells = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert cells[("organisation", "name")].startswith("'=HYPERLINK")
    assert [cells[("summary", k)] for k in ("brought_forward", "new", "resolved", "carried_forward")] == \
        ["0", "3", "2", "1"]
    assert [r[1] for r in rows if r[0] == "warning"] == [f"{published['prefix']}-P3"]
    assert response.headers["x-warnings"] == "1"
    council = published["council"]
    assert (await learning.get("/v1/reports/ko41a", headers=key_of(council),
                               params={"organisation": council["id"], "year": 2024})).status_code == 404


async def test_partner_digest_is_anonymised_and_suppresses_small_numbers(learning, published):
    response = await learning.get("/v1/reports/digest", headers=key_of(published["healthwatch"]), params={
        "area": published["area"], "from": "2024-04-01", "to": "2025-03-31"})
    assert response.status_code == 200
    digest = response.json()
    assert {p["organisation"]: p["complaints_received"] for p in digest["partners"]} == {
        published["trust"]["id"]: "fewer than 5", published["council"]["id"]: "fewer than 5"}
    text = response.text

    def small(value):
        if isinstance(value, bool) or value is None:
            return []
        if isinstance(value, int):
            return [value] if 0 < value < 5 else []
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        return [n for item in items for n in small(item)]

    assert small(digest) == []
    for word in [*PERSONAL, published["prefix"], "appointment letters", "nurse was rude", "Home care visits"]:
        assert word.lower() not in text.lower()
    elsewhere = await learning.get("/v1/reports/digest", headers=bearer("demo-uhsussex-key"), params={
        "area": published["area"], "from": "2024-04-01", "to": "2025-03-31"})
    assert elsewhere.status_code == 404


async def test_subjects_show_their_reasons_and_the_owner_corrects_them(learning, published):
    trust, p3 = published["trust"], f"{published['prefix']}-P3"
    p1 = f"{published['prefix']}-P1"
    seen = (await learning.get(f"/v1/subjects/{p1}", headers=key_of(trust))).json()
    assert [s["code"] for s in seen["subjects"]] == ["appointments", "communications"]
    assert seen["source"] == "rules"
    assert {s["reason"] for s in seen["by_rules"]} == {'the description mentions "appointment"',
                                                       'the description mentions "nobody told"'}
    assert (await learning.get(f"/v1/subjects/{p1}", headers=key_of(published["council"]))).status_code == 404
    bad = await learning.put(f"/v1/subjects/{p3}", headers=key_of(trust), json={"subjects": ["nonsense"],
                                                                                 "reason": "x"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "body.subjects.0"
    fixed = await learning.put(f"/v1/subjects/{p3}", headers=key_of(trust), json={
        "subjects": ["facilities"], "service_area": "outpatient", "reason": "the letter was about parking"})
    assert fixed.status_code == 200
    assert fixed.json()["source"] == "correction" and fixed.json()["service_area"]["code"] == "outpatient"
    csv_text = (await learning.get("/v1/reports/ko41a", headers=key_of(trust),
                                   params={"organisation": trust["id"], "year": 2024})).text
    assert "warning" not in csv_text and "facilities,Facilities,1" in csv_text
    taxonomy = (await learning.get("/v1/subjects", headers=key_of(trust))).json()
    assert {"communications", "trust_administration", "home_care"} <= {s["code"] for s in taxonomy["subjects"]}


async def test_people_give_feedback_once_through_their_link(learning, published):
    trust, p2 = published["trust"], f"{published['prefix']}-P2"
    [link] = (await learning.get("/v1/experience-links", headers=key_of(trust), params={"reference": p2})).json()["links"]
    assert link["url"].endswith(link["token"]) and link["used"] is False
    assert (await learning.get("/v1/experience-links", headers=key_of(published["council"]),
                               params={"reference": p2})).json()["links"] == []
    form = await learning.get(f"/v1/experience/{link['token']}")
    assert form.status_code == 200 and 'name="rating"' in form.text
    invalid = await learning.post(f"/v1/experience/{link['token']}", json={"rating": 9})
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "body.rating"
    given = await learning.post(f"/v1/experience/{link['token']}", data={"rating": "2", "comment": "slow"})
    assert given.status_code == 201
    again = await learning.post(f"/v1/experience/{link['token']}", json={"rating": 5})
    assert again.status_code == 410
    unknown = await learning.post("/v1/experience/" + "x" * 32, json={"rating": 5})
    assert unknown.status_code == 404
    seen = (await learning.get("/v1/experience-links", headers=key_of(trust), params={"reference": p2})).json()
    assert seen["links"][0]["used"] is True and seen["links"][0]["rating"] == 2
    today = local_date(datetime.now(UTC)).isoformat()
    summary = (await learning.get("/v1/reports/summary", headers=key_of(trust), params={
        "organisation": trust["id"], "from": today, "to": today})).json()
    assert summary["experience"]["responses"] == 1 and summary["experience"]["ratings"]["2"] == 1
