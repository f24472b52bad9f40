"""Smoke check of a running stack (the compose stack, by default on 127.0.0.1:8001-8005).

    python deploy/compose_smoke.py wait  [--timeout 300]   # until every /readyz answers 2xx
    python deploy/compose_smoke.py check [--timeout 90]    # one contact to an opened case, metrics

Standard library only, so any Python 3.11 runs it. Service URLs come from NWD_E2E_BASE_URLS
("intake=http://127.0.0.1:8001,triage=..."), defaulting to the ports of docs/contract.md. Uses the
demo directory's key for West Sussex County Council, which the compose stack serves unless
NWD_ORGANISATIONS_FILE points elsewhere. Used by deploy/compose-e2e.sh.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid

PORTS = {"intake": 8001, "triage": 8002, "casework": 8003, "referral": 8004, "learning": 8005}
DEMO_KEY = "demo-wsx-council-key"
CASE_OPENED = "nwd.case.opened.v1"
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")

# After one contact has reached an opened case, these must be non-zero on each service.
NON_ZERO = {
    "intake": ["nwd_http_requests_total", "nwd_events_published_total", "nwd_events_consumed_total"],
    "triage": ["nwd_events_consumed_total", "nwd_events_published_total"],
    "referral": ["nwd_events_consumed_total", "nwd_events_published_total"],
    "casework": ["nwd_events_consumed_total", "nwd_events_published_total"],
    "learning": ["nwd_events_consumed_total"],
}
# Gauges every service must expose (zero is fine).
PRESENT = ["nwd_outbox_backlog", "nwd_outbox_oldest_unpublished_seconds", "nwd_consumer_lag"]


def base_urls() -> dict[str, str]:
    urls = {name: f"http://127.0.0.1:{port}" for name, port in PORTS.items()}
    for pair in filter(None, os.environ.get("NWD_E2E_BASE_URLS", "").split(",")):
        name, _, url = pair.partition("=")
        urls[name.strip()] = url.strip().rstrip("/")
    return urls


def request(method: str, url: str, body: dict | None = None, headers: dict | None = None,
            timeout: float = 5) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_ready(urls: dict[str, str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = dict(urls)
    last: dict[str, str] = {}
    while pending:
        for name, url in list(pending.items()):
            try:
                status, body = request("GET", f"{url}/readyz", timeout=3)
            except OSError as error:
                last[name] = str(error)
                continue
            if 200 <= status < 300:
                print(f"ready: {name} ({url})", flush=True)
                del pending[name]
            else:
                last[name] = f"{status} {body[:300].decode(errors='replace')}"
        if pending and time.monotonic() > deadline:
            for name in pending:
                print(f"NOT READY after {timeout:.0f} s: {name}: {last.get(name)}", file=sys.stderr)
            raise SystemExit(1)
        if pending:
            time.sleep(2)


def metric_totals(text: str) -> dict[str, float]:
    """Sum of every sample of each metric name in a Prometheus text exposition."""
    totals: dict[str, float] = {}
    for line in text.splitlines():
        name = METRIC_NAME.match(line)
        if not name:  # comments, blank lines
            continue
        try:
            value = float(line.rsplit(" ", 1)[1])  # prometheus_client writes no timestamps
        except (IndexError, ValueError):
            continue
        totals[name.group()] = totals.get(name.group(), 0.0) + value
    return totals


def check(urls: dict[str, str], timeout: float) -> None:
    headers = {"Authorization": f"Bearer {DEMO_KEY}", "Idempotency-Key": str(uuid.uuid4())}
    contact = {
        "kind": "complaint",
        "channel": "email",
        "complainant": {"name": "Smoke Test", "email": "smoke@example.org", "relationship": "self"},
        "concerns": [{"organisation_id": "wsx-council"}],
        "description": "Smoke test of the compose stack (deploy/compose_smoke.py).",
        "consent_to_share": False,
    }
    status, body = request("POST", f"{urls['intake']}/v1/contacts", contact, headers)
    if status != 202:
        raise SystemExit(f"POST /v1/contacts: expected 202, got {status}: {body[:500]!r}")
    reference = json.loads(body)["reference"]
    print(f"contact {reference} accepted", flush=True)

    started = time.monotonic()
    types: list[str] = []
    while CASE_OPENED not in types:
        if time.monotonic() - started > timeout:
            raise SystemExit(f"{reference}: no {CASE_OPENED} within {timeout:.0f} s; journey: {types}")
        time.sleep(0.5)
        status, body = request("GET", f"{urls['intake']}/v1/contacts/{reference}", headers=headers)
        if status == 200:
            types = [step["type"] for step in json.loads(body)["journey"]]
    print(f"{reference}: {' -> '.join(types)} in {time.monotonic() - started:.1f} s", flush=True)

    # Counters are updated as the events pass; give learning (last in the chain) a moment.
    problems: list[str] = []
    deadline = time.monotonic() + 30
    while True:
        problems.clear()
        for name, url in urls.items():
            status, body = request("GET", f"{url}/metrics")
            if status != 200:
                problems.append(f"{name}: GET /metrics answered {status}")
                continue
            totals = metric_totals(body.decode())
            problems += [f"{name}: {metric} is missing" for metric in PRESENT if metric not in totals]
            problems += [f"{name}: {metric} is {totals.get(metric, 'missing')}, expected > 0"
                         for metric in NON_ZERO.get(name, []) if not totals.get(metric)]
        if not problems or time.monotonic() > deadline:
            break
        time.sleep(2)
    if problems:
        raise SystemExit("metrics:\n  " + "\n  ".join(problems))
    print("metrics: every named metric present, non-zero where the contact passed", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["wait", "check"])
    parser.add_argument("--timeout", type=float)
    args = parser.parse_args()
    urls = base_urls()
    if args.step == "wait":
        wait_ready(urls, args.timeout or 300)
    else:
        check(urls, args.timeout or 90)


if __name__ == "__main__":
    main()
