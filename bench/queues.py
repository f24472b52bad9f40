"""Section 6: work queues and full-text search at 100,000 cases on PostgreSQL (issue 15; target p95 < 100 ms).

A database of its own is created on the PostgreSQL server NWD_BENCH_POSTGRES_URL names (else
NWD_TEST_POSTGRES_URL), brought to casework's schema by its migrations, filled by direct inserts
through casework's tables (owners, handlers, statuses and dates spread as a complaints year looks,
ten years deep; names and descriptions from a small generator), then each query is asked over the
HTTP API in-process (the casework app on an ASGI client, no broker) and timed from the client.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, insert, literal_column, update
from sqlalchemy.engine import make_url

from bench.load import percentile

CASES = 100_000
TARGET_MS = 100
REPEATS = 60
TODAY = date(2026, 7, 2)
CALLER = "wsx-council"
# wsx-council is the big owner a queue is asked for: one case in five (20,000, ten years deep).
OWNERS = [CALLER] * 20 + [f"bench-org-{n:02}" for n in range(80)]
HANDLERS = {CALLER: ["ana.patel", "ben.okafor", "cara.jones"]}
TEAMS = {"ana.patel": "adults", "ben.okafor": "adults", "cara.jones": "customer-relations"}
FIRST = ["Ann", "Bob", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal", "Ian", "Joy", "Kit", "Lee", "Max", "Nia",
         "Oli", "Pat", "Ray", "Sam", "Tia", "Una", "Vic", "Wyn", "Yas", "Zoe"]
SURNAMES = [f"{a}{b}" for a in ("Ash", "Birch", "Cole", "Dale", "Ellis", "Frost", "Grey", "Hale", "Irwin",
                                 "Jarvis", "Kemp", "Lowe", "Marsh", "Nash", "Orme", "Page", "Quin", "Reed",
                                 "Shaw", "Tate")
            for b in ("", "ley", "ford", "ton", "well", "by", "wood", "field", "more", "combe")]
SERVICES = ["home care", "the care home", "hospital discharge", "the GP surgery", "district nursing",
            "the mental health team", "reablement", "the day centre", "occupational therapy", "the ward"]
WHAT = ["missed visits", "wrong medication", "a fall that was not reported", "rude staff",
        "a delayed assessment", "charges I was not told about", "a lost care plan", "no reply to my calls",
        "a late discharge letter", "a safeguarding worry that was ignored"]
WHEN = ["last week", "for a month", "twice in June", "since the spring", "over Christmas", "on Monday"]
# Live cases by status (15% of all); the rest are closed, one in fifty of them transferred.
LIVE = [("open", 3), ("acknowledged", 4), ("action_plan_issued", 5), ("responded", 2), ("escalated", 1)]


def _description(rng: random.Random) -> str:
    return (f"My mother's {rng.choice(SERVICES)}: {rng.choice(WHAT)} {rng.choice(WHEN)}. "
            f"I raised it with {rng.choice(SERVICES)} and {rng.choice(WHAT)} followed.")


def _rows(rng: random.Random, n: int) -> tuple[dict, dict | None, dict]:
    """One case, its assignment (or None) and its contact's words."""
    owner = rng.choice(OWNERS)
    live = rng.random() < 0.15
    if live:
        status = rng.choices([s for s, _ in LIVE], [w for _, w in LIVE])[0]
        received = TODAY - timedelta(days=rng.randint(0, 120))
    else:
        status = "transferred" if rng.random() < 0.02 else "closed"
        received = TODAY - timedelta(days=rng.randint(120, 3650))
    acknowledged = received + timedelta(days=rng.randint(1, 5)) if status != "open" else None
    planned = acknowledged + timedelta(days=rng.randint(3, 9)) if acknowledged and status != "acknowledged" else None
    responded = received + timedelta(days=rng.randint(20, 60)) if status in ("responded", "escalated", "closed") else None
    reference = f"NWD-{n:08X}"
    contributors = [rng.choice([o for o in OWNERS if o != owner])] if rng.random() < 0.1 else []
    case = {
        "id": str(uuid.UUID(int=rng.getrandbits(128))), "reference": reference, "owner": owner,
        "contributors": contributors, "kind": "complaint", "route": "complaint", "status": status,
        "suspended": live and rng.random() < 0.05, "received_on": received,
        "acknowledge_by": received + timedelta(days=5), "action_plan_by": received + timedelta(days=12),
        "respond_by": received + timedelta(days=40), "six_months_by": received + timedelta(days=182),
        "opened_at": datetime.combine(received, datetime.min.time(), tzinfo=UTC),
        "subject": rng.choice(SERVICES), "acknowledged_on": acknowledged, "action_plan_issued_on": planned,
        "responded_on": responded, "escalated_on": responded + timedelta(days=30) if status == "escalated" else None,
        "closed_on": (responded or received) + timedelta(days=rng.randint(1, 30)) if status in ("closed", "transferred") else None,
        "paused_working_days": 0, "unreasonably_persistent": False,
    }
    handlers = HANDLERS.get(owner, [f"{owner}.handler{i}" for i in range(6)])
    assignment = None
    if rng.random() < 0.8:
        handler = rng.choice(handlers)
        assignment = {"case_id": case["id"], "handler": handler, "team": TEAMS.get(handler, "complaints"),
                      "assigned_at": case["opened_at"], "assigned_on": received, "assigned_by": None}
    words = {"reference": reference, "received_by": owner, "received_at": case["opened_at"],
             "complainant_name": f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}",
             "person_affected_name": f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}" if rng.random() < 0.5 else None,
             "description": _description(rng)}
    return case, assignment, words


async def _load(engine, cases: int) -> None:
    """Direct inserts through casework's tables, in batches."""
    from casework.models import Case
    from casework.queues.models import CaseAssignment, CaseSearchText

    rng = random.Random(15)
    batch = 5000
    for start in range(0, cases, batch):
        rows = [_rows(rng, n) for n in range(start, min(cases, start + batch))]
        async with engine.begin() as connection:
            await connection.execute(insert(Case), [case for case, _, _ in rows])
            await connection.execute(insert(CaseAssignment), [a for _, a, _ in rows if a])
            await connection.execute(insert(CaseSearchText), [w for _, _, w in rows])
    async with engine.begin() as connection:
        # The tsvector casework stores on receiving a contact (search.document), for every row at once.
        await connection.execute(update(CaseSearchText).values(document=func.to_tsvector(
            literal_column("'english'"), func.concat_ws(" ", CaseSearchText.reference, CaseSearchText.complainant_name,
                                                        CaseSearchText.person_affected_name,
                                                        CaseSearchText.description))))
        await connection.exec_driver_sql("ANALYZE")


def _queries() -> dict[str, dict]:
    live = {"stage": ["acknowledgement", "plan", "response"]}
    return {
        "my live cases, soonest due first": {**live, "handler": "me", "sort": "due", "order": "asc"},
        "unassigned live cases, newest first": {**live, "handler": "unassigned"},
        "overdue, soonest due first": {"overdue": "true", "sort": "due", "order": "asc"},
        "team adults' live, recently updated": {**live, "team": "adults", "sort": "updated", "order": "desc"},
        "received in May, page of 100": {"received_from": "2026-05-01", "received_to": "2026-05-31", "limit": "100"},
        "everything, second page": {"cursor": "next"},
        "search: a surname": {"q": "Marshford"},
        "search: two words": {"q": "missed visits"},
        "search: a phrase and a name": {"q": '"home care" Kemp'},
        "search: a reference": {"q": "reference"},
    }


async def _measure(client: httpx.AsyncClient, headers: dict) -> dict:
    results = {}
    first_page = (await client.get("/v1/cases", headers=headers)).json()
    for name, params in {**_queries(), "queue counts": None}.items():
        if params is None:
            url, query = "/v1/cases/queues", {}
        elif params.get("cursor") == "next":
            url, query = first_page["next"], {}
        elif params.get("q") == "reference":  # one of the caller's, from the first page
            url, query = "/v1/cases", {"q": first_page["items"][-1]["reference"]}
        else:
            url, query = "/v1/cases", params
        timings, found = [], None
        for _ in range(REPEATS):
            began = time.perf_counter()
            response = await client.get(url, params=query, headers=headers)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.text
            body = response.json()
            found = len(body["items"]) if "items" in body else sum(v or 0 for v in body.values())
        warm = timings[5:]  # the first asks warm PostgreSQL's cache and the app's
        results[name] = {"p50_ms": percentile(warm, 0.5), "p95_ms": percentile(warm, 0.95), "found": found}
    return results


async def run(admin_url: str, cases: int = CASES) -> dict:
    import asyncpg

    from casework.config import Settings
    from casework.main import create_app
    from nwd_shared.testing import NO_BROKER

    admin = make_url(admin_url)
    name = f"nwd_bench_queues_{uuid.uuid4().hex[:8]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    await connection.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        # Periodic jobs wait a day before their first run: nothing but the queries touches the cases.
        app = create_app(Settings(database_url=url, kafka_bootstrap_servers=NO_BROKER, log_level="ERROR",
                                  deadline_monitor_interval_seconds=86400, retention_check_seconds=86400),
                         clock=lambda: datetime.combine(TODAY, datetime.min.time().replace(hour=11), tzinfo=UTC))
        async with LifespanManager(app, startup_timeout=120) as manager:
            began = time.perf_counter()
            await _load(app.state.runtime.engine, cases)
            loaded = time.perf_counter() - began
            transport = httpx.ASGITransport(app=manager.app)
            load_before = os.getloadavg()[0]
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                results = await _measure(client, {"Authorization": "Bearer demo-wsx-ana-key"})
        # The machine's other work shows in the figures: its load average is printed beside them.
        return {"cases": cases, "owner_cases": cases * OWNERS.count(CALLER) // len(OWNERS),
                "load_seconds": loaded, "repeats": REPEATS, "queries": results,
                "load_average": [load_before, os.getloadavg()[0]], "cpus": os.cpu_count()}
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


def queues(cases: int = CASES) -> dict:
    """Section 6, or why it was skipped."""
    admin_url = os.environ.get("NWD_BENCH_POSTGRES_URL") or os.environ.get("NWD_TEST_POSTGRES_URL")
    if not admin_url:
        return {"skipped": "set NWD_BENCH_POSTGRES_URL (a PostgreSQL server where a database may be created)"}
    import logging

    import structlog

    # No broker in this section: the consumer's and relay's reconnection warnings are not the figures,
    # and a line per request would bury them.
    logging.disable(logging.ERROR)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    try:
        return asyncio.run(run(admin_url, cases))
    finally:
        logging.disable(logging.NOTSET)


def lines(q: dict) -> list[str]:
    if "skipped" in q:
        return ["", f"6. work queues and search: skipped ({q['skipped']})"]
    out = ["", f"6. work queues and search over HTTP, {q['cases']} cases on PostgreSQL "
               f"({q['owner_cases']} the caller's; loaded in {q['load_seconds']:.0f} s), {q['repeats']} asks each",
           f"   machine load average {q['load_average'][0]:.1f} -> {q['load_average'][1]:.1f} on {q['cpus']} cores "
           "(the app, PostgreSQL and the client share them)",
           "   query                                    found   p50 ms   p95 ms   target p95"]
    for name, r in q["queries"].items():
        verdict = "met" if r["p95_ms"] < TARGET_MS else "MISSED"
        out.append(f"   {name:<40} {r['found']:>5} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f}   < {TARGET_MS} ms {verdict}")
    return out


if __name__ == "__main__":
    result = queues(int(sys.argv[1]) if len(sys.argv) > 1 else CASES)
    print("\n".join(lines(result)))
    print(json.dumps(result, indent=2, default=str))
