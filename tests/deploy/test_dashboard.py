"""deploy/grafana/nwd-dashboard.json: well-formed, and it charts the metrics the services expose."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "deploy" / "grafana" / "nwd-dashboard.json"

# The signals issue 8 names, each of which must be on the dashboard.
REQUIRED_METRICS = {
    "nwd_http_requests_total",
    "nwd_http_request_duration_seconds",
    "nwd_events_consumed_total",
    "nwd_events_published_total",
    "nwd_events_duplicate_total",
    "nwd_handler_errors_total",
    "nwd_dead_lettered_total",
    "nwd_outbox_backlog",
    "nwd_outbox_oldest_unpublished_seconds",
    "nwd_consumer_lag",
    "nwd_case_deadline_breaches_total",
    # Issue 17: the relay's failures by cause, re-publishing, unknown types, assignment, housekeeping.
    "nwd_outbox_relay_failures_total",
    "nwd_outbox_republished_total",
    "nwd_events_unknown_type_total",
    "nwd_consumer_assigned_partitions",
    "nwd_rows_pruned_total",
}
REQUEST_PANELS = {"Request rate", "Latency p50 / p99", "Error rate"}
REQUIRED_PANELS = REQUEST_PANELS | {
    "Events consumed by type", "Events published by type", "Dead-lettered", "Outbox backlog",
    "Oldest unpublished outbox row", "Consumer lag by topic", "Deadline breaches",
}
# Metrics defined in the code that the dashboard deliberately leaves out (none yet).
NOT_ON_DASHBOARD: set[str] = set()
HISTOGRAM_SERIES = ("_bucket", "_sum", "_count")
METRIC = re.compile(r"\bnwd_[a-z0-9_]+")
DEFINED = re.compile(r"\b(?:Counter|Gauge|Histogram|Summary)\(\s*[\"'](nwd_[a-z0-9_]+)[\"']")


@functools.cache
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def panels() -> list[dict]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def expressions() -> list[str]:
    return [t["expr"] for p in panels() for t in p["targets"]]


def base_name(series: str) -> str:
    """nwd_x_seconds_bucket -> nwd_x_seconds (the histogram's name in the code)."""
    for suffix in HISTOGRAM_SERIES:
        if series.endswith(suffix):
            return series.removesuffix(suffix)
    return series


def queried_metrics() -> set[str]:
    return {base_name(m) for expr in expressions() for m in METRIC.findall(expr)}


def test_dashboard_is_a_grafana_dashboard_with_a_prometheus_datasource_variable():
    board = dashboard()
    assert board["schemaVersion"] == 39
    assert board["uid"] == "nwd-overview" and board["title"]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    assert variables["service"]["includeAll"] and variables["service"]["multi"]
    assert len(panels()) >= len(REQUIRED_PANELS), "the checks below need panels to check"
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    for panel in panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
        assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"]), panel["title"]


def test_panels_fit_the_grid_without_overlapping():
    taken: set[tuple[int, int]] = set()
    for panel in dashboard()["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {(x, y) for x in range(grid["x"], grid["x"] + grid["w"]) for y in range(grid["y"], grid["y"] + grid["h"])}
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells


@pytest.mark.parametrize("expr", expressions())
def test_queries_are_balanced_and_use_dashboard_variables_only(expr):
    for opening, closing in ("()", "[]", "{}"):
        depth = 0
        for char in re.sub(r'"[^"]*"', '""', expr):  # label values may hold brackets
            depth += (char == opening) - (char == closing)
            assert depth >= 0, expr
        assert depth == 0, expr
    assert set(re.findall(r"\$\{?(\w+)", expr)) <= {"service", "__rate_interval", "__range"}, expr


def test_every_issue_8_signal_is_charted_and_nothing_unknown_is_queried():
    assert REQUIRED_METRICS <= queried_metrics(), f"not on the dashboard: {REQUIRED_METRICS - queried_metrics()}"
    assert queried_metrics() <= REQUIRED_METRICS, f"unknown metric names: {queried_metrics() - REQUIRED_METRICS}"
    assert REQUIRED_PANELS <= {p["title"] for p in panels()}


def test_request_panels_leave_out_health_and_metrics_endpoints():
    queries = {p["title"]: [t["expr"] for t in p["targets"]] for p in panels()}
    for title in REQUEST_PANELS:
        # Checked per panel, so a panel whose queries stopped naming nwd_http_* fails, not passes.
        http = [expr for expr in queries.get(title, ()) if "nwd_http_" in expr]
        assert http, f"{title}: no query of nwd_http_* to check"
    for expr in expressions():
        if "nwd_http_" in expr:
            assert 'route!~"/livez|/readyz|/metrics"' in expr, expr


def test_every_metric_the_code_defines_is_on_the_dashboard():
    """A new nwd_* metric in shared/ or services/ needs a panel here (or a place in NOT_ON_DASHBOARD)."""
    sources = [*(REPO / "shared").rglob("*.py"), *(REPO / "services").rglob("*.py")]
    defined = {name for path in sources if "tests" not in path.parts
               for name in DEFINED.findall(path.read_text(encoding="utf-8"))}
    assert defined, "found no nwd_* metric definitions: has the metrics module moved?"
    missing = defined - NOT_ON_DASHBOARD - queried_metrics()
    assert not missing, f"defined in the code but not on deploy/grafana/nwd-dashboard.json: {sorted(missing)}"
