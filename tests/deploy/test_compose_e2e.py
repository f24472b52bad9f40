"""Where a Docker engine exists: the compose stack, brought up and checked by deploy/compose-e2e.sh.

Builds five images and starts Kafka, PostgreSQL and the services on ports 8001-8005, so it takes
minutes. Skipped, with the reason, where there is no Docker engine or no Compose v2, or when
NWD_SKIP_COMPOSE_E2E=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "compose-e2e.sh"

pytestmark = pytest.mark.e2e


def docker_unavailable() -> str | None:
    """Why the compose stack cannot run here, or None if it can."""
    if os.environ.get("NWD_SKIP_COMPOSE_E2E") == "1":
        return "NWD_SKIP_COMPOSE_E2E=1"
    if shutil.which("docker") is None:
        return "no docker command on PATH"
    for command, what in ((["docker", "info"], "no Docker engine"),
                          (["docker", "compose", "version"], "no Docker Compose v2 plugin")):
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        except subprocess.TimeoutExpired:
            return f"{what}: '{' '.join(command)}' did not answer within 30 s"
        if result.returncode != 0:
            detail = (result.stderr.strip() or result.stdout.strip()).splitlines()
            return f"{what}: '{' '.join(command)}' failed ({detail[-1] if detail else result.returncode})"
    return None


def test_compose_stack_comes_up_and_passes_the_smoke_check_and_e2e_tests():
    reason = docker_unavailable()
    if reason:
        pytest.skip(f"compose stack not run: {reason}")
    result = subprocess.run(
        ["bash", str(SCRIPT), "-q"],
        cwd=REPO, capture_output=True, text=True, timeout=45 * 60,
        env={**os.environ, "PYTHON": sys.executable},
    )
    output = (result.stdout + result.stderr)[-20000:]
    assert result.returncode == 0, f"deploy/compose-e2e.sh exited {result.returncode}:\n{output}"
