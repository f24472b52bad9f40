"""`make bench`: throughput, latency, a national year and a replay, each beside a floor or target from the same run."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench import queues, triage_model
from bench.chain import relay_chain_latency
from bench.load import closed_loop, percentile
from bench.replay import replay
from bench.year import MIX, NATIONAL_YEAR, national_year
from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import free_port, spawn, stop, wait_for_port
from nwd_shared.devstack.stack import SERVICES, UNLIMITED, Stack
from nwd_shared.kafka import ensure_topics
from nwd_shared.testing import contact_payload

KEY = {"Authorization": "Bearer demo-wsx-council-key"}
BODY = contact_payload(description="The appointment letter gave the wrong date and nobody answered the phone.")


def _serve(args: list[str], env: dict, port: int, log: Path):
    process = spawn(args, env={**os.environ, **env}, log=open(log, "ab"))  # noqa: SIM115
    wait_for_port("127.0.0.1", port, 60, process)
    return process


def intake_throughput(work: Path, bootstrap: str, seconds: float) -> dict:
    """Intake's POST beside a bare endpoint with the same body model and one insert."""
    floor_port, intake_port = free_port(), free_port()
    floor = _serve([sys.executable, "-m", "uvicorn", "bench.floor_app:app", "--port", str(floor_port),
                    "--log-level", "warning"],
                   {"FLOOR_DATABASE_URL": f"sqlite+aiosqlite:///{work}/floor.db"}, floor_port, work / "floor.log")
    stack = Stack(data_dir=work / "intake-only", bootstrap_servers=bootstrap, ports={"intake": intake_port},
                  extra_env=UNLIMITED)
    stack.start()
    stack.wait_ready(timeout=180)
    results = {}
    try:
        for concurrency in (16, 64):
            for name, port in (("floor", floor_port), ("intake", intake_port)):
                url = f"http://127.0.0.1:{port}/v1/contacts"
                results[f"{name}_c{concurrency}"] = asyncio.run(closed_loop(url, BODY, KEY, concurrency, seconds))
    finally:
        stop(floor)
        stack.stop()
    for concurrency in (16, 64):
        ratio = results[f"intake_c{concurrency}"]["requests_per_s"] / results[f"floor_c{concurrency}"]["requests_per_s"]
        results[f"ratio_c{concurrency}"] = ratio
    return results


# The events a complaint about its receiver passes on its way to a case, one per hop.
HOPS = ("nwd.contact.received.v1", "nwd.triage.completed.v1", "nwd.ownership.agreed.v1", "nwd.case.opened.v1")


async def _case_opened_latency(stack: Stack, bootstrap: str, rate: float, seconds: float) -> dict:
    accepted: dict[str, float] = {}
    seen: dict[str, dict[str, float]] = {hop: {} for hop in HOPS}
    opened = seen["nwd.case.opened.v1"]
    watcher = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=10)
    await watcher.start()
    partitions = [TopicPartition(topic, p) for topic in ("nwd.contacts", "nwd.triage", "nwd.referrals", "nwd.cases")
                  for p in watcher.partitions_for_topic(topic) or {0}]
    watcher.assign(partitions)
    await watcher.seek_to_end(*partitions)
    stopping = asyncio.Event()

    async def watch() -> None:
        while not stopping.is_set():
            for records in (await watcher.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    if (hop := seen.get(dict(record.headers).get("ce_type", b"").decode())) is not None:
                        hop.setdefault(record.key.decode(), now)

    watching = asyncio.create_task(watch())
    async with httpx.AsyncClient(timeout=10) as client:
        async def post() -> None:
            try:
                response = await client.post(f"{stack.url('intake')}/v1/contacts", json=BODY, headers=KEY)
            except httpx.HTTPError:
                return  # not accepted: counted as the gap between accepted and the posts sent
            if response.status_code == 202:
                accepted[response.json()["reference"]] = time.perf_counter()

        posts = []
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            posts.append(asyncio.create_task(post()))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*posts)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not accepted.keys() <= opened.keys():
        await asyncio.sleep(0.2)
    stopping.set()
    await watching
    await watcher.stop()
    latencies = [opened[r] - t for r, t in accepted.items() if r in opened]
    # Each hop's p50: from the previous event (or the 202) reaching the broker to this one.
    hops, previous = {}, accepted
    for hop in HOPS:
        hops[hop] = percentile([seen[hop][r] - previous[r] for r in accepted
                                if r in seen[hop] and r in previous], 0.5) * 1000
        previous = seen[hop]
    return {"p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "accepted": len(accepted), "opened": len(latencies), "hop_p50_ms": hops}


def end_to_end_latency(work: Path, bootstrap: str, rate: float, seconds: float, sustained_rate: float) -> dict:
    """From the POST's 202 to case.opened on the broker, beside a four-hop relay chain.

    First at a rate the pipeline sustains (so the figure is latency, not queueing), then at the
    target's rate on the same stack."""
    chain = asyncio.run(relay_chain_latency(bootstrap, rate, seconds))
    stack = Stack(data_dir=work / "stack", bootstrap_servers=bootstrap,
                  ports={service: free_port() for service in SERVICES},
                  extra_env=UNLIMITED)
    stack.start()
    try:
        stack.wait_ready(timeout=180)
        # Warm-up, not measured: until consumer groups have joined (5 s each on Tansu) the first
        # contacts wait, and that start-up showed as 13 s p50 at 20/s.
        asyncio.run(_case_opened_latency(stack, bootstrap, 5, 4))
        sustained = (asyncio.run(_case_opened_latency(stack, bootstrap, sustained_rate, seconds))
                     if sustained_rate else None)
        system = asyncio.run(_case_opened_latency(stack, bootstrap, rate, seconds))
    finally:
        stack.stop()
    return {"chain_floor": chain, "system": system, "sustained_rate": sustained_rate, "sustained": sustained,
            "p50_ratio": system["p50_ms"] / chain["p50_ms"] if chain["p50_ms"] else float("nan")}


def year_and_replay(work: Path, contacts: int, concurrency: int, stall: float, with_replay: bool) -> dict:
    """Sections 3 and 4 on a broker and stack of their own, so the topics hold the year and nothing else."""
    with TansuBroker(port=free_port(), log_file=work / "year-broker.log") as broker:
        bootstrap = broker.bootstrap_servers
        asyncio.run(ensure_topics(bootstrap))
        stack = Stack(data_dir=work / "year", bootstrap_servers=bootstrap,
                      ports={service: free_port() for service in SERVICES}, extra_env=UNLIMITED)
        stack.start()
        try:
            stack.wait_ready(timeout=180)
            broker_pid = broker._process.pid  # the broker keeps every record in memory: worth watching
            out = {"national_year": national_year(stack, bootstrap, contacts, concurrency, stall, broker_pid)}
            if with_replay:
                try:
                    out["replay"] = replay(stack, bootstrap)
                except Exception as exc:  # keep the year's figures even if the replay fails
                    out["replay_error"] = repr(exc)
            out["crashed"] = [s for s in stack.crashed() if s != "learning" or not with_replay]
        finally:
            stack.stop()
    return out


def _year_lines(y: dict) -> list[str]:
    minutes = y["seconds"] / 60
    lines = [
        "",
        f"3. national year: {y['contacts']} contacts at concurrency {y['concurrency']}",
        "   kind           share  end state                          accepted   reached",
    ]
    for kind, m in y["mix"].items():
        lines.append(f"   {kind:<14} {m['share']:>5.0%}  {m['end_state']:<34} {m['accepted']:>8} {m['reached']:>9}")
    lines += [
        f"   every contact accounted for: {y['reached']}/{y['accepted']} reached, {y['missing']} missing, "
        f"{y['duplicated_cases']} duplicated cases (target: none missing)",
        f"   time to the last end state: {minutes:.1f} min ({y['contacts_per_s']:.0f} contacts/s; posting took "
        f"{y['posting_seconds'] / 60:.1f} min)",
    ]
    if y["contacts"] != NATIONAL_YEAR:
        lines.append(f"   at the national year's {NATIONAL_YEAR} and this rate: "
                     f"{NATIONAL_YEAR / y['contacts_per_s'] / 60:.1f} min, target < 15 "
                     f"(ratio {NATIONAL_YEAR / y['contacts_per_s'] / 900:.2f})")
    else:
        lines.append(f"   target < 15 min: ratio {minutes / 15:.2f}")
    lines.append("   service       consumed/s  published/s  CPU ms/contact  peak RSS MiB   growth over 2nd half "
                 "(target <= 10%)")
    for service, m in y["memory"].items():
        rates = y["events_per_s"].get(service)
        flows = f"{rates['consumed']:>10.0f} {rates['published']:>12.0f}" if rates else f"{'-':>10} {'-':>12}"
        cpu = y.get("cpu_ms_per_contact", {}).get(service)
        cpu_text = f"{cpu:>15.1f}" if cpu is not None else f"{'-':>15}"
        lines.append(f"   {service:<12} {flows} {cpu_text} {m['peak_mib']:>13.0f}   {m['growth']:>+8.1%}")
    if cpu_all := y.get("cpu_ms_per_contact"):
        lines.append(f"   CPU per contact, all processes: {sum(cpu_all.values()):.1f} ms "
                     f"(two cores give {2000 * 900 / NATIONAL_YEAR:.1f} ms per contact for the year in 15 min)")
    if y["refused"]:
        lines.append(f"   refused and retried: {y['refused']}")
    lines.append(f"   memory: {y['memory_method']}")
    return lines


def _replay_lines(r: dict) -> list[str]:
    return [
        "",
        "4. replay of learning's topics after the year          records   seconds   events/s",
        f"   raw aiokafka consumption (floor)               {r['raw_floor']['records']:>12} "
        f"{r['raw_floor']['seconds']:>9.1f} {r['raw_floor']['events_per_s']:>10.0f}",
        f"   learning rebuild                               {r['rebuild']['records']:>12} "
        f"{r['rebuild']['seconds']:>9.1f} {r['rebuild']['events_per_s']:>10.0f}",
        f"   rebuild / raw: {r['ratio']:.2f} (no target; the floor is the same records read and dropped)",
        f"   records on the topics {r['raw_floor']['high_watermark_total']} (fetch high watermarks); the broker's "
        f"ListOffsets said {r['raw_floor']['listed_end_total']}; both readers go to the watermarks",
        f"   projections identical after the rebuild: {r['projections_same']} "
        f"({r['projections_before']} before, {r['projections_after']} after)",
    ]


def table(results: dict) -> str:
    lines = [f"machine: {results['machine']}"]
    if "intake_throughput" in results:
        lines += _throughput_lines(results["intake_throughput"])
    if "end_to_end_latency" in results:
        lines += _latency_lines(results)
    if "national_year" in results:
        lines += _year_lines(results["national_year"])
    if "replay" in results:
        lines += _replay_lines(results["replay"])
    if "replay_error" in results:
        lines += ["", f"4. replay failed: {results['replay_error']}"]
    if "triage_model" in results:
        lines += triage_model.lines(results["triage_model"])
    if "queues" in results:
        lines += queues.lines(results["queues"])
    return "\n".join(lines)


def _throughput_lines(t: dict) -> list[str]:
    lines = ["", "1. intake POST /v1/contacts            req/s     p50 ms   p99 ms"]
    for c in (16, 64):
        for name in ("floor", "intake"):
            r = t[f"{name}_c{c}"]
            lines.append(f"   {name:<7} concurrency {c:<3}        {r['requests_per_s']:>8.0f} {r['p50_ms']:>9.1f} "
                         f"{r['p99_ms']:>8.1f}")
        lines.append(f"   intake / floor at {c}: {t[f'ratio_c{c}']:.2f}   (target >= 0.5)")
    return lines


def _latency_lines(results: dict) -> list[str]:
    e = results["end_to_end_latency"]
    return [
        "",
        f"2. 202 -> case.opened at {results['rate']}/s for {results['latency_seconds']} s    p50 ms   p99 ms",
        f"   four-hop relay chain floor            {e['chain_floor']['p50_ms']:>8.1f} {e['chain_floor']['p99_ms']:>8.1f}",
        f"   No Wrong Door ({e['system']['opened']}/{e['system']['accepted']} opened)"
        f"        {e['system']['p50_ms']:>8.1f} {e['system']['p99_ms']:>8.1f}",
        f"   p50 / floor: {e['p50_ratio']:.2f} (target <= 3); p99 target < 500 ms",
        _hop_line(e["system"]),
    ] + ([
        f"   at {e['sustained_rate']:g}/s, first, on the same stack ({e['sustained']['opened']}/"
        f"{e['sustained']['accepted']} opened)   {e['sustained']['p50_ms']:>8.1f} {e['sustained']['p99_ms']:>8.1f}",
        f"   p50 / floor at {e['sustained_rate']:g}/s: {e['sustained']['p50_ms'] / e['chain_floor']['p50_ms']:.2f}",
        _hop_line(e["sustained"]),
    ] if e.get("sustained") else [])


def _hop_line(system: dict) -> str:
    names = {"nwd.contact.received.v1": "received", "nwd.triage.completed.v1": "triaged",
             "nwd.ownership.agreed.v1": "agreed", "nwd.case.opened.v1": "opened"}
    return "   p50 per hop, ms: 202 -> " + " -> ".join(
        f"{names[hop]} {ms:.0f}" for hop, ms in system["hop_p50_ms"].items())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15, help="per throughput measurement")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--latency-seconds", type=float, default=60)
    parser.add_argument("--sustained-rate", type=float, default=20,
                        help="section 2 also measured at this rate, before --rate (0: skip)")
    parser.add_argument("--year-contacts", type=int, default=NATIONAL_YEAR,
                        help=f"contacts in the national year (mix: {', '.join(f'{k} {s:.0%}%' for k, (s, _) in MIX.items())})")
    parser.add_argument("--year-concurrency", type=int, default=32)
    parser.add_argument("--year-stall", type=float, default=180, help="give up after this long with no progress")
    parser.add_argument("--skip-throughput", action="store_true", help="skip section 1")
    parser.add_argument("--skip-latency", action="store_true", help="skip section 2")
    parser.add_argument("--skip-year", action="store_true", help="skip sections 3 and 4")
    parser.add_argument("--skip-replay", action="store_true", help="skip section 4")
    parser.add_argument("--skip-triage-model", action="store_true", help="skip section 5")
    parser.add_argument("--skip-queues", action="store_true",
                        help="skip section 6 (needs NWD_BENCH_POSTGRES_URL, else it says so and skips)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.json"))
    args = parser.parse_args(argv)
    results = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "rate": args.rate, "latency_seconds": args.latency_seconds,
    }
    with tempfile.TemporaryDirectory(prefix="nwd-bench-") as tmp:
        work = Path(tmp)
        if not (args.skip_throughput and args.skip_latency):
            with TansuBroker(port=free_port()) as broker:
                asyncio.run(ensure_topics(broker.bootstrap_servers))
                if not args.skip_throughput:
                    results["intake_throughput"] = intake_throughput(work, broker.bootstrap_servers, args.seconds)
                if not args.skip_latency:
                    results["end_to_end_latency"] = end_to_end_latency(work, broker.bootstrap_servers, args.rate,
                                                                       args.latency_seconds, args.sustained_rate)
        if not args.skip_year:
            results |= year_and_replay(work, args.year_contacts, args.year_concurrency, args.year_stall,
                                       not args.skip_replay)
    if not args.skip_triage_model:
        results["triage_model"] = triage_model.triage_model()
    if not args.skip_queues:
        results["queues"] = queues.queues()
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
