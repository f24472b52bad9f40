"""Counts the cases Schemathesis ran and prints them at the end of the session."""

from __future__ import annotations

import pytest

CASES_RUN = pytest.StashKey[dict[str, tuple[int, int, int]]]()


@pytest.fixture(scope="session")
def cases_run(request) -> dict[str, tuple[int, int, int]]:
    """Per service: cases run, writes that succeeded, cases a 5xx answered (the Schemathesis test)."""
    return request.config.stash.setdefault(CASES_RUN, {})


def pytest_terminal_summary(terminalreporter, config) -> None:
    counts = config.stash.get(CASES_RUN, {})
    if not counts:
        return
    terminalreporter.section("schemathesis")
    for service, (count, writes, server_errors) in counts.items():
        terminalreporter.write_line(f"{service}: {count} cases, {writes} successful writes, {server_errors} 5xx")
    terminalreporter.write_line(f"total: {sum(c[0] for c in counts.values())} cases over {len(counts)} services, "
                                f"{sum(c[1] for c in counts.values())} successful writes, "
                                f"{sum(c[2] for c in counts.values())} 5xx")
