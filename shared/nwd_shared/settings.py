"""Settings blocks (prefix NWD_) that each service composes into its own Settings."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, IPvAnyNetwork, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEMO_ORGANISATIONS_FILE = Path(__file__).parent / "demo" / "organisations.yaml"


class _NwdSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NWD_", extra="ignore")


class KafkaSettings(_NwdSettings):
    """How to reach the broker; fetch wait is short because every hop adds it."""

    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Tansu (the embedded broker) has no idempotent producer; turn on for Apache Kafka.
    kafka_enable_idempotence: bool = False
    # Prefix of consumer group names, so several deployments (or test runs) share one cluster.
    kafka_group_prefix: str = ""
    kafka_fetch_max_wait_ms: int = 10
    kafka_max_poll_records: int = 500
    kafka_handler_retries: int = 3
    kafka_retry_backoff_ms: int = 200
    # A handler that runs longer is abandoned and retried (then dead-lettered), so a hang never
    # holds its partition for ever.
    kafka_handler_timeout_seconds: float = 30.0
    # Transport security of every producer, consumer and admin client (nwd_shared.kafka.client_security).
    # PLAINTEXT is for the embedded dev broker; a deployment uses SASL_SSL: TLS (the broker's CA in
    # NWD_KAFKA_SSL_CAFILE) and SCRAM credentials (NWD_KAFKA_SASL_USERNAME, NWD_KAFKA_SASL_PASSWORD).
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"] = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    # PEM files: the CA that signed the brokers' certificates (unset: the system's CAs), and for
    # mutual TLS a client certificate and its key.
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None
    kafka_ssl_key_password: SecretStr | None = None
    kafka_ssl_check_hostname: bool = True

    @model_validator(mode="after")
    def _sasl_has_credentials(self) -> KafkaSettings:
        # A SASL protocol without a user would fail at the first connection, far from its cause.
        if self.kafka_security_protocol.startswith("SASL_") and not (
                self.kafka_sasl_username and self.kafka_sasl_password):
            raise ValueError(f"NWD_KAFKA_SECURITY_PROTOCOL={self.kafka_security_protocol} needs "
                             "NWD_KAFKA_SASL_USERNAME and NWD_KAFKA_SASL_PASSWORD")
        return self


class DirectorySettings(_NwdSettings):
    """Where the organisation directory lives."""

    organisations_file: Path = DEMO_ORGANISATIONS_FILE


class AuthSettings(_NwdSettings):
    """Bearer tokens: API keys from the directory, or JWTs from an identity provider when set."""

    # OAuth2 client-credentials tokens are verified against this JWKS URL when it is set.
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # The claim naming the calling organisation's id in the directory.
    jwt_organisation_claim: str = "nwd_org"
    # Requests per minute per credential (each replica counts on its own).
    rate_limit_per_minute: int = 600
    # Failed authentications (401) per minute per client address, counted before any token is
    # checked: past it, 429 without looking at the token (or fetching the JWKS for it).
    auth_failures_per_minute: int = 120
    # Buckets each limit keeps in memory at most; the least recently used is dropped first.
    rate_limit_max_entries: int = 10_000

    @model_validator(mode="after")
    def _tokens_need_issuer_and_audience(self) -> AuthSettings:
        # A JWKS alone accepts a token any tenant of the identity provider was issued, for any API.
        if self.jwks_url and not (self.jwt_issuer and self.jwt_audience):
            raise ValueError("NWD_JWKS_URL needs NWD_JWT_ISSUER and NWD_JWT_AUDIENCE")
        return self


class OutboxSettings(_NwdSettings):
    """How the outbox relay batches and polls."""

    outbox_batch_size: int = 500
    outbox_poll_interval_ms: int = 200


class HousekeepingSettings(_NwdSettings):
    """How long the messaging tables and idempotency keys keep rows, and how often they are pruned."""

    # An event this service applied is recognised as a duplicate for this long: at least as long as
    # any producer keeps published outbox rows it may re-publish after a broker loses its log.
    inbox_retention_days: int = 30
    # Published rows are kept for re-publishing to a broker that lost its log: at least the topics'
    # retention (30 days: `nwd topics create`, compose), never longer than the inbox keeps rows.
    outbox_retention_days: int = 30
    # A partner retrying a POST with the same Idempotency-Key within this time gets the same answer.
    idempotency_key_retention_days: int = 7
    housekeeping_interval_seconds: float = 3600.0
    housekeeping_batch_size: int = 1000

    @model_validator(mode="after")
    def _inbox_outlives_outbox(self) -> HousekeepingSettings:
        # An inbox row pruned before the outbox row that could re-publish its event: applied twice.
        if self.inbox_retention_days < self.outbox_retention_days:
            raise ValueError("inbox_retention_days must be at least outbox_retention_days")
        return self


class RetentionSettings(_NwdSettings):
    """How long personal data of an ended contact is kept before it is anonymised."""

    # The NHS records management code keeps complaints for 10 years after closure.
    retention_years: int = 10
    retention_check_seconds: float = 3600.0


class DeploymentSettings(_NwdSettings):
    """Where the service runs: in production the demo's defaults are refused at start."""

    # NWD_ENV=production refuses the demo directory, plain api_key entries, http webhooks and a
    # localhost feedback link (each service's `production_refusals`).
    env: Literal["development", "production"] = "development"
    # The reverse proxies (ingress) in front of the service, as CIDRs: X-Forwarded-For is believed
    # only from them, so the audit trail records the client's address rather than the ingress pod's.
    # NWD_TRUSTED_PROXIES='["10.42.0.0/16"]'
    trusted_proxies: list[IPvAnyNetwork] = []


class ServiceSettings(KafkaSettings, DirectorySettings, OutboxSettings, AuthSettings, RetentionSettings,
                      HousekeepingSettings, DeploymentSettings):
    """Identity and database of one service; subclasses set `service_name`."""

    service_name: str = "nwd"
    database_url: str = ""
    migrate_on_start: bool = True
    log_level: str = "INFO"
    # OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces; unset: no export.
    otel_exporter_otlp_endpoint: str | None = None
    # How long shutdown may spend publishing what the outbox still holds.
    shutdown_drain_seconds: float = 5.0

    def production_refusals(self) -> list[str]:
        """What this configuration must not run in production with; a service adds its own."""
        refusals = []
        if self.organisations_file.resolve() == DEMO_ORGANISATIONS_FILE.resolve():
            refusals.append("NWD_ORGANISATIONS_FILE: the demo directory (its keys are public)")
        return refusals

    @property
    def source(self) -> str:
        """The CloudEvents `source` of everything this service publishes."""
        return f"/nwd/{self.service_name}"


def database_url_field(service: str) -> object:
    """A `database_url` field read from NWD_<SERVICE>_DATABASE_URL or NWD_DATABASE_URL."""
    return Field(
        default=f"sqlite+aiosqlite:///.data/{service}.db",
        validation_alias=AliasChoices(
            f"NWD_{service.upper()}_DATABASE_URL", "NWD_DATABASE_URL", "database_url"
        ),
    )


def is_local_host(host: str) -> bool:
    """A host name or address that means this machine (or none): localhost, 127.0.0.0/8, ::1, 0.0.0.0."""
    host = host.strip("[]").lower().rstrip(".")
    if host in {"", "localhost"} or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified
