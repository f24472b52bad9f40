"""`make run` restarted mid-flow loses nothing (issue 17, item 3).

The stack runs as `make run` runs it (`python -m nwd_shared.devstack.stack`, Tansu in memory, SQLite
files kept), contacts are posted, and it is stopped while they flow: Ctrl-C once (the ordered stop),
or SIGKILL of every process at once. Started again, every accepted contact reaches its case, none
twice, and `learning rebuild` from the topics gives the projections learning holds.

`make test` posts 100 contacts per scenario (about 4 minutes for both on a loaded 2-core machine:
500 would not fit the 3 minutes `make test` allows);
`make chaos` also posts 500.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from nwd_shared.devstack.processes import free_port
from nwd_shared.devstack.stack import SERVICES, UNLIMITED, Stack

from .harness import Load, audit, wait_for_end_states

pytestmark = pytest.mark.e2e
PROJECTIONS = ("learning_contact", "learning_case", "learning_event_fact")
RATE = 40.0


def port_base() -> int:
    """A base whose five service ports (base+1 … base+5) nothing listens on."""
    while True:
        base = random.randrange(20000, 60000, 10)
        with contextlib.ExitStack() as held:
            try:
                for offset in range(1, 6):
                    sock = held.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", base + offset))
                return base
            except OSError:
                continue


class MakeRun:
    """`make run`'s supervisor as a process of its own, over one data directory and fixed ports."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.broker_port = free_port()
        self.base = port_base()
        self.stack = Stack(data_dir=data, bootstrap_servers=f"127.0.0.1:{self.broker_port}",
                           ports={s: self.base + p - 8000 for s, p in SERVICES.items()})
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.data / "make-run.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "nwd_shared.devstack.stack", "--data-dir", str(self.data),
             "--broker-port", str(self.broker_port), "--port-base", str(self.base)],
            env={**os.environ, **UNLIMITED}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.stack.wait_ready(timeout=300)

    def interrupt(self) -> int:
        """Ctrl-C once; returns the exit code."""
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=180)

    def kill_everything(self) -> None:
        """SIGKILL the supervisor's process group and every child's (each runs in a session of its own)."""
        children = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc"))) if _parent(pid) == self.process.pid]
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.kill_everything()


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def rows(database: Path, tables=PROJECTIONS) -> dict[str, list[tuple]]:
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as db:
        return {table: sorted(map(tuple, db.execute(f"SELECT * FROM {table}")), key=repr) for table in tables}


def count(database: Path, query: str) -> int:
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as db:
        return db.execute(query).fetchone()[0]


async def rebuilt_copy(run: MakeRun) -> dict[str, list[tuple]]:
    """`python -m learning rebuild` on a copy of learning's database, from the live topics."""
    copy = run.data / "learning-rebuilt.db"
    with contextlib.closing(sqlite3.connect(run.data / "learning.db")) as live, \
            contextlib.closing(sqlite3.connect(copy)) as target:
        live.backup(target)
    env = {**os.environ, "NWD_LEARNING_DATABASE_URL": f"sqlite+aiosqlite:///{copy}",
           "NWD_KAFKA_BOOTSTRAP_SERVERS": run.stack.bootstrap_servers, "NWD_LOG_LEVEL": "WARNING"}
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "learning", "rebuild", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode == 0, err.decode()[-3000:]
    return rows(copy)


@pytest.mark.parametrize("contacts", [100, pytest.param(500, marks=pytest.mark.chaos)])
@pytest.mark.parametrize("stop", ["SIGINT", "SIGKILL"])
async def test_make_run_restarted_mid_flow_loses_nothing(tmp_path, stop, contacts):
    run = MakeRun(tmp_path)
    try:
        await asyncio.to_thread(run.start)
        load = Load(run.stack, rate=RATE)
        posting = asyncio.create_task(load.run(contacts / RATE))
        await asyncio.sleep(0.8 * contacts / RATE)  # mid-flow: still posting, triage and casework behind
        if stop == "SIGINT":
            assert await asyncio.to_thread(run.interrupt) == 0
        else:
            await asyncio.to_thread(run.kill_everything)
        await posting
        cases_at_stop = count(tmp_path / "casework.db", "SELECT count(*) FROM complaint_case")
        learned_at_stop = rows(tmp_path / "learning.db")
        print(f"\n{stop}: {len(load.accepted)} accepted, {cases_at_stop} with a case at the stop")

        await asyncio.to_thread(run.start)  # the same data directory: `make run` again
        recovery = await wait_for_end_states(run.stack, load.accepted, timeout=300)
        report = await audit(f"make run, {stop}, restarted", run.stack, run.stack.bootstrap_servers, load, recovery)
        print(report.line())
        assert report.accepted > 0
        assert (report.lost, report.duplicated, report.out_of_order) == (0, 0, 0), report.line()
        assert count(tmp_path / "casework.db", "SELECT count(*) FROM complaint_case") == report.accepted

        assert await asyncio.to_thread(run.stack.wait_caught_up, list(SERVICES), 120)
        live = rows(tmp_path / "learning.db")
        assert await rebuilt_copy(run) == live
        # And nothing learning knew at the stop is missing from the rebuild.
        for table in PROJECTIONS:
            assert len(live[table]) >= len(learned_at_stop[table]), table
        assert {r[0] for r in learned_at_stop["learning_contact"]} <= {r[0] for r in live["learning_contact"]}
        assert len(live["learning_contact"]) >= report.accepted
    finally:
        run.close()
