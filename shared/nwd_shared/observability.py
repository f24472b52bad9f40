"""Logs and traces: JSON logs that carry the contact reference and trace id, never personal data."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog
from aiokafka.errors import KafkaError
from fastapi.exceptions import ValidationException
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TRACEPARENT = "traceparent"
# Field names whose values are personal data: they never reach a log line, whatever logs them.
PERSONAL_FIELDS = frozenset({
    "name", "email", "phone", "description", "desired_outcome", "complainant", "person_affected",
    "personal", "address", "comment", "submission",
})
_propagator = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("nwd")


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in PERSONAL_FIELDS & event.keys():
        event[key] = "[redacted]"
    return event


# Exceptions whose text is the system's own (addresses, ports, timeouts), never a person's data.
_SAFE_TEXT: tuple[type[BaseException], ...] = (OSError, TimeoutError, KafkaError)
# Libraries whose debug lines quote SQL parameters or payloads: held at INFO whatever the root's level.
_QUOTING_LOGGERS = ("aiosqlite", "aiokafka")


def describe_error(exc: BaseException) -> str:
    """An exception as a log line or a header may carry it: its type, never the values in its text.

    A validation error names each invalid field and why (`body.email: value_error`), never the
    input (pydantic's `input_value=...`); an exception whose text is known to be the system's own
    (OSError, a timeout, or a class that sets `safe_message = True`) keeps it; any other's text may
    quote what it failed on (a driver's `Key (email)=(...)`, a bug's f-string) and is withheld.
    """
    name = type(exc).__name__
    if isinstance(exc, ValidationError | ValidationException):
        errors = exc.errors(include_input=False, include_url=False) if isinstance(exc, ValidationError) \
            else exc.errors()
        fields = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('type', '?')}"
                           for e in errors[:20])
        return f"{name}: {len(errors)} invalid: {fields}"
    if getattr(exc, "safe_message", False) or isinstance(exc, _SAFE_TEXT):
        return f"{name}: {exc}"
    return f"{name} (text withheld: it may quote personal data)"


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and what caused it, oldest first, as a traceback prints them."""
    seen: list[BaseException] = []
    while exc is not None and all(exc is not s for s in seen) and len(seen) < 10:
        seen.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return seen[::-1]


def format_exception(exc: BaseException) -> str:
    """A traceback with every frame (file, line, code) and each exception described by `describe_error`."""
    parts = []
    for one in _chain(exc):
        if parts:
            parts.append("\nThe above exception led to the following exception:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts += traceback.format_tb(one.__traceback__)
        parts.append(describe_error(one) + "\n")
    return "".join(parts).rstrip("\n")


def _redacted_record(record: logging.LogRecord) -> logging.LogRecord:
    """A log record whose exception and exception arguments are described, never quoted."""
    if record.exc_info and record.exc_info[1] is not None:
        # Every formatter (ours, pytest's, a library's) prints exc_text when it is set.
        record.exc_text = format_exception(record.exc_info[1])
        record.exc_info = None
    if isinstance(record.args, tuple) and any(isinstance(a, BaseException) for a in record.args):
        record.args = tuple(describe_error(a) if isinstance(a, BaseException) else a for a in record.args)
    return record


def install_redaction() -> None:
    """Redact every log record as it is made, whoever logs it (a library, uvicorn, our own code)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "nwd_redacting", False):
        return

    def redacting(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _redacted_record(factory(*args, **kwargs))

    redacting.nwd_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(redacting)
    for name in _QUOTING_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def _exception_text(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog's own exc_info, and a stdlib record's redacted traceback, as the `exception` field."""
    exc_info = event.pop("exc_info", None)
    if exc_info:
        exc = exc_info if isinstance(exc_info, BaseException) else \
            exc_info[1] if isinstance(exc_info, tuple) else sys.exc_info()[1]
        if exc is not None:
            event["exception"] = format_exception(exc)
    record = event.get("_record")
    if isinstance(record, logging.LogRecord) and record.exc_text and "exception" not in event:
        event["exception"] = record.exc_text
    return event


def _trace_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
    return event


def configure_logging(level: str = "INFO") -> None:
    """Every log line, ours and the libraries', as one JSON object on stdout, exceptions redacted."""
    install_redaction()
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _trace_ids,
        _redact,
        _exception_text,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    _exception_text, structlog.processors.JSONRenderer()],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def configure_tracing(service: str, otlp_endpoint: str | None) -> None:
    """Trace ids always; spans exported over OTLP/HTTP only when an endpoint is configured."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return  # already set in this process (tests start several apps)
    provider = TracerProvider(resource=Resource.create({"service.name": f"nwd-{service}"}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to store with an outbox row."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get(TRACEPARENT)


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id inside a traceparent header value."""
    parts = (traceparent or "").split("-")
    return parts[1] if len(parts) == 4 else None


@contextmanager
def consume_span(event_type: str, reference: str, traceparent: str | None) -> Iterator[None]:
    """Handle one event as a child of the span that published it, logging with its reference."""
    parent = _propagator.extract({TRACEPARENT: traceparent} if traceparent else {})
    with _tracer.start_as_current_span(f"consume {event_type}", context=parent,
                                       kind=trace.SpanKind.CONSUMER) as span:
        span.set_attribute("nwd.reference", reference)
        with structlog.contextvars.bound_contextvars(reference=reference, event_type=event_type):
            yield


class TracingMiddleware:
    """A server span per request (continuing an incoming traceparent) and one log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("nwd.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        parent = _propagator.extract(headers)
        started = time.perf_counter()
        status = 500
        with _tracer.start_as_current_span(f"{scope['method']} {scope['path']}", context=parent,
                                           kind=trace.SpanKind.SERVER) as span:
            trace_id = format(span.get_span_context().trace_id, "032x")

            async def send_with_trace_id(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"x-trace-id", trace_id.encode())]
                await send(message)

            try:
                await self.app(scope, receive, send_with_trace_id)
            finally:
                route = getattr(scope.get("route"), "path", "unmatched")
                span.set_attribute("http.route", route)
                span.set_attribute("http.status_code", status)
                if route not in {"/livez", "/readyz", "/metrics"}:
                    # Path parameters are references and ids, never personal data.
                    self.log.info("request", method=scope["method"], route=route, status=status,
                                  ms=round((time.perf_counter() - started) * 1000, 1),
                                  **(scope.get("path_params") or {}))


# On import, not only in configure_logging: a service run in-process (tests, `nwd` tools) logs through
# whatever handlers are there, and no record of it may quote an exception's values.
install_redaction()
