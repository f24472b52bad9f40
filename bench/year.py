"""A national year: a year's contacts, in a realistic mix of routes, through the whole pipeline as fast as it goes."""

from __future__ import annotations

import asyncio
import json
import os
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from nwd_shared.devstack.stack import Stack
from nwd_shared.events import CASES, REFERRALS, TRIAGE
from nwd_shared.testing import bearer, contact_payload

NATIONAL_YEAR = 256_777  # written NHS complaints in England, 2024-25
# (share, end state): the event on the broker that finishes a contact of this kind.
MIX = {
    "complaint": (0.80, "case.opened"),      # about the body that received it
    "referral": (0.08, "case.opened"),       # about another body, which accepts ownership over HTTP
    "joint": (0.03, "case.opened"),          # health and social care: lead and contributor both accept
    "safeguarding": (0.03, "safeguarding.referred"),
    "feedback": (0.06, "triage.completed route feedback"),
}
LETTER = "The appointment letter gave the wrong date and nobody answered the phone to change it."
HOME_CARE = "The council's home care visits to my mother were missed for a week."
# (sender, body) per kind; senders alternate, so no one credential carries the load.
PAYLOADS = {
    "complaint": [(org, contact_payload(concerns=[{"organisation_id": org}], description=LETTER,
                                        desired_outcome="A correct appointment and an explanation."))
                  for org in ("uhsussex", "wsx-council", "bh-council")],
    "referral": [("uhsussex-pals", contact_payload(concerns=[{"organisation_id": "wsx-council"}],
                                                   description=HOME_CARE)),
                 ("wsx-council", contact_payload(concerns=[{"organisation_id": "uhsussex"}], description=LETTER))],
    "joint": [("healthwatch-wsx", contact_payload(
        concerns=[{"organisation_id": "uhsussex", "summary": "Discharged from hospital with no care plan."},
                  {"organisation_id": "wsx-council", "summary": "No home care arranged after discharge."}],
        description="My father was sent home from hospital with no plan and the council arranged no home care."))],
    "safeguarding": [("wsx-council", contact_payload(
        kind="concern", channel="phone", concerns=[{"service_type": "social_care", "area": "west-sussex"}],
        description="My sister is scared of her husband. He shouts at her, takes her phone off her and last "
                    "week he pushed her down the stairs. She has MS and depends on him for her care.",
        desired_outcome=None))],
    "feedback": [(org, contact_payload(kind="compliment", concerns=[{"organisation_id": org}],
                                       description="Thank you to the reablement team, they were wonderful.",
                                       desired_outcome=None))
                 for org in ("uhsussex", "wsx-council")],
}
END_EVENT = {"nwd.case.opened.v1": "case.opened", "nwd.safeguarding.referred.v1": "safeguarding.referred"}


def mix(n: int, seed: int = 2025) -> list[str]:
    """Exactly the mix's shares of `n` (rounded; the remainder is complaints), shuffled reproducibly."""
    kinds = [k for k, (share, _) in MIX.items() if k != "complaint" for _ in range(round(n * share))]
    kinds += ["complaint"] * (n - len(kinds))
    random.Random(seed).shuffle(kinds)
    return kinds


def rss_kib(pid: int) -> int | None:
    """Resident set size of a process, from /proc (no psutil)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time a process has used, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class MemorySampler(threading.Thread):
    """Samples each process's RSS every `interval` seconds until stopped."""

    def __init__(self, pids: dict[str, int], interval: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.pids, self.interval = pids, interval
        self.samples: dict[str, list[tuple[float, int]]] = {name: [] for name in pids}
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            now = time.monotonic()
            for name, pid in self.pids.items():
                if (kib := rss_kib(pid)) is not None:
                    self.samples[name].append((now, kib))
            self.stopping.wait(self.interval)

    def summary(self) -> dict[str, dict]:
        """Peak RSS and growth over the second half of the run (least-squares line, start to end of that half)."""
        out = {}
        for name, samples in self.samples.items():
            if len(samples) < 4:
                continue
            t0, t1 = samples[0][0], samples[-1][0]
            half = [(t, kib) for t, kib in samples if t >= (t0 + t1) / 2]
            slope, at_mid = _fit(half)
            start, end = at_mid, at_mid + slope * (t1 - half[0][0])
            out[name] = {"peak_mib": max(k for _, k in samples) / 1024, "start_mib": samples[0][1] / 1024,
                         "half_mib": start / 1024, "end_mib": end / 1024, "growth": end / start - 1,
                         "samples": len(samples)}
        return out


def _fit(points: list[tuple[float, int]]) -> tuple[float, float]:
    """Slope and value at the first point's time of the least-squares line through `points`."""
    t0 = points[0][0]
    xs, ys = [t - t0 for t, _ in points], [k for _, k in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0
    return slope, my - slope * mx


async def metrics_totals(client: httpx.AsyncClient, stack: Stack) -> dict[str, dict[str, float]]:
    """Per service: events consumed and published so far, from its /metrics."""
    totals = {}
    for service in stack.ports:
        text = (await client.get(f"{stack.url(service)}/metrics")).text
        sums = {"consumed": 0.0, "published": 0.0}
        for line in text.splitlines():
            for name, metric in (("consumed", "nwd_events_consumed_total{"), ("published", "nwd_events_published_total{")):
                if line.startswith(metric):
                    sums[name] += float(line.rsplit(" ", 1)[1])
        totals[service] = sums
    return totals


@dataclass
class Tally:
    """What the watcher and the posters have seen, per reference."""

    accepted: dict[str, str] = field(default_factory=dict)      # reference -> kind
    reached: dict[str, set[str]] = field(default_factory=dict)  # reference -> end states seen
    routes: dict[str, str] = field(default_factory=dict)        # reference -> triage route
    cases: Counter = field(default_factory=Counter)             # reference -> case.opened seen
    pending: set[str] = field(default_factory=set)
    refused: Counter = field(default_factory=Counter)
    accepts: Counter = field(default_factory=Counter)
    last_end: float = 0.0

    def done(self, reference: str) -> bool:
        kind = self.accepted.get(reference)
        return kind is not None and MIX[kind][1] in self.reached.get(reference, ())

    def reach(self, reference: str, state: str, now: float) -> None:
        self.reached.setdefault(reference, set()).add(state)
        if reference in self.pending and self.done(reference):
            self.pending.discard(reference)
            self.last_end = now


async def _watch(bootstrap: str, tally: Tally, accept: asyncio.Queue, stopping: asyncio.Event) -> None:
    """Counts each reference's end state; hands every ownership or joint proposal to the partner."""
    watcher = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=100,
                               max_poll_records=2000)
    await watcher.start()
    try:
        await watcher.topics()
        partitions = [TopicPartition(t, p) for t in (TRIAGE, REFERRALS, CASES)
                      for p in sorted(watcher.partitions_for_topic(t) or ())]
        watcher.assign(partitions)
        await watcher.seek_to_beginning(*partitions)  # a broker of its own: everything on it is the year's
        while not stopping.is_set():
            for records in (await watcher.getmany(timeout_ms=200)).values():
                now = time.monotonic()
                for record in records:
                    kind, reference = dict(record.headers).get("ce_type", b"").decode(), record.key.decode()
                    if kind == "nwd.triage.completed.v1":
                        route = json.loads(record.value)["route"]
                        tally.routes[reference] = route
                        if route == "feedback":
                            tally.reach(reference, MIX["feedback"][1], now)
                    elif kind == "nwd.referral.proposed.v1":
                        data = json.loads(record.value)
                        if data["purpose"] in ("ownership", "joint"):
                            accept.put_nowait((data["referral_id"], data["to_organisation"]))
                    elif kind in END_EVENT:
                        if kind == "nwd.case.opened.v1":
                            tally.cases[reference] += 1
                        tally.reach(reference, END_EVENT[kind], now)
    finally:
        await watcher.stop()


async def _partner(stack: Stack, tally: Tally, accept: asyncio.Queue) -> None:
    """The partner bodies: accept each proposal with the addressee's own key."""
    async with httpx.AsyncClient(timeout=60) as client:
        while True:
            referral_id, to = await accept.get()
            for attempt in range(5):
                try:
                    response = await client.post(f"{stack.url('referral')}/v1/referrals/{referral_id}/accept",
                                                 headers=bearer(f"demo-{to}-key"))
                    tally.accepts[response.status_code] += 1
                    if response.status_code < 500:
                        break
                except httpx.HTTPError:
                    tally.accepts["error"] += 1
                await asyncio.sleep(0.5 * (attempt + 1))
            accept.task_done()


async def _post_all(stack: Stack, kinds: list[str], tally: Tally, concurrency: int) -> None:
    """`concurrency` clients posting the year back to back; 429, 503 and connection errors are retried."""
    work = iter(enumerate(kinds))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        async def worker() -> None:
            for i, kind in work:
                sender, body = PAYLOADS[kind][i % len(PAYLOADS[kind])]
                for attempt in range(10):
                    try:
                        response = await client.post(f"{stack.url('intake')}/v1/contacts", json=body,
                                                     headers=bearer(f"demo-{sender}-key"))
                    except httpx.HTTPError:
                        tally.refused["error"] += 1
                    else:
                        if response.status_code == 202:
                            reference = response.json()["reference"]
                            tally.accepted[reference] = kind
                            if not tally.done(reference):
                                tally.pending.add(reference)
                            break
                        tally.refused[response.status_code] += 1
                        if response.status_code not in (429, 503):
                            break
                    await asyncio.sleep(0.2 * (attempt + 1))

        await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _run(stack: Stack, bootstrap: str, n: int, concurrency: int, stall: float) -> dict:
    tally, accept, stopping = Tally(), asyncio.Queue(), asyncio.Event()
    kinds = mix(n)
    async with httpx.AsyncClient(timeout=30) as scraper:
        before = await metrics_totals(scraper, stack)
        watching = asyncio.create_task(_watch(bootstrap, tally, accept, stopping))
        partners = [asyncio.create_task(_partner(stack, tally, accept)) for _ in range(4)]
        began = time.monotonic()
        await _post_all(stack, kinds, tally, concurrency)
        posted = time.monotonic() - began
        progress, seen = time.monotonic(), len(tally.pending)
        while tally.pending and time.monotonic() - progress < stall:
            await asyncio.sleep(1)
            if len(tally.pending) != seen:
                progress, seen = time.monotonic(), len(tally.pending)
        ended = tally.last_end or time.monotonic()
        elapsed = max(ended, began + posted) - began
        after = await metrics_totals(scraper, stack)
        stopping.set()
        await watching
        for task in partners:
            task.cancel()
    accepted_by_kind = Counter(tally.accepted.values())
    missing = Counter(tally.accepted[r] for r in tally.pending)
    return {
        "contacts": n, "concurrency": concurrency,
        "mix": {k: {"share": share, "end_state": end, "posted": kinds.count(k), "accepted": accepted_by_kind[k],
                    "reached": accepted_by_kind[k] - missing[k]} for k, (share, end) in MIX.items()},
        "routes": {f"{k} -> {r}": c for (k, r), c in
                   sorted(Counter((tally.accepted[ref], route) for ref, route in tally.routes.items()
                                  if ref in tally.accepted).items())},
        "accepted": len(tally.accepted), "reached": len(tally.accepted) - len(tally.pending),
        "missing": len(tally.pending), "missing_examples": sorted(tally.pending)[:10],
        "duplicated_cases": sum(1 for c in tally.cases.values() if c > 1),
        "refused": {str(k): v for k, v in tally.refused.items()},
        "partner_answers": {str(k): v for k, v in tally.accepts.items()},
        "posting_seconds": posted, "seconds": elapsed, "contacts_per_s": len(tally.accepted) / elapsed,
        "events_per_s": {s: {m: (after[s][m] - before[s][m]) / elapsed for m in after[s]} for s in after},
    }


def national_year(stack: Stack, bootstrap: str, n: int = NATIONAL_YEAR, concurrency: int = 32,
                  stall: float = 180, broker_pid: int | None = None) -> dict:
    """Post `n` contacts of the mix and wait for every accepted one to reach its end state."""
    pids = {service: process.pid for service, process in stack.processes.items()}
    if broker_pid:
        pids["broker"] = broker_pid
    pids["bench client"] = os.getpid()
    sampler = MemorySampler(pids)
    cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    sampler.start()
    try:
        result = asyncio.run(_run(stack, bootstrap, n, concurrency, stall))
    finally:
        sampler.stopping.set()
        sampler.join()
    # Where the machine's two cores went: CPU seconds per process over the run, per accepted contact.
    result["cpu_ms_per_contact"] = {
        name: (cpu_seconds(pid) - cpu_before[name]) * 1000 / max(result["accepted"], 1)
        for name, pid in pids.items() if cpu_before[name] is not None and cpu_seconds(pid) is not None}
    result["memory"] = sampler.summary()
    result["memory_method"] = ("RSS from /proc every 2 s; growth = least-squares line over the second half of "
                               "the run, its value at the end over its value at the half-way point, minus 1")
    return result
