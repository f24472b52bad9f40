"""NWD_ENV=production refuses to start with the demo's defaults: the demo directory, plain API keys."""

from __future__ import annotations

import pytest

from nwd_shared.app import UnsafeDeployment, refuse_unsafe_defaults
from nwd_shared.directory import hash_key
from nwd_shared.settings import DEMO_ORGANISATIONS_FILE, ServiceSettings, is_local_host

ORGANISATION = """organisations:
  - id: wsx-council
    name: West Sussex County Council
    kind: council
    responsible_for: [social_care]
    areas: [west-sussex]
    {key}
"""


@pytest.fixture
def hashed(tmp_path):
    path = tmp_path / "organisations.yaml"
    path.write_text(ORGANISATION.format(key=f"api_key_sha256: {hash_key('a-long-random-key')}"))
    return path


@pytest.fixture
def plain(tmp_path):
    path = tmp_path / "plain.yaml"
    path.write_text(ORGANISATION.format(key="api_key: a-long-random-key"))
    return path


def test_production_refuses_the_demo_directory():
    with pytest.raises(UnsafeDeployment, match="the demo directory"):
        refuse_unsafe_defaults(ServiceSettings(env="production", organisations_file=DEMO_ORGANISATIONS_FILE))


def test_production_refuses_a_plain_api_key(plain):
    with pytest.raises(UnsafeDeployment, match="plain api_key for wsx-council"):
        refuse_unsafe_defaults(ServiceSettings(env="production", organisations_file=plain))


def test_production_starts_with_hashed_keys_and_development_with_anything(hashed, plain):
    refuse_unsafe_defaults(ServiceSettings(env="production", organisations_file=hashed))
    refuse_unsafe_defaults(ServiceSettings(organisations_file=plain))
    refuse_unsafe_defaults(ServiceSettings(organisations_file=DEMO_ORGANISATIONS_FILE))


def test_the_setting_is_read_from_nwd_env(monkeypatch, plain):
    monkeypatch.setenv("NWD_ENV", "production")
    monkeypatch.setenv("NWD_ORGANISATIONS_FILE", str(plain))
    monkeypatch.setenv("NWD_TRUSTED_PROXIES", '["10.42.0.0/16"]')
    settings = ServiceSettings()
    assert settings.env == "production" and [str(n) for n in settings.trusted_proxies] == ["10.42.0.0/16"]
    with pytest.raises(UnsafeDeployment):
        refuse_unsafe_defaults(settings)


@pytest.mark.parametrize(("host", "local"), [
    ("localhost", True), ("LOCALHOST.", True), ("app.localhost", True), ("127.0.0.1", True), ("127.8.0.1", True),
    ("[::1]", True), ("0.0.0.0", True), ("", True), ("feedback.nhs.uk", False), ("203.0.113.9", False),
])
def test_local_hosts_are_told_apart(host, local):
    assert is_local_host(host) is local
