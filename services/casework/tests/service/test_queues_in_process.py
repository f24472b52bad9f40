"""Work queues, search and assignment over HTTP on a real database (SQLite and PostgreSQL), no broker."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select, update

from casework import retention
from casework.config import Settings
from casework.main import create_app
from casework.models import Case, CaseContribution
from casework.models import audit as audit_table
from casework.queues.models import CaseSearchText
from nwd_shared.calendar import ENGLAND
from nwd_shared.testing import (
    FakeClock,
    bearer,
    contact_received,
    deliver,
    in_process,
    new_reference,
    ownership_agreed,
    staged,
)

# Thursday 2 July 2026, 12:00 in London.
TODAY = date(2026, 7, 2)
casework = in_process(create_app, Settings, clock=FakeClock(datetime(2026, 7, 2, 11, tzinfo=UTC)),
                      deadline_monitor_interval_seconds=86400)

COUNCIL = bearer("demo-wsx-council-key")   # the owner's own key: no person
ANA = bearer("demo-wsx-ana-key")           # handler, team adults
BEN = bearer("demo-wsx-ben-key")           # handler, team adults
CARA = bearer("demo-wsx-cara-key")         # customer relations (and handler), team customer-relations
DEV = bearer("demo-wsx-dev-key")           # senior manager, no handler role
ROB = bearer("demo-wsx-rob-key")           # reports only
TRUST = bearer("demo-uhsussex-key")        # a contributor
STRANGER = bearer("demo-bh-council-key")   # neither


def word() -> str:
    """A word no other test uses, so a search finds only this test's contacts."""
    return "zq" + uuid.uuid4().hex[:10]


async def open_case(casework, received_on: date, *, owner: str = "wsx-council", contributors: tuple = (),
                    **words) -> dict:
    """A case opened by agreed ownership (received that day at 10:00), with the contact's words if given."""
    reference = new_reference()
    received_at = datetime.combine(received_on, time(10), tzinfo=ENGLAND).astimezone(UTC)
    if words:
        await deliver(casework, contact_received(reference, received_at=received_at, **words))
    await deliver(casework, ownership_agreed(reference, owner=owner, contributors=contributors,
                                             received_at=received_at))
    [case] = (await casework.get("/v1/cases", params={"reference": reference},
                                 headers=bearer(f"demo-{owner}-key"))).json()["items"]
    return case


async def change(casework, case: dict, **values) -> None:
    """Put a case where a test needs it (its life's own endpoints are tested elsewhere)."""
    async with casework.runtime.sessions() as session, session.begin():
        await session.execute(update(Case).where(Case.id == case["id"]).values(**values))


async def listed(casework, key=COUNCIL, **params) -> list[str]:
    response = await casework.get("/v1/cases", params={"limit": 100, **params}, headers=key)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def assign(casework, case: dict, handler: str, key=CARA, **body):
    return await casework.put(f"/v1/cases/{case['id']}/assignment", json={"handler": handler, **body},
                              headers=key)


# --- search -------------------------------------------------------------------------------

async def test_search_finds_a_case_by_name_description_and_reference_for_its_owner_only(casework):
    surname, detail = word(), word()
    case = await open_case(casework, date(2026, 6, 1), contributors=("uhsussex",), name=f"Ann {surname}",
                           description=f"Her {detail} visits were missed for a week.",
                           person_affected={"name": "Joan Example"})
    other = await open_case(casework, date(2026, 6, 1), name=f"Bob {word()}")

    assert await listed(casework, q=surname) == [case["id"]]
    assert await listed(casework, ANA, q=f"{detail} missing") == [case["id"]]  # stemmed: missed ~ missing
    assert await listed(casework, q=f'"{detail} visits"') == [case["id"]]
    assert await listed(casework, q=case["reference"]) == [case["id"]]
    assert await listed(casework, q=case["reference"].lower()) == [case["id"]]
    assert await listed(casework, q=f"{surname} -{detail}") == []
    assert set(await listed(casework, q=f"{surname} or {other['reference']}")) == {case["id"], other["id"]}
    assert await listed(casework, q="!!!") == []
    # The contributor finds it by reference, never by the person's words; a stranger not at all.
    assert await listed(casework, TRUST, q=surname) == []
    found = (await casework.get("/v1/cases", params={"q": case["reference"]}, headers=TRUST)).json()["items"]
    assert [(c["id"], c["relation"], c["handler"]) for c in found] == [(case["id"], "contributor", None)]
    assert await listed(casework, STRANGER, q=case["reference"]) == []
    assert await listed(casework, STRANGER, q=surname) == []


async def test_a_search_is_audited_and_refused_to_reports_only_staff(casework):
    surname = word()
    await open_case(casework, date(2026, 6, 1), name=f"Ann {surname}")
    refused = await casework.get("/v1/cases", params={"q": surname}, headers=ROB)
    assert refused.status_code == 403 and "role" in refused.json()["detail"]
    assert (await casework.get("/v1/cases", headers=ROB)).status_code == 200  # the queue has no names
    async with casework.runtime.sessions() as session:
        before = len((await session.execute(select(audit_table.c.id).where(
            audit_table.c.resource == "cases.search"))).all())
    await listed(casework, ANA, q=surname)
    async with casework.runtime.sessions() as session:
        rows = (await session.execute(select(audit_table).where(audit_table.c.resource == "cases.search")
                                      .order_by(audit_table.c.id))).all()
    assert len(rows) == before + 1
    assert (rows[-1].organisation_id, rows[-1].credential_id, rows[-1].action) == ("wsx-council", "ana-key", "read")


async def test_the_same_contact_twice_keeps_one_copy_of_its_words(casework):
    surname = word()
    received = contact_received(name=f"Ann {surname}")
    await deliver(casework, received, received)
    async with casework.runtime.sessions() as session:
        rows = (await session.execute(select(CaseSearchText).where(
            CaseSearchText.reference == received.data.reference))).scalars().all()
    assert [(r.complainant_name, r.received_by) for r in rows] == [(f"Ann {surname}", "wsx-council")]


async def test_retention_blanks_the_words_with_the_case_and_search_no_longer_finds_them(casework):
    surname, lone = word(), word()
    case = await open_case(casework, date(2026, 1, 5), name=f"Ann {surname}")
    await change(casework, case, status="closed", closed_on=date(2026, 2, 2))
    never_a_case = contact_received(name=f"Cal {lone}", received_at=datetime(2026, 1, 5, 10, tzinfo=UTC))
    await deliver(casework, never_a_case)
    assert await listed(casework, q=surname) == [case["id"]]
    async with casework.runtime.sessions() as session, session.begin():
        await retention.anonymise_closed(session, casework.runtime, datetime(2026, 3, 1, tzinfo=UTC),
                                         datetime(2026, 7, 2, tzinfo=UTC))
    assert await listed(casework, q=surname) == []
    assert await listed(casework, q=case["reference"]) == [case["id"]]  # the reference is not personal
    async with casework.runtime.sessions() as session:
        rows = {r.reference: r for r in (await session.execute(select(CaseSearchText).where(
            CaseSearchText.reference.in_([case["reference"], never_a_case.data.reference])))).scalars()}
    assert {(r.complainant_name, r.description) for r in rows.values()} == {("[anonymised]", "[anonymised]")}
    assert all(r.anonymised_at is not None for r in rows.values())
    # A replayed contact does not bring the words back.
    await deliver(casework, contact_received(case["reference"], name=f"Ann {surname}"))
    assert await listed(casework, q=surname) == []


# --- filters ------------------------------------------------------------------------------

async def test_filters_pick_the_cases_each_queue_names(casework):
    window = {"received_from": "2025-03-01", "received_to": "2025-03-31"}
    fresh = await open_case(casework, date(2025, 3, 3))
    late = await open_case(casework, date(2025, 3, 4))
    planned = await open_case(casework, date(2025, 3, 5), contributors=("uhsussex",))
    paused = await open_case(casework, date(2025, 3, 6))
    done = await open_case(casework, date(2025, 3, 7))
    theirs = await open_case(casework, date(2025, 3, 10), owner="uhsussex", contributors=("wsx-council",))
    outside = await open_case(casework, date(2025, 4, 1))
    # fresh: acknowledgement due in the future; late: its acknowledgement overdue.
    await change(casework, fresh, acknowledge_by=TODAY + timedelta(days=3), six_months_by=TODAY + timedelta(days=90))
    await change(casework, planned, status="acknowledged", acknowledged_on=date(2025, 3, 6),
                 action_plan_by=TODAY + timedelta(days=10), respond_by=TODAY + timedelta(days=30),
                 six_months_by=TODAY + timedelta(days=60), subject="Home care")
    await change(casework, paused, status="acknowledged", acknowledged_on=date(2025, 3, 7), suspended=True,
                 suspended_on=date(2025, 3, 8), six_months_by=TODAY + timedelta(days=20),
                 action_plan_by=date(2025, 3, 14))
    await change(casework, done, status="closed", closed_on=date(2025, 6, 1))
    async with casework.runtime.sessions() as session, session.begin():
        session.add(CaseContribution(id=str(uuid.uuid4()), case_id=planned["id"], contributor="uhsussex",
                                     requested_on=date(2025, 3, 7), due_on=TODAY + timedelta(days=5),
                                     request="Your part, please."))
    assert (await assign(casework, late, "ana.patel")).status_code == 200
    assert (await assign(casework, planned, "cara.jones")).status_code == 200
    ours = [fresh, late, planned, paused, done]

    everything = await listed(casework, **window)
    assert set(everything) == {c["id"] for c in [*ours, theirs]} and outside["id"] not in everything
    assert set(await listed(casework, **window, relation="owner")) == {c["id"] for c in ours}
    assert await listed(casework, **window, relation="contributor") == [theirs["id"]]
    assert set(await listed(casework, **window, status="closed")) == {done["id"]}
    assert set(await listed(casework, **window, stage=["acknowledgement"], relation="owner")) == {
        fresh["id"], late["id"]}
    assert set(await listed(casework, **window, stage=["plan", "closed"])) == {
        planned["id"], paused["id"], done["id"]}
    assert await listed(casework, **window, stage="plan", status="open") == []
    assert await listed(casework, **window, suspended=True) == [paused["id"]]
    assert set(await listed(casework, **window, overdue=True)) == {late["id"], theirs["id"]}
    assert done["id"] in await listed(casework, **window, overdue=False)
    assert set(await listed(casework, **window, due_before=(TODAY + timedelta(days=15)).isoformat(),
                            relation="owner")) == {fresh["id"], late["id"], planned["id"]}
    assert await listed(casework, **window, subject="home CARE") == [planned["id"]]
    assert await listed(casework, **window, waiting=True) == [planned["id"]]
    assert await listed(casework, **window, kind="compliment") == []
    assert await listed(casework, ANA, **window, handler="me") == [late["id"]]
    assert await listed(casework, **window, handler="cara.jones") == [planned["id"]]
    assert set(await listed(casework, **window, handler="unassigned")) == {fresh["id"], paused["id"], done["id"]}
    assert await listed(casework, **window, team="adults") == [late["id"]]
    # The owner's handler is not the contributor's business, and its staff never match the owner's.
    assert await listed(casework, TRUST, **window, handler="ana.patel") == []
    view = {c["id"]: c for c in (await casework.get("/v1/cases", params=window, headers=COUNCIL)).json()["items"]}
    assert (view[late["id"]]["handler"], view[late["id"]]["team"], view[late["id"]]["overdue"]) == (
        "ana.patel", "adults", True)
    assert (view[planned["id"]]["stage"], view[planned["id"]]["due_on"]) == (
        "plan", (TODAY + timedelta(days=10)).isoformat())
    assert (view[paused["id"]]["due_on"], view[done["id"]]["due_on"]) == (
        (TODAY + timedelta(days=20)).isoformat(), None)
    assert view[theirs["id"]]["relation"] == "contributor" and view[theirs["id"]]["handler"] is None
    me = await casework.get("/v1/cases", params={"handler": "me"}, headers=COUNCIL)
    assert me.status_code == 422 and me.json()["errors"][0]["field"] == "query.handler"


async def test_the_reference_lookup_answers_as_before_with_the_whole_case(casework):
    case = await open_case(casework, date(2026, 6, 1))
    answer = (await casework.get("/v1/cases", params={"reference": case["reference"], "status": "closed"},
                                 headers=COUNCIL)).json()
    assert set(answer) == {"items"} and [c["id"] for c in answer["items"]] == [case["id"]]
    assert {"letters", "alerts", "contributions", "extensions"} <= set(answer["items"][0])
    assert (await casework.get("/v1/cases", params={"reference": case["reference"]},
                               headers=STRANGER)).json() == {"items": []}


# --- sort and pagination ------------------------------------------------------------------

async def walk(casework, **params) -> list[str]:
    """Every page of a query through its `next` links."""
    ids, url, query = [], "/v1/cases", {**params}
    while True:
        page = (await casework.get(url, params=query, headers=COUNCIL)).json()
        assert len(page["items"]) <= params.get("limit", 25)
        ids += [c["id"] for c in page["items"]]
        if page["next"] is None:
            return ids
        split = urlsplit(page["next"])
        url, query = split.path, parse_qsl(split.query)


async def test_pages_follow_each_sort_with_no_case_twice_and_none_missed(casework):
    window = {"received_from": "2024-05-01", "received_to": "2024-05-31", "relation": "owner"}
    days = [date(2024, 5, d) for d in (6, 6, 7, 8, 9, 13, 13, 14)]
    cases = [await open_case(casework, day) for day in days]
    # Due dates with ties, and one case that no longer awaits its response (nothing due).
    dues = [10, 3, 3, 7, 1, 3, 12, None]
    for case, due in zip(cases, dues, strict=True):
        if due is None:
            await change(casework, case, status="closed", closed_on=date(2024, 6, 20))
        else:
            await change(casework, case, acknowledge_by=TODAY + timedelta(days=due),
                         six_months_by=TODAY + timedelta(days=100))
    await change(casework, cases[0], status="acknowledged", acknowledged_on=date(2024, 6, 1),
                 respond_by=TODAY + timedelta(days=10))
    by_id = {c["id"]: c for c in cases}

    received = await walk(casework, **window, sort="received", order="asc", limit=3)
    assert sorted(received) == sorted(by_id) and len(received) == len(set(received))
    assert received == sorted(by_id, key=lambda i: (by_id[i]["received_on"], i))
    newest = await walk(casework, **window, limit=2)  # the default: received, newest first
    assert newest == sorted(by_id, key=lambda i: (by_id[i]["received_on"], i), reverse=True)
    due = dict(zip([c["id"] for c in cases], dues, strict=True))
    soonest = await walk(casework, **window, sort="due", order="asc", limit=3)
    assert soonest == sorted(by_id, key=lambda i: (due[i] if due[i] is not None else 10**6, i))
    latest = await walk(casework, **window, sort="due", order="desc", limit=3)
    assert latest == sorted(by_id, key=lambda i: (due[i] if due[i] is not None else -1, i), reverse=True)
    updated = await walk(casework, **window, sort="updated", order="desc", limit=3)
    assert updated[:2] == [cases[7]["id"], cases[0]["id"]]  # closed 20 June, then acknowledged 1 June
    assert sorted(updated) == sorted(by_id)


async def test_a_cursor_belongs_to_its_query_and_a_page_holds_at_most_100(casework):
    window = {"received_from": "2024-08-01", "received_to": "2024-08-31"}
    for day in (5, 6, 7):
        await open_case(casework, date(2024, 8, day))
    first = (await casework.get("/v1/cases", params={**window, "limit": 2}, headers=COUNCIL)).json()
    cursor = dict(parse_qsl(urlsplit(first["next"]).query))["cursor"]
    moved = await casework.get("/v1/cases", params={**window, "limit": 2, "sort": "due", "cursor": cursor},
                               headers=COUNCIL)
    assert moved.status_code == 422 and moved.json()["errors"][0]["field"] == "query.cursor"
    forged = await casework.get("/v1/cases", params={"cursor": "not-a-cursor"}, headers=COUNCIL)
    assert forged.status_code == 422
    assert (await casework.get("/v1/cases", params={"limit": 101}, headers=COUNCIL)).status_code == 422
    assert (await casework.get("/v1/cases", params={"stage": "lost"}, headers=COUNCIL)).status_code == 422


# --- queue counts -------------------------------------------------------------------------

async def counts(casework, key) -> dict:
    response = await casework.get("/v1/cases/queues", headers=key)
    assert response.status_code == 200, response.text
    return response.json()


async def test_queue_counts_count_the_owners_live_cases_in_each_queue(casework):
    before, before_ana = await counts(casework, COUNCIL), await counts(casework, ANA)
    assert before["mine"] is None  # the organisation's key is no one
    # Thursday 2 July: the week ends on Sunday 5 July.
    this_week = await open_case(casework, date(2026, 6, 30))
    await change(casework, this_week, acknowledge_by=date(2026, 7, 5))
    next_week = await open_case(casework, date(2026, 7, 1))
    await change(casework, next_week, acknowledge_by=date(2026, 7, 6))
    overdue = await open_case(casework, date(2026, 6, 1))
    paused = await open_case(casework, date(2026, 6, 29))
    await change(casework, paused, suspended=True, suspended_on=date(2026, 6, 30))
    closed = await open_case(casework, date(2026, 5, 1))
    await change(casework, closed, status="closed", closed_on=date(2026, 6, 1))
    waiting = await open_case(casework, date(2026, 7, 1), contributors=("uhsussex",))
    async with casework.runtime.sessions() as session, session.begin():
        session.add(CaseContribution(id=str(uuid.uuid4()), case_id=waiting["id"], contributor="uhsussex",
                                     requested_on=TODAY, due_on=TODAY + timedelta(days=9), request="Please."))
    await open_case(casework, date(2026, 6, 1), owner="uhsussex", contributors=("wsx-council",))
    for case in (overdue, closed):
        assert (await assign(casework, case, "ana.patel")).status_code == 200

    after, after_ana = await counts(casework, COUNCIL), await counts(casework, ANA)
    delta = {name: after[name] - before[name] for name in after if name != "mine"}
    # Live and unassigned: this_week, next_week, paused, waiting. Due this week: this_week, and paused,
    # whose acknowledgement still runs while suspended (due today, 2 July).
    assert delta == {"unassigned": 4, "due_this_week": 2, "overdue": 1, "suspended": 1,
                     "waiting_for_another_organisation": 1}
    assert after_ana["mine"] - before_ana["mine"] == 1  # the closed case is not in a queue


# --- assignment ---------------------------------------------------------------------------

async def test_customer_relations_assigns_and_reassigns_with_history_and_the_handler_is_told(casework):
    case = await open_case(casework, date(2026, 6, 1), contributors=("uhsussex",))
    first = await assign(casework, case, "ana.patel")
    assert first.status_code == 200
    assert {k: first.json()[k] for k in ("handler", "handler_name", "team", "assigned_by")} == {
        "handler": "ana.patel", "handler_name": "Ana Patel", "team": "adults", "assigned_by": "cara.jones"}
    again = await assign(casework, case, "ana.patel")
    assert again.status_code == 200 and again.json()["assigned_at"] == first.json()["assigned_at"]
    moved = await assign(casework, case, "cara.jones", team="adults", reason="Ana is on leave")
    assert moved.status_code == 200 and moved.json()["team"] == "adults"
    events = [data for kind, data in await staged(casework, case["reference"]) if kind == "nwd.case.assigned.v1"]
    assert [(e["handler"], e["team"], e["previous_handler"], e["by"]) for e in events] == [
        ("ana.patel", "adults", None, "cara.jones"), ("cara.jones", "adults", "ana.patel", "cara.jones")]
    assert {(e["case_id"], e["reference"], e["owner"]) for e in events} == {
        (case["id"], case["reference"], "wsx-council")}
    history = await casework.get(f"/v1/cases/{case['id']}/assignment/history", headers=ANA)
    assert [(h["handler"], h["previous_handler"], h["reason"]) for h in history.json()["items"]] == [
        ("ana.patel", None, None), ("cara.jones", "ana.patel", "Ana is on leave")]
    # The organisation's own key acts with every role; the change is recorded as no one's.
    assert (await assign(casework, case, "ben.okafor", key=COUNCIL)).json()["assigned_by"] is None


async def test_assignment_is_refused_to_others_and_to_anyone_but_a_handler_of_the_owner(casework):
    case = await open_case(casework, date(2026, 6, 1), contributors=("uhsussex",))
    assert (await assign(casework, case, "ben.okafor", key=ANA)).status_code == 403  # a handler, not CR
    for person in ("dev.singh", "rob.reid", "nobody"):
        refused = await assign(casework, case, person)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "body.handler"
    lost = await assign(casework, case, "ana.patel", team="finance")
    assert lost.status_code == 422 and lost.json()["errors"][0]["field"] == "body.team"
    for key in (TRUST, STRANGER):
        assert (await assign(casework, case, "ana.patel", key=key)).status_code == 404
        assert (await casework.get(f"/v1/cases/{case['id']}/assignment/history", headers=key)).status_code == 404
    assert (await assign(casework, {"id": "no-such-case"}, "ana.patel")).status_code == 404
    assert [kind for kind, _ in await staged(casework, case["reference"])
            if kind == "nwd.case.assigned.v1"] == []


@pytest.mark.parametrize("body", [{"handler": "Ana Patel"}, {"handler": "ana.patel", "extra": 1}])
async def test_an_assignment_body_is_strict(casework, body):
    case = await open_case(casework, date(2026, 6, 1))
    response = await casework.put(f"/v1/cases/{case['id']}/assignment", json=body, headers=CARA)
    assert response.status_code == 422


async def test_a_search_matching_many_contacts_walks_the_cases_in_order_and_pages_the_same(casework, monkeypatch):
    from casework.queues import repository

    # As if the word were in thousands of contacts: the cases are walked a chunk at a time.
    monkeypatch.setattr(repository, "FEW_MATCHES", 1)
    monkeypatch.setattr(repository, "FIRST_CHUNK", 2)
    common = word()
    window = {"received_from": "2023-02-01", "received_to": "2023-02-28"}
    cases = []
    for day, text in ((1, common), (2, "nothing here"), (3, common), (6, "nor here"), (7, "nor there"),
                      (8, common), (9, common)):
        cases.append(await open_case(casework, date(2023, 2, day), description=f"Visits {text}."))
    theirs = await open_case(casework, date(2023, 2, 10), owner="uhsussex", contributors=("wsx-council",),
                             description=f"Visits {common}.")
    expected = [c["id"] for c in reversed(cases) if common in (await words_of(casework, c["reference"]))]
    assert len(expected) == 4 and theirs["id"] not in expected
    assert await walk(casework, **window, q=common, limit=3) == expected
    assert await walk(casework, **window, q=common, limit=1, sort="received", order="asc") == expected[::-1]
    assert await listed(casework, **window, q=f"{common} -visits") == []


async def words_of(casework, reference: str) -> str:
    async with casework.runtime.sessions() as session:
        return (await session.execute(select(CaseSearchText.description).where(
            CaseSearchText.reference == reference))).scalar_one()
