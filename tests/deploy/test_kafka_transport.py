"""Kafka's transport in the deployment files: TLS and SASL/SCRAM in compose and the production overlay."""

from __future__ import annotations

from pathlib import Path

import yaml

from nwd_shared.settings import KafkaSettings

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "triage", "casework", "referral", "learning")


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def test_compose_services_reach_kafka_with_tls_and_scram_and_the_broker_serves_them_so():
    compose = _compose()
    for name in SERVICES:
        environment = compose[name]["environment"]
        assert environment["NWD_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert environment["NWD_KAFKA_SASL_MECHANISM"].startswith("SCRAM-SHA-")
        assert environment["NWD_KAFKA_SSL_CAFILE"].startswith("/etc/nwd/kafka/")
        assert any(v.startswith("kafka-certs:/etc/nwd/kafka") for v in compose[name]["volumes"])
        # The settings the services read accept what compose gives them.
        settings = KafkaSettings(**{k.removeprefix("NWD_").lower(): v for k, v in environment.items()
                                    if k.startswith("NWD_KAFKA_")})
        assert settings.kafka_security_protocol == "SASL_SSL"
    broker = compose["kafka"]["environment"]
    listeners = dict(pair.split(":") for pair in broker["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    host, port = compose["intake"]["environment"]["NWD_KAFKA_BOOTSTRAP_SERVERS"].split(":")
    [served] = [name for name, address in (a.split("://") for a in broker["KAFKA_ADVERTISED_LISTENERS"].split(","))
                if address == f"{host}:{port}"]
    assert listeners[served] == "SASL_SSL"
    assert broker["KAFKA_SASL_ENABLED_MECHANISMS"] == compose["intake"]["environment"]["NWD_KAFKA_SASL_MECHANISM"]
    # Every other listener on the compose network is the container's own loopback, or the
    # loopback-published dev port.
    for listener in broker["KAFKA_LISTENERS"].split(","):
        name, address = listener.split("://")
        assert name == served or address.startswith("127.0.0.1:") or name == "HOST", listener
    assert compose["kafka"]["ports"] == ["127.0.0.1:9094:9094"]
    assert "--command-config" in compose["kafka-init"]["command"][0]
    assert "security.protocol=SASL_SSL" in compose["kafka-init"]["command"][0]


def test_the_production_overlay_names_tls_and_scram_with_credentials_from_secrets():
    text = (REPO / "deploy" / "k8s" / "overlays" / "production" / "kustomization.yaml").read_text()
    overlay = yaml.safe_load(text)
    [config] = [c for c in overlay["configMapGenerator"] if c["name"] == "nwd-config"]
    literals = dict(item.split("=", 1) for item in config["literals"])
    assert literals["NWD_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert literals["NWD_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert literals["NWD_KAFKA_SSL_CAFILE"].startswith("/etc/nwd/kafka/")
    assert "NWD_KAFKA_SASL_PASSWORD" not in literals, "a password never sits in a ConfigMap"
    assert "secretKeyRef" in text and "nwd-kafka-credentials" in text and "nwd-kafka-ca" in text
