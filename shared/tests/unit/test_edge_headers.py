"""The HTTP edge: nosniff everywhere, no-store under /v1, a strict CSP on HTML, safe cookies, and the
client's address taken from X-Forwarded-For only when the peer is a trusted proxy."""

from __future__ import annotations

import ipaddress

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse

from nwd_shared.http import (
    HTML_POLICY,
    SecurityHeadersMiddleware,
    TrustedProxyMiddleware,
    forwarded_client,
    secure_cookie,
)


def app_with_headers() -> FastAPI:
    app = FastAPI()
    app.add_middleware(SecurityHeadersMiddleware)

    @app.get("/v1/page")
    async def page() -> HTMLResponse:
        return HTMLResponse("<p>a letter</p>")

    @app.get("/v1/data")
    async def data() -> dict:
        return {"name": "someone"}

    @app.get("/v1/download")
    async def download() -> Response:
        return Response(b"%PDF", media_type="text/html", headers={
            "Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, max-age=0"})

    @app.get("/v1/session")
    async def session() -> Response:
        response = Response("ok")
        response.set_cookie("a", "1")
        response.set_cookie("b", "2", samesite="lax", secure=True)
        return response

    @app.get("/livez")
    async def livez() -> dict:
        return {"status": "ok"}

    return app


async def get(app, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        return await client.get(path, **kwargs)


async def test_every_response_is_nosniff_and_every_v1_response_no_store():
    app = app_with_headers()
    for path in ("/v1/page", "/v1/data", "/livez", "/nowhere"):
        assert (await get(app, path)).headers["x-content-type-options"] == "nosniff"
    assert (await get(app, "/v1/data")).headers["cache-control"] == "no-store"
    assert (await get(app, "/v1/nowhere")).headers["cache-control"] == "no-store"
    assert "cache-control" not in (await get(app, "/livez")).headers


async def test_html_gets_a_strict_policy_that_forbids_framing_and_scripts():
    app = app_with_headers()
    page = await get(app, "/v1/page")
    policy = page.headers["content-security-policy"]
    assert policy == HTML_POLICY
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert "content-security-policy" not in (await get(app, "/v1/data")).headers
    # An endpoint's own stricter headers stay as it set them.
    download = await get(app, "/v1/download")
    assert download.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert download.headers["cache-control"] == "private, max-age=0"


async def test_cookies_are_secure_http_only_and_same_site():
    cookies = (await get(app_with_headers(), "/v1/session")).headers.get_list("set-cookie")
    assert len(cookies) == 2
    for cookie in cookies:
        lowered = cookie.lower()
        assert "secure" in lowered and "httponly" in lowered and "samesite" in lowered
    assert "samesite=lax" in cookies[1].lower() and "samesite=strict" not in cookies[1].lower()
    assert secure_cookie("x=1; Secure; HttpOnly; SameSite=Strict") == "x=1; Secure; HttpOnly; SameSite=Strict"


PROXIES = [ipaddress.ip_network("10.42.0.0/16"), ipaddress.ip_network("fd00::/8")]


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy():
    # No proxy in front: the header is the client's own word, ignored.
    assert forwarded_client("203.0.113.9", ["198.51.100.1"], PROXIES) == "203.0.113.9"
    # The ingress pod: the address it saw is the client's.
    assert forwarded_client("10.42.3.4", ["198.51.100.1"], PROXIES) == "198.51.100.1"
    # Whatever the client wrote at the left is not believed: the rightmost untrusted hop is.
    assert forwarded_client("10.42.3.4", ["127.0.0.1, 198.51.100.1"], PROXIES) == "198.51.100.1"
    # Two proxies (the ingress behind a load balancer), over two headers.
    assert forwarded_client("10.42.3.4", ["198.51.100.1", "10.42.0.9"], PROXIES) == "198.51.100.1"
    assert forwarded_client("fd00::1", ["2001:db8::7"], PROXIES) == "2001:db8::7"
    # A trusted proxy with no header, or garbage in it: the proxy's own address, nothing invented.
    assert forwarded_client("10.42.3.4", [], PROXIES) == "10.42.3.4"
    assert forwarded_client("10.42.3.4", ["not-an-address"], PROXIES) == "10.42.3.4"
    assert forwarded_client("10.42.3.4", ["198.51.100.1"], []) == "10.42.3.4"


async def test_the_middleware_sets_the_client_only_behind_a_trusted_proxy():
    def echo_app(trusted) -> FastAPI:
        app = FastAPI()
        app.add_middleware(TrustedProxyMiddleware, trusted=trusted)

        @app.get("/who")
        async def who(request: Request) -> dict:
            return {"client": request.client.host}

        return app

    async def client_seen(app, peer: str, forwarded: str) -> str:
        transport = httpx.ASGITransport(app=app, client=(peer, 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return (await client.get("/who", headers={"X-Forwarded-For": forwarded})).json()["client"]

    trusting = echo_app(["10.42.0.0/16"])
    assert await client_seen(trusting, "10.42.0.7", "203.0.113.9") == "203.0.113.9"
    assert await client_seen(trusting, "198.51.100.1", "203.0.113.9") == "198.51.100.1"
    assert await client_seen(echo_app([]), "10.42.0.7", "203.0.113.9") == "10.42.0.7"
