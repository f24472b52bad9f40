"""`make run`: the broker and all five services in the foreground; Ctrl-C stops everything, in order.

A restart loses nothing: Ctrl-C stops intake (the door) first, waits until every other consumer has
caught up and every outbox is empty (or `--catch-up-seconds`), then the other services, then the
broker. Whatever is still in flight at the end, or when everything is killed at once, is in the
services' SQLite files: on the next start each service re-publishes its retained outbox to a broker
that lost its log (`nwd_shared.messaging.republish`), and the inboxes drop what was applied.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from nwd_shared.devstack.broker import MEMORY, TansuBroker
from nwd_shared.devstack.processes import spawn, stop
from nwd_shared.directory import load_directory
from nwd_shared.kafka import ensure_topics
from nwd_shared.messaging.republish import partition_ends
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE

# For load from one key (benchmarks, fault tests): the per-credential limit is not what they measure.
UNLIMITED = {"NWD_RATE_LIMIT_PER_MINUTE": "100000000"}
# Local development: partners' test endpoints listen on this machine, over http.
LOCAL_WEBHOOKS = {"NWD_WEBHOOK_ALLOW_HTTP": "true", "NWD_WEBHOOK_ALLOWED_NETWORKS": '["127.0.0.0/8"]'}
SERVICES = {"intake": 8001, "triage": 8002, "casework": 8003, "referral": 8004, "learning": 8005}


@dataclass
class Stack:
    """The services as processes over one broker, each with a SQLite file in `data_dir`."""

    data_dir: Path
    bootstrap_servers: str
    ports: dict[str, int] = field(default_factory=lambda: dict(SERVICES))
    organisations_file: Path = DEMO_ORGANISATIONS_FILE
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def env_for(self, service: str) -> dict[str, str]:
        database = (self.data_dir / f"{service}.db").resolve()
        return {
            **os.environ,
            "NWD_PORT": str(self.ports[service]),
            "NWD_HOST": "127.0.0.1",
            f"NWD_{service.upper()}_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
            "NWD_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap_servers,
            "NWD_ORGANISATIONS_FILE": str(self.organisations_file),
            **LOCAL_WEBHOOKS,
            **self.extra_env,
        }

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(ensure_topics(self.bootstrap_servers))
        for service in self.ports:
            self.start_service(service)

    def start_service(self, service: str) -> None:
        log = open(self.data_dir / f"{service}.log", "ab")  # noqa: SIM115
        self.processes[service] = spawn([sys.executable, "-m", service, "serve"],
                                        env=self.env_for(service), log=log)

    def kill(self, service: str, sig: int = signal.SIGKILL) -> int:
        """Signal one service and wait for it to exit; returns its exit code."""
        process = self.processes[service]
        process.send_signal(sig)
        return process.wait(timeout=30)

    def wait_ready(self, timeout: float = 60.0, services: set[str] | None = None) -> None:
        """Block until every service's /readyz says ready (consumers joined included)."""
        deadline = time.monotonic() + timeout
        pending = set(services or self.ports)
        with httpx.Client(timeout=2) as client:
            while pending and time.monotonic() < deadline:
                for service in sorted(pending):
                    process = self.processes.get(service)  # none when another process started it
                    if process is not None and process.poll() is not None:
                        raise RuntimeError(f"{service} exited with {process.returncode}; see "
                                           f"{self.data_dir / (service + '.log')}")
                    try:
                        ready = client.get(f"{self.url(service)}/readyz")
                        # Readiness no longer waits for consumers to join; a stack starting does.
                        if ready.status_code == 200 and all(
                                c["joined"] for c in ready.json().get("consumers", {}).values()):
                            pending.discard(service)
                    except httpx.HTTPError:
                        pass
                time.sleep(0.2)
        if pending:
            raise TimeoutError(f"not ready after {timeout}s: {', '.join(sorted(pending))}")

    def crashed(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def consumer_partitions(self, services: Iterable[str]) -> dict[str, set[TopicPartition]]:
        """Each consumer group of the services and the partitions it reads, from their lag gauges."""
        groups: dict[str, set[TopicPartition]] = {}
        with httpx.Client(timeout=5) as client:
            for service in services:
                try:
                    text = client.get(f"{self.url(service)}/metrics").text
                except httpx.HTTPError:
                    continue
                for family in text_string_to_metric_families(text):
                    if family.name == "nwd_consumer_lag":
                        for sample in family.samples:
                            labels = sample.labels
                            groups.setdefault(labels["consumer"], set()).add(
                                TopicPartition(labels["topic"], int(labels["partition"])))
        return groups

    def outbox_backlog(self, services: Iterable[str]) -> int:
        """Unpublished outbox rows of the services, from their gauges (-1 when one cannot answer)."""
        total = 0
        with httpx.Client(timeout=5) as client:
            for service in services:
                try:
                    text = client.get(f"{self.url(service)}/metrics").text
                except httpx.HTTPError:
                    return -1
                total += sum(int(sample.value) for family in text_string_to_metric_families(text)
                             if family.name == "nwd_outbox_backlog" for sample in family.samples)
        return total

    def wait_caught_up(self, services: Iterable[str], timeout: float,
                       hurry: Callable[[], bool] = lambda: False) -> bool:
        """Block until every consumer group of `services` has committed the end of what it reads and
        their outboxes are empty, seen twice over a quiet second; False after `timeout` or when hurried."""
        services = [s for s in services if s not in self.processes or self.processes[s].poll() is None]
        groups = self.consumer_partitions(services)
        return asyncio.run(_wait_caught_up(self, services, groups, timeout, hurry))

    def shut_down(self, catch_up_seconds: float = 30.0, hurry: Callable[[], bool] = lambda: False) -> bool:
        """Stop in order: intake (the door), then wait for the rest to catch up, then the rest.

        Returns whether everything caught up; what did not is kept in the SQLite files either way.
        """
        caught_up = True
        if "intake" in self.processes:
            stop(self.processes.pop("intake"), timeout=30)
            caught_up = self.wait_caught_up(list(self.processes), catch_up_seconds, hurry)
        self.stop()
        return caught_up

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            stop(process)
        self.processes.clear()


async def _wait_caught_up(stack: Stack, services: list[str], groups: dict[str, set[TopicPartition]],
                          timeout: float, hurry: Callable[[], bool]) -> bool:
    readers = {group: AIOKafkaConsumer(bootstrap_servers=stack.bootstrap_servers, group_id=group,
                                       enable_auto_commit=False) for group in groups}
    deadline = time.monotonic() + timeout
    try:
        for reader in readers.values():
            await reader.start()
        topics = {tp.topic for tps in groups.values() for tp in tps}
        previous = None
        while time.monotonic() < deadline and not hurry():
            try:
                ends = await partition_ends(stack.bootstrap_servers, topics)
                lag = 0
                for group, tps in groups.items():
                    for tp in tps:
                        lag += max(ends.get(tp, 0) - (await readers[group].committed(tp) or 0), 0)
                backlog = await asyncio.to_thread(stack.outbox_backlog, services)
            except Exception as exc:  # noqa: BLE001 - the broker or a service is busy: look again
                print(f"waiting for the consumers: {type(exc).__name__}", flush=True)
                await asyncio.sleep(1)
                continue
            state = (lag, backlog, ends)
            if lag == 0 and backlog == 0 and state == previous:
                return True
            previous = state
            await asyncio.sleep(1.0)
        return False
    finally:
        for reader in readers.values():
            with contextlib.suppress(Exception):
                await reader.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the No Wrong Door embedded stack.")
    parser.add_argument("--data-dir", type=Path, default=Path(".data"))
    parser.add_argument("--broker-port", type=int, default=9092)
    parser.add_argument("--port-base", type=int, default=8000, help="services listen on base+1 … base+5")
    parser.add_argument("--catch-up-seconds", type=float, default=30.0,
                        help="on Ctrl-C, how long to wait for the consumers to catch up")
    parser.add_argument("--ready-seconds", type=float, default=180.0,
                        help="how long the services may take to start")
    args = parser.parse_args(argv)
    storage = os.environ.get("NWD_BROKER_STORAGE") or MEMORY
    organisations = Path(os.environ.get("NWD_ORGANISATIONS_FILE", DEMO_ORGANISATIONS_FILE))
    directory = load_directory(organisations)  # fail before starting anything if it is bad
    args.data_dir.mkdir(parents=True, exist_ok=True)

    signals = 0

    def request_stop(*_: object) -> None:
        nonlocal signals
        signals += 1
        if signals == 2:
            print("stopping now, without waiting for the consumers", flush=True)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    broker = TansuBroker(port=args.broker_port, log_file=args.data_dir / "broker.log", storage=storage)
    ports = {service: args.port_base + (port - 8000) for service, port in SERVICES.items()}
    stack = Stack(data_dir=args.data_dir, bootstrap_servers=broker.bootstrap_servers, ports=ports,
                  organisations_file=organisations)
    try:
        kept = (f"its log in {storage.split('://')[0]}" if broker.persistent else
                "in memory: its log dies with it; the services re-publish their outboxes at the next start")
        print(f"broker     kafka://{broker.bootstrap_servers} (Tansu, {kept})", flush=True)
        broker.start()
        stack.start()
        stack.wait_ready(args.ready_seconds)
        for service in stack.ports:
            print(f"{service:<10} {stack.url(service)}   docs {stack.url(service)}/docs")
        print("\nAPI keys (demo directory; send as 'Authorization: Bearer <key>'):")
        for org in directory.organisations:
            if org.api_key:
                print(f"  {org.id:<16} {org.api_key}")
        print(f"\nlogs and SQLite files in {args.data_dir}/ — Ctrl-C stops everything.", flush=True)
        while not signals:
            crashed = stack.crashed()
            if crashed:
                print(f"stopping: {', '.join(crashed)} exited; see {args.data_dir}/", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except (RuntimeError, TimeoutError) as exc:
        print(f"could not start: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping: intake first, then the rest once their consumers have caught up…", flush=True)
        caught_up = stack.shut_down(args.catch_up_seconds, hurry=lambda: signals > 1)
        if not caught_up:
            print("some events were still in flight: they are kept in the services' databases and "
                  "delivered at the next start", flush=True)
        broker.stop()


if __name__ == "__main__":
    sys.exit(main())
