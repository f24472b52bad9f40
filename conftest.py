"""Fixtures for every test in the repo come from the shared testing plugin; tests are marked by folder."""

from pathlib import PurePosixPath

import pytest

pytest_plugins = ["nwd_shared.testing"]

# A test's kind follows the folder it is in (the nearest one listed wins); `make test-unit` etc.
# select by these markers.
KIND_OF_FOLDER = {
    "unit": "unit",
    "service": "service",
    "integration": "integration",
    "security": "integration",
    "migrations": "integration",
    "deploy": "integration",
    "e2e": "e2e",
    "faults": "e2e",
}
KINDS = frozenset(KIND_OF_FOLDER.values())


def pytest_addoption(parser):
    parser.addoption("--chaos", action="store_true",
                     help="also run the long fault scenarios (make chaos)")


def kind_of(path) -> str | None:
    """The kind of the tests in a file: from its nearest folder that names one."""
    for folder in reversed(PurePosixPath(path).parent.parts):
        if folder in KIND_OF_FOLDER:
            return KIND_OF_FOLDER[folder]
    return None


def pytest_collection_modifyitems(config, items):
    """Mark each test with its kind by folder; long fault scenarios run only under `make chaos`."""
    for item in items:
        if any(item.get_closest_marker(kind) for kind in KINDS):
            continue  # marked in the module already (tests/deploy's compose run is e2e)
        kind = kind_of(item.path.as_posix())
        if kind is None:
            raise pytest.UsageError(f"{item.nodeid}: put the test in a folder named for its kind "
                                    f"({', '.join(sorted(KIND_OF_FOLDER))})")
        item.add_marker(kind)
    if config.getoption("--chaos"):
        return
    long_ones = [item for item in items if item.get_closest_marker("chaos")]
    if long_ones:
        config.hook.pytest_deselected(items=long_ones)
        items[:] = [item for item in items if not item.get_closest_marker("chaos")]
