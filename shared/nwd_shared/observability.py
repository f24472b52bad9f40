"""Logs and traces: JSON logs that carry the contact reference and trace id, never personal data."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
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


def _trace_ids(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event.setdefault("trace_id", format(context.trace_id, "032x"))
    return event


def configure_logging(level: str = "INFO") -> None:
    """Every log line, ours and the libraries', as one JSON object on stdout."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _trace_ids,
        _redact,
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
                    structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
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
