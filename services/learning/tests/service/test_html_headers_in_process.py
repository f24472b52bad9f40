"""Every HTML page learning serves (the feedback form, the annual report) carries a strict
Content-Security-Policy that forbids framing; every /v1 answer is nosniff and no-store."""

from __future__ import annotations

from learning.config import Settings
from learning.main import create_app
from nwd_shared.testing import bearer, in_process

learning = in_process(create_app, Settings)
TRUST = bearer("demo-uhsussex-key")


def assert_strict_html(response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    policy = {d.split()[0]: d.split()[1:] for d in response.headers["content-security-policy"].split("; ")}
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "script-src" not in policy and policy["form-action"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


async def test_the_feedback_form_pages_are_strict(learning):
    unknown = await learning.get("/v1/experience/" + "x" * 24)
    assert unknown.status_code == 404
    assert_strict_html(unknown)
    answered = await learning.post("/v1/experience/" + "x" * 24, data={"rating": "4"}, headers={"Accept": "text/html"})
    assert answered.headers["x-content-type-options"] == "nosniff"


async def test_the_annual_report_page_is_strict_and_json_is_no_store(learning):
    params = {"organisation": "uhsussex", "year": 2025}
    page = await learning.get("/v1/reports/annual", params=params, headers=TRUST | {"Accept": "text/html"})
    assert page.status_code == 200, page.text
    assert_strict_html(page)
    data = await learning.get("/v1/reports/annual", params=params, headers=TRUST)
    assert data.headers["cache-control"] == "no-store" and "content-security-policy" not in data.headers


async def test_health_and_the_api_docs(learning):
    live = await learning.get("/livez")
    assert live.headers["x-content-type-options"] == "nosniff" and "cache-control" not in live.headers
    docs = await learning.get("/docs")
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
