"""Counts the cases Schemathesis ran and prints them at the end of the session."""

from __future__ import annotations

import pytest

CASES_RUN = pytest.StashKey[dict[str, int]]()


@pytest.fixture(scope="session")
def cases_run(request) -> dict[str, int]:
    """Cases run per service, filled in by the Schemathesis test."""
    return request.config.stash.setdefault(CASES_RUN, {})


def pytest_terminal_summary(terminalreporter, config) -> None:
    counts = config.stash.get(CASES_RUN, {})
    if not counts:
        return
    terminalreporter.section("schemathesis")
    for service, count in counts.items():
        terminalreporter.write_line(f"{service}: {count} cases")
    terminalreporter.write_line(f"total: {sum(counts.values())} cases over {len(counts)} services")
