"""Kafka transport security from settings: TLS and SASL/SCRAM reach every producer, consumer and admin client."""

from __future__ import annotations

import ssl

import certifi
import pytest
from pydantic import ValidationError

from nwd_shared import kafka
from nwd_shared.kafka import client_security, ensure_topics, new_consumer, new_producer
from nwd_shared.settings import KafkaSettings

# Any PEM bundle stands in for the broker's CA: no broker with TLS runs here.
CA = certifi.where()


@pytest.fixture
def scram_over_tls(monkeypatch) -> KafkaSettings:
    """A deployment's settings, from its environment as compose and the production overlay set it."""
    for name, value in {"NWD_KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "NWD_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
                        "NWD_KAFKA_SASL_USERNAME": "nwd-intake", "NWD_KAFKA_SASL_PASSWORD": "s3cret",
                        "NWD_KAFKA_SSL_CAFILE": CA}.items():
        monkeypatch.setenv(name, value)
    return KafkaSettings()


def test_plaintext_by_default_for_the_embedded_broker():
    assert client_security(KafkaSettings()) == {"security_protocol": "PLAINTEXT"}


def test_sasl_ssl_settings_build_scram_credentials_and_a_verifying_tls_context(scram_over_tls):
    arguments = client_security(scram_over_tls)
    context = arguments.pop("ssl_context")
    assert arguments == {"security_protocol": "SASL_SSL", "sasl_mechanism": "SCRAM-SHA-512",
                         "sasl_plain_username": "nwd-intake", "sasl_plain_password": "s3cret"}
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert context.get_ca_certs()  # the CA file was loaded
    assert "s3cret" not in repr(scram_over_tls)  # the password never reaches a log of the settings


def test_ssl_alone_has_tls_and_no_sasl():
    arguments = client_security(KafkaSettings(kafka_security_protocol="SSL", kafka_ssl_cafile=CA,
                                              kafka_sasl_mechanism="SCRAM-SHA-256"))
    assert set(arguments) == {"security_protocol", "ssl_context"}


def test_sasl_plaintext_has_scram_and_no_tls():
    arguments = client_security(KafkaSettings(kafka_security_protocol="SASL_PLAINTEXT",
                                              kafka_sasl_mechanism="SCRAM-SHA-256",
                                              kafka_sasl_username="u", kafka_sasl_password="p"))
    assert arguments == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "SCRAM-SHA-256",
                         "sasl_plain_username": "u", "sasl_plain_password": "p"}


@pytest.mark.parametrize("missing", ["kafka_sasl_username", "kafka_sasl_password"])
def test_sasl_without_credentials_is_refused_at_start(missing):
    given = {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_username": "u", "kafka_sasl_password": "p"}
    del given[missing]
    with pytest.raises(ValidationError, match="NWD_KAFKA_SASL_USERNAME and NWD_KAFKA_SASL_PASSWORD"):
        KafkaSettings(**given)


def test_an_unknown_mechanism_is_refused():
    with pytest.raises(ValidationError):
        KafkaSettings(kafka_sasl_mechanism="GSSAPI")


async def test_producer_and_consumer_are_built_with_tls_and_scram(scram_over_tls):
    producer = new_producer(scram_over_tls, "intake")
    consumer = new_consumer(scram_over_tls, "intake-contacts", ["nwd.contacts"])
    for client in (producer.client, consumer._client):
        assert client._security_protocol == "SASL_SSL"
        assert client._sasl_mechanism == "SCRAM-SHA-512"
        assert client._sasl_plain_username == "nwd-intake"
        assert client._sasl_plain_password == "s3cret"
        assert isinstance(client._ssl_context, ssl.SSLContext)
    await consumer.stop()
    await producer.stop()


async def test_the_admin_client_creating_topics_gets_the_same_arguments(scram_over_tls, monkeypatch):
    built = {}

    class Refused(Exception):
        pass

    class RecordingAdmin:
        def __init__(self, **arguments) -> None:
            built.update(arguments)

        async def start(self) -> None:
            raise Refused

    monkeypatch.setattr(kafka, "AIOKafkaAdminClient", RecordingAdmin)
    with pytest.raises(Refused):
        await ensure_topics("kafka:9092", security=client_security(scram_over_tls))
    assert built["security_protocol"] == "SASL_SSL" and built["sasl_mechanism"] == "SCRAM-SHA-512"
    assert built["sasl_plain_username"] == "nwd-intake" and isinstance(built["ssl_context"], ssl.SSLContext)
