"""NWD_ENV=production: learning refuses a feedback link on localhost, or over http, at start."""

from __future__ import annotations

import pytest

from learning.config import Settings
from learning.main import create_app
from nwd_shared.app import UnsafeDeployment
from nwd_shared.directory import hash_key


@pytest.fixture
def hashed(tmp_path):
    path = tmp_path / "organisations.yaml"
    path.write_text("organisations:\n  - {id: wsx-council, name: West Sussex, kind: council, "
                    f"api_key_sha256: {hash_key('a-long-random-key')}}}\n")
    return path


@pytest.mark.parametrize("base_url", [
    "http://127.0.0.1:8005/v1/experience/",  # the default
    "https://localhost/v1/experience/", "https://[::1]/v1/experience/",
    "http://feedback.example.nhs.uk/v1/experience/",
])
def test_production_refuses_a_local_or_plain_http_feedback_link(hashed, base_url):
    with pytest.raises(UnsafeDeployment, match="NWD_EXPERIENCE_BASE_URL"):
        create_app(Settings(env="production", organisations_file=hashed, experience_base_url=base_url))


def test_production_starts_with_a_public_https_feedback_link(hashed):
    create_app(Settings(env="production", organisations_file=hashed,
                        experience_base_url="https://feedback.example.nhs.uk/v1/experience/"))
