"""The production broker and database for the test suites: Apache Kafka (KRaft) and PostgreSQL,
started by testcontainers wherever a Docker engine answers.

Chosen with `NWD_TEST_KAFKA=testcontainers` (or pytest's `--kafka=testcontainers`); where no
Docker engine answers, the tests that need them are skipped with `docker_unavailable_reason()`.
"""

from __future__ import annotations

import os
import socket

KAFKA_IMAGE = os.environ.get("NWD_TEST_KAFKA_IMAGE", "apache/kafka:3.9.1")
POSTGRES_IMAGE = os.environ.get("NWD_TEST_POSTGRES_IMAGE", "postgres:16-alpine")
# What a service needs to talk to Apache Kafka as production does (Tansu has no idempotent producer).
KAFKA_SERVICE_ENV = {"NWD_KAFKA_ENABLE_IDEMPOTENCE": "true"}


def kafka_mode(config=None) -> str:
    """`tansu` (the embedded broker, the default) or `testcontainers`."""
    chosen = config.getoption("--kafka", default=None) if config is not None else None
    return (chosen or os.environ.get("NWD_TEST_KAFKA") or "tansu").lower()


def docker_unavailable_reason() -> str | None:
    """None if a Docker engine answers a ping; otherwise why the container runs are skipped."""
    try:
        import docker
    except ImportError:  # the dev group is not installed
        return "testcontainers needs the `docker` package (uv's dev group)"
    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock (DOCKER_HOST unset)"
    try:
        client = docker.from_env(timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # docker.errors.DockerException wraps the socket's error
        return f"no Docker engine answers at {where}: {type(exc).__name__}: {str(exc)[:200]}"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class KafkaContainerBroker:
    """Apache Kafka in KRaft mode (one combined broker and controller) in a container.

    The same surface as `TansuBroker` (bootstrap_servers, start, stop, pause, resume), so the
    fixtures and the fault harness take either. The advertised listener is the host port Docker
    maps, fixed before start, so clients outside the container reach the broker it names.
    """

    # Services and test clients run the idempotent producer against it, as production does.
    service_env = KAFKA_SERVICE_ENV
    idempotent = True

    def __init__(self, image: str = KAFKA_IMAGE, partitions: int = 3) -> None:
        self._image = image
        self._partitions = partitions
        self._container = None
        self.host = "127.0.0.1"
        self.port = _free_port()

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 120.0) -> KafkaContainerBroker:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.wait_strategies import LogMessageWaitStrategy

        container = (
            DockerContainer(self._image)
            .with_bind_ports(9092, self.port)
            .with_envs(
                KAFKA_NODE_ID="1",
                KAFKA_PROCESS_ROLES="broker,controller",
                KAFKA_LISTENERS="PLAINTEXT://:9092,CONTROLLER://:9093",
                KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://{self.host}:{self.port}",
                KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
                KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
                KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
                KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
                KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
                KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
                KAFKA_NUM_PARTITIONS=str(self._partitions),
                KAFKA_AUTO_CREATE_TOPICS_ENABLE="false",
            )
            .waiting_for(LogMessageWaitStrategy("Kafka Server started").with_startup_timeout(int(timeout)))
        )
        container.start()
        self._container = container
        return self

    def pause(self) -> None:
        """Freeze the broker (the fault suite's SIGSTOP): `docker pause`."""
        self._container.get_wrapped_container().pause()

    def resume(self) -> None:
        self._container.get_wrapped_container().unpause()

    def stop(self) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None

    def __enter__(self) -> KafkaContainerBroker:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


class PostgresContainerDatabase:
    """PostgreSQL in a container; `url` is the asyncpg URL the suites take as NWD_TEST_POSTGRES_URL."""

    def __init__(self, image: str = POSTGRES_IMAGE) -> None:
        self._image = image
        self._container = None

    @property
    def url(self) -> str:
        host = self._container.get_container_host_ip()
        port = self._container.get_exposed_port(5432)
        return f"postgresql+asyncpg://postgres:postgres@{host}:{port}/postgres"

    def start(self) -> PostgresContainerDatabase:
        from testcontainers.community.postgres import PostgresContainer

        container = PostgresContainer(self._image, username="postgres", password="postgres",
                                      dbname="postgres", driver=None)
        container.start()
        self._container = container
        return self

    def stop(self) -> None:
        if self._container is not None:
            self._container.stop()
            self._container = None
