"""HTTP plumbing: problem+json errors, the 1 MiB body limit, request metrics, security headers,
the client's address behind trusted proxies."""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nwd_shared.errors import DomainError
from nwd_shared.messaging.failures import DATABASE_OUTAGES, database_unavailable
from nwd_shared.metrics import HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 1024 * 1024
_TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
    409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type",
    422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable",
}


# The errors every service endpoint may answer, declared in each OpenAPI document.
ERROR_STATUSES = (401, 403, 404, 409, 422, 429, 503)


class FieldError(BaseModel):
    """One invalid field: request validation and a use case's `Invalid` both give this shape."""

    field: str
    message: str
    type: str


class ProblemDetails(BaseModel):
    """An application/problem+json body (RFC 9457); extensions such as `checks` may follow."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = "about:blank"
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldError] = Field(default=[], description="Each invalid field, on a 422")


def _problem_schemas() -> dict[str, dict]:
    schema = ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**schema.pop("$defs", {}), "Problem": schema}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` declaring these statuses as problem+json bodies."""
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {status: {"description": _TITLES[status], "content": content} for status in statuses}


ERROR_RESPONSES = problem_responses(*ERROR_STATUSES)


def declare_problem_schemas(app: FastAPI) -> None:
    """Add the Problem schema the declared error responses refer to to the app's OpenAPI components."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {}).setdefault("schemas", {}).update(_problem_schemas())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


class Problem(Exception):
    """A client-facing error, answered as application/problem+json (RFC 9457)."""

    def __init__(
        self, status: int, detail: str, *, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_response(
    status: int, detail: str, headers: dict[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status,
            "detail": detail, **extensions}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error a client can cause is problem+json; anything else is a 500 without internals."""

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.detail, headers=exc.headers, **exc.extensions)

    @app.exception_handler(DomainError)
    async def _refused(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(exc.status, exc.detail, headers=exc.headers, **exc.extensions())

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "Error")
        return problem_response(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field(error["loc"]), "message": error["msg"], "type": error["type"]}
            for error in exc.errors()
        ]
        return problem_response(422, f"{len(errors)} invalid field(s)", errors=errors)

    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__,
                  exc_info=exc)
        return problem_response(500, "The server could not complete the request.")

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # One rule for the consumer, the relay and here (nwd_shared.messaging.failures): a connect
        # error that asyncpg raises unwrapped (ConnectionRefusedError, OSError) is an outage too.
        if not database_unavailable(exc):
            return await _unexpected(request, exc)
        # Nothing was committed: the client may safely retry (with its Idempotency-Key).
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                    type(exc).__name__)
        return problem_response(503, "The database is unavailable; nothing was stored. Retry shortly.",
                                headers={"Retry-After": "2"})

    for outage in (*DATABASE_OUTAGES, DBAPIError):
        app.add_exception_handler(outage, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected)


class BodyLimitMiddleware:
    """Answer 413 for a body over the limit, declared or streamed, before the app reads it all.

    `limits` maps a path pattern (a regular expression) to its own limit, e.g. a document upload's.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES,
                 limits: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.limits = [(re.compile(pattern), size) for pattern, size in (limits or {}).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        max_bytes = next((size for pattern, size in self.limits if pattern.match(path)), self.default_max_bytes)
        declared = dict(scope.get("headers") or {}).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            status = 413 if declared.isdigit() else 400
            detail = f"request body is over {max_bytes} bytes" if status == 413 else "bad Content-Length"
            await problem_response(status, detail)(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise StarletteHTTPException(413, f"request body is over {max_bytes} bytes")
            return message

        await self.app(scope, limited_receive, send)


class MetricsMiddleware:
    """Count requests and time them by route template (never by raw path, which holds references)."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, route).observe(time.perf_counter() - started)


# A strict policy for every HTML page (letters, reports, the feedback form): nothing loads but the
# page's own inline styles; no scripts, no frames of it elsewhere, forms post only to the service.
HTML_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
               "base-uri 'none'; frame-ancestors 'none'")
# The interactive API docs load Swagger UI and ReDoc from their CDN; still never framed.
DOCS_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
               "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
               "font-src https://fonts.gstatic.com; img-src data: https://fastapi.tiangolo.com "
               "https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; frame-ancestors 'none'")
DOCS_PATHS = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    """Headers every response carries: nosniff; no-store under /v1; a strict CSP on HTML; safe cookies.

    Every /v1 response is `Cache-Control: no-store`, not only those known to hold personal data:
    nearly all do (contacts, cases, referrals, letters, the feedback form), the few that do not
    (reports) are cheap to recompute, and a rule by path cannot be forgotten by a new endpoint. A
    header an endpoint set itself (a document download's own policy) is left as it is. No service
    sets a cookie today; one that did would get Secure, HttpOnly and SameSite=Strict here.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")

        async def secured_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if path.startswith("/v1/"):
                    headers.setdefault("Cache-Control", "no-store")
                if headers.get("content-type", "").lower().startswith("text/html"):
                    docs = path.startswith(DOCS_PATHS)
                    headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else HTML_POLICY)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Referrer-Policy", "no-referrer")
                cookies = headers.getlist("set-cookie")
                if cookies:
                    del headers["set-cookie"]
                    for cookie in cookies:
                        headers.append("set-cookie", secure_cookie(cookie))
            await send(message)

        await self.app(scope, receive, secured_send)


def secure_cookie(cookie: str) -> str:
    """A Set-Cookie value with Secure, HttpOnly and SameSite=Strict, unless it already says otherwise."""
    attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
    extra = [flag for flag, name in (("Secure", "secure"), ("HttpOnly", "httponly"),
                                     ("SameSite=Strict", "samesite")) if name not in attributes]
    return "; ".join([cookie, *extra]) if extra else cookie


def forwarded_client(peer: str | None, forwarded_for: list[str],
                     trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str | None:
    """The client's address: the peer, unless the peer is a trusted proxy; then X-Forwarded-For.

    The header is read from the right (each proxy appends the address it saw) past every trusted
    proxy; the first address that is not one is the client. A client can write anything at the
    left of the header, so nothing left of the first untrusted address is believed.
    """
    if peer is None:
        return None
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",") if hop.strip()]
    address = peer
    while hops and _trusted(address, trusted):
        candidate = hops.pop()
        try:
            address = str(ipaddress.ip_address(candidate))
        except ValueError:
            break  # not an address: believe no further
    return address


def _trusted(address: str, trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == network.version and ip in network for network in trusted)


class TrustedProxyMiddleware:
    """Set the request's client address from X-Forwarded-For, only when the peer is a trusted proxy.

    The audit trail (and anything else reading `request.client`) then names the client, not the
    ingress pod; with no trusted proxies configured the header is ignored.
    """

    def __init__(self, app: ASGIApp, trusted: Sequence[object] = ()) -> None:
        self.app = app
        self.trusted = [ipaddress.ip_network(str(network), strict=False) for network in trusted]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            host, port = scope["client"]
            values = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"x-forwarded-for"]
            client = forwarded_client(host, values, self.trusted)
            if client != host:
                scope = {**scope, "client": (client, port)}
        await self.app(scope, receive, send)
