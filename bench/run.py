"""`make bench`: intake throughput and end-to-end latency against floors measured in the same run."""

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

from bench.chain import relay_chain_latency
from bench.load import closed_loop, percentile
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
    stack.wait_ready()
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


async def _case_opened_latency(stack: Stack, bootstrap: str, rate: float, seconds: float) -> dict:
    accepted: dict[str, float] = {}
    opened: dict[str, float] = {}
    watcher = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=10)
    await watcher.start()
    partitions = [TopicPartition("nwd.cases", p) for p in watcher.partitions_for_topic("nwd.cases") or {0}]
    watcher.assign(partitions)
    await watcher.seek_to_end(*partitions)
    stopping = asyncio.Event()

    async def watch() -> None:
        while not stopping.is_set():
            for records in (await watcher.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    if dict(record.headers).get("ce_type") == b"nwd.case.opened.v1":
                        opened.setdefault(record.key.decode(), now)

    watching = asyncio.create_task(watch())
    async with httpx.AsyncClient(timeout=10) as client:
        async def post() -> None:
            response = await client.post(f"{stack.url('intake')}/v1/contacts", json=BODY, headers=KEY)
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
    return {"p50_ms": percentile(latencies, 0.5) * 1000, "p99_ms": percentile(latencies, 0.99) * 1000,
            "accepted": len(accepted), "opened": len(latencies)}


def end_to_end_latency(work: Path, bootstrap: str, rate: float, seconds: float) -> dict:
    """From the POST's 202 to case.opened on the broker, beside a four-hop relay chain."""
    chain = asyncio.run(relay_chain_latency(bootstrap, rate, seconds))
    stack = Stack(data_dir=work / "stack", bootstrap_servers=bootstrap,
                  ports={service: free_port() for service in SERVICES},
                  extra_env=UNLIMITED)
    stack.start()
    try:
        stack.wait_ready(timeout=90)
        system = asyncio.run(_case_opened_latency(stack, bootstrap, rate, seconds))
    finally:
        stack.stop()
    return {"chain_floor": chain, "system": system,
            "p50_ratio": system["p50_ms"] / chain["p50_ms"] if chain["p50_ms"] else float("nan")}


def table(results: dict) -> str:
    t = results["intake_throughput"]
    e = results["end_to_end_latency"]
    lines = [
        f"machine: {results['machine']}",
        "",
        "1. intake POST /v1/contacts            req/s     p50 ms   p99 ms",
    ]
    for c in (16, 64):
        for name in ("floor", "intake"):
            r = t[f"{name}_c{c}"]
            lines.append(f"   {name:<7} concurrency {c:<3}        {r['requests_per_s']:>8.0f} {r['p50_ms']:>9.1f} "
                         f"{r['p99_ms']:>8.1f}")
        lines.append(f"   intake / floor at {c}: {t[f'ratio_c{c}']:.2f}   (target >= 0.5)")
    lines += [
        "",
        f"2. 202 -> case.opened at {results['rate']}/s for {results['latency_seconds']} s    p50 ms   p99 ms",
        f"   four-hop relay chain floor            {e['chain_floor']['p50_ms']:>8.1f} {e['chain_floor']['p99_ms']:>8.1f}",
        f"   No Wrong Door ({e['system']['opened']}/{e['system']['accepted']} opened)"
        f"        {e['system']['p50_ms']:>8.1f} {e['system']['p99_ms']:>8.1f}",
        f"   p50 / floor: {e['p50_ratio']:.2f} (target <= 3); p99 target < 500 ms",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15, help="per throughput measurement")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--latency-seconds", type=float, default=60)
    parser.add_argument("--out", type=Path, default=Path("bench/results/latest.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nwd-bench-") as tmp, TansuBroker(port=free_port()) as broker:
        work = Path(tmp)
        asyncio.run(ensure_topics(broker.bootstrap_servers))
        results = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "rate": args.rate, "latency_seconds": args.latency_seconds,
            "intake_throughput": intake_throughput(work, broker.bootstrap_servers, args.seconds),
            "end_to_end_latency": end_to_end_latency(work, broker.bootstrap_servers, args.rate,
                                                     args.latency_seconds),
        }
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
