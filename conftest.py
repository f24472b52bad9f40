"""Fixtures for every test in the repo come from the shared testing plugin."""


pytest_plugins = ["nwd_shared.testing"]


def pytest_addoption(parser):
    parser.addoption("--chaos", action="store_true",
                     help="also run the long fault scenarios (make chaos)")


def pytest_collection_modifyitems(config, items):
    """Long fault scenarios run under `make chaos`; `make test` runs the short suite."""
    if config.getoption("--chaos"):
        return
    long_ones = [item for item in items if item.get_closest_marker("chaos")]
    if long_ones:
        config.hook.pytest_deselected(items=long_ones)
        items[:] = [item for item in items if not item.get_closest_marker("chaos")]
