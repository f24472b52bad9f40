"""Safe defaults in the deployment files: compose publishes on loopback only and has no
unauthenticated Kafka UI; the production overlay sets NWD_ENV=production and every service starts
under it with the overlay's own settings and directory."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nwd_shared.app import UnsafeDeployment, refuse_unsafe_defaults

REPO = Path(__file__).resolve().parents[2]
KUBECTL = Path(sys.executable).parent / "kubectl"
SERVICES = ("intake", "triage", "casework", "referral", "learning")


def compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def test_compose_publishes_every_port_on_loopback_only():
    published = {name: service.get("ports", []) for name, service in compose().items()}
    assert any(published.values())
    for name, ports in published.items():
        for port in ports:
            text = port if isinstance(port, str) else f"{port.get('host_ip', '')}:{port.get('published')}"
            assert text.startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"


def test_compose_has_no_unauthenticated_kafka_ui():
    for name, service in compose().items():
        assert "kafka-ui" not in name and "provectuslabs" not in service.get("image", ""), name


def production_config() -> tuple[dict[str, str], str]:
    assert KUBECTL.exists(), f"kubectl is not in the virtual environment ({KUBECTL}); run make install"
    result = subprocess.run([str(KUBECTL), "kustomize", str(REPO / "deploy/k8s/overlays/production")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    maps = [d for d in yaml.safe_load_all(result.stdout) if d and d["kind"] == "ConfigMap"]
    [config] = [m for m in maps if re.fullmatch(r"nwd-config(-[a-z0-9]{10})?", m["metadata"]["name"])]
    [directory] = [m for m in maps if m["metadata"]["name"].startswith("nwd-organisations")]
    [text] = directory["data"].values()
    return config["data"], text


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_starts_under_the_production_overlay_and_not_with_demo_defaults(service, tmp_path,
                                                                                   monkeypatch):
    config, directory = production_config()
    assert config["NWD_ENV"] == "production"
    (tmp_path / "organisations.yaml").write_text(directory, encoding="utf-8")
    for key, value in config.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NWD_ORGANISATIONS_FILE", str(tmp_path / "organisations.yaml"))
    # What the overlay takes from Secrets managed outside git.
    monkeypatch.setenv("NWD_KAFKA_SASL_USERNAME", "nwd")
    monkeypatch.setenv("NWD_KAFKA_SASL_PASSWORD", "from-a-secret")
    settings_type = __import__(f"{service}.config", fromlist=["Settings"]).Settings
    refuse_unsafe_defaults(settings_type())  # the overlay as shipped starts
    # ... and the same settings with the demo directory do not.
    monkeypatch.delenv("NWD_ORGANISATIONS_FILE")
    with pytest.raises(UnsafeDeployment):
        refuse_unsafe_defaults(settings_type())
