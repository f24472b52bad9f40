#!/usr/bin/env bash
# Where a Docker engine exists: bring up docker-compose.yml, wait until every service is ready,
# smoke-check it, run the end-to-end tests against it, and take it down again.
#
#   deploy/compose-e2e.sh [extra pytest args]
#
#   NWD_COMPOSE_KEEP=1            leave the stack (and its volumes) running afterwards
#   NWD_COMPOSE_PROJECT=nwd-e2e   Compose project name (containers, network, volumes)
#   NWD_COMPOSE_READY_TIMEOUT=600 seconds to wait for build, migrations and every /readyz
#   PYTHON=.venv/bin/python       the project's Python (make install creates .venv)
#
# Needs Docker Engine with Compose 2.24 or later, and the ports 8001-8005 free on this host.
# Exit codes: 0 passed, 1 failed, 2 no usable Docker engine (nothing was started).
#
# The e2e tests read NWD_E2E_BASE_URLS and NWD_E2E_BOOTSTRAP_SERVERS (Kafka's HOST listener on
# 127.0.0.1:9094) and run against the containers instead of starting an embedded stack.
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT="${NWD_COMPOSE_PROJECT:-nwd-e2e}"
READY_TIMEOUT="${NWD_COMPOSE_READY_TIMEOUT:-600}"
PYTHON="${PYTHON:-.venv/bin/python}"

compose() { docker compose --project-name "$PROJECT" --file docker-compose.yml "$@"; }

if ! docker info >/dev/null 2>&1; then
    echo "compose-e2e: no Docker engine ('docker info' failed); nothing to do" >&2
    exit 2
fi
if ! docker compose version >/dev/null 2>&1; then
    echo "compose-e2e: no Docker Compose v2 ('docker compose version' failed); nothing to do" >&2
    exit 2
fi
if [ ! -x "$PYTHON" ]; then
    echo "compose-e2e: $PYTHON not found; run 'make install' or set PYTHON" >&2
    exit 1
fi

finish() {
    local status=$?
    if [ "$status" -ne 0 ]; then
        echo "compose-e2e: FAILED (exit $status); state of the stack:" >&2
        compose ps --all >&2 || true
        compose logs --no-color --timestamps --tail=100 >&2 || true
    fi
    if [ "${NWD_COMPOSE_KEEP:-0}" = "1" ]; then
        echo "compose-e2e: leaving project '$PROJECT' running (docker compose -p $PROJECT down -v to remove)"
    else
        compose down --volumes --remove-orphans >/dev/null 2>&1 || true
    fi
    exit "$status"
}
trap finish EXIT

echo "compose-e2e: building and starting project '$PROJECT'"
# Not --wait: its handling of the one-shot steps (kafka-init, *-migrate) differs between Compose
# versions. The services start only after those succeed, so their /readyz is the signal.
compose up --detach --build --quiet-pull

urls="intake=http://127.0.0.1:8001,triage=http://127.0.0.1:8002,casework=http://127.0.0.1:8003"
urls="$urls,referral=http://127.0.0.1:8004,learning=http://127.0.0.1:8005"
export NWD_E2E_BASE_URLS="$urls"
export NWD_E2E_BOOTSTRAP_SERVERS="127.0.0.1:9094"

"$PYTHON" deploy/compose_smoke.py wait --timeout "$READY_TIMEOUT"
"$PYTHON" deploy/compose_smoke.py check

echo "compose-e2e: pytest tests/e2e against NWD_E2E_BASE_URLS=$NWD_E2E_BASE_URLS"
"$PYTHON" -m pytest tests/e2e "$@"
