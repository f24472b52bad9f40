"""Prometheus metrics shared by every service, labelled by service."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "nwd_http_requests_total", "HTTP requests handled", ["service", "method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "nwd_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route"]
)
EVENTS_CONSUMED = Counter(
    "nwd_events_consumed_total", "Events handled by a consumer", ["service", "consumer", "type"]
)
EVENTS_DUPLICATE = Counter(
    "nwd_events_duplicate_total", "Duplicate events skipped by the inbox", ["service", "consumer"]
)
EVENTS_PUBLISHED = Counter(
    "nwd_events_published_total", "Events published from the outbox", ["service", "type"]
)
HANDLER_ERRORS = Counter(
    "nwd_handler_errors_total", "Handler attempts that raised", ["service", "consumer"]
)
DEAD_LETTERED = Counter(
    "nwd_dead_lettered_total", "Messages sent to a dead-letter topic", ["service", "topic"]
)
OUTBOX_BACKLOG = Gauge("nwd_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge(
    "nwd_outbox_oldest_unpublished_seconds", "Age of the oldest unpublished outbox row", ["service"]
)
CONSUMER_LAG = Gauge(
    "nwd_consumer_lag", "Records not yet consumed, per partition",
    ["service", "consumer", "topic", "partition"],
)
CASE_DEADLINE_BREACHES = Counter(
    "nwd_case_deadline_breaches_total", "Statutory deadlines missed", ["service", "deadline"]
)
EVENTS_UNKNOWN_TYPE = Counter(
    "nwd_events_unknown_type_total", "Records of a type this version does not know, skipped (a newer producer's)",
    ["service", "consumer", "type"],
)
CONSUMER_ASSIGNED_PARTITIONS = Gauge(
    "nwd_consumer_assigned_partitions", "Partitions assigned to this replica's consumer (0: idle, not unready)",
    ["service", "consumer"],
)
RELAY_FAILURES = Counter(
    "nwd_outbox_relay_failures_total", "Outbox relay rounds that failed, by cause (database or broker)",
    ["service", "cause"],
)
ROWS_PRUNED = Counter(
    "nwd_rows_pruned_total", "Housekeeping: expired rows deleted (inbox, published outbox, idempotency keys)",
    ["service", "table"],
)
