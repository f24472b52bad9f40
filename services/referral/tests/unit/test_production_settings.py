"""NWD_ENV=production: referral refuses http webhooks at start."""

from __future__ import annotations

import pytest

from nwd_shared.app import UnsafeDeployment
from nwd_shared.directory import hash_key
from referral.config import Settings
from referral.main import create_app


@pytest.fixture
def hashed(tmp_path):
    path = tmp_path / "organisations.yaml"
    path.write_text("organisations:\n  - {id: wsx-council, name: West Sussex, kind: council, "
                    f"api_key_sha256: {hash_key('a-long-random-key')}}}\n")
    return path


def test_production_refuses_http_webhooks_at_start(hashed):
    with pytest.raises(UnsafeDeployment, match="NWD_WEBHOOK_ALLOW_HTTP"):
        create_app(Settings(env="production", organisations_file=hashed, webhook_allow_http=True))


def test_production_starts_with_https_webhooks_and_an_allow_list(hashed):
    create_app(Settings(env="production", organisations_file=hashed, webhook_allowed_networks=["10.20.0.0/16"]))


def test_production_refuses_the_demo_directory_at_start():
    with pytest.raises(UnsafeDeployment, match="demo directory"):
        create_app(Settings(env="production"))
