"""`make run`: the broker and all five services in the foreground; Ctrl-C stops everything."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from nwd_shared.devstack.broker import TansuBroker
from nwd_shared.devstack.processes import spawn, stop
from nwd_shared.directory import load_directory
from nwd_shared.kafka import ensure_topics
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE

# For load from one key (benchmarks, fault tests): the per-credential limit is not what they measure.
UNLIMITED = {"NWD_RATE_LIMIT_PER_MINUTE": "100000000"}
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
                    process = self.processes[service]
                    if process.poll() is not None:
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

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            stop(process)
        self.processes.clear()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the No Wrong Door embedded stack.")
    parser.add_argument("--data-dir", type=Path, default=Path(".data"))
    parser.add_argument("--broker-port", type=int, default=9092)
    args = parser.parse_args(argv)
    organisations = Path(os.environ.get("NWD_ORGANISATIONS_FILE", DEMO_ORGANISATIONS_FILE))
    directory = load_directory(organisations)  # fail before starting anything if it is bad
    args.data_dir.mkdir(parents=True, exist_ok=True)

    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    broker = TansuBroker(port=args.broker_port, log_file=args.data_dir / "broker.log")
    stack = Stack(data_dir=args.data_dir, bootstrap_servers=broker.bootstrap_servers,
                  organisations_file=organisations)
    try:
        print(f"broker     kafka://{broker.bootstrap_servers} (Tansu, in memory)", flush=True)
        broker.start()
        stack.start()
        stack.wait_ready()
        for service in stack.ports:
            print(f"{service:<10} {stack.url(service)}   docs {stack.url(service)}/docs")
        print("\nAPI keys (demo directory; send as 'Authorization: Bearer <key>'):")
        for org in directory.organisations:
            if org.api_key:
                print(f"  {org.id:<16} {org.api_key}")
        print(f"\nlogs and SQLite files in {args.data_dir}/ — Ctrl-C stops everything.", flush=True)
        while not stopping:
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
        print("stopping…", flush=True)
        stack.stop()
        broker.stop()


if __name__ == "__main__":
    sys.exit(main())
