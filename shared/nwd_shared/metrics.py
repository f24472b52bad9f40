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
