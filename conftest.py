"""Fixtures for every test in the repo come from the shared testing plugin."""

pytest_plugins = ["nwd_shared.testing"]
