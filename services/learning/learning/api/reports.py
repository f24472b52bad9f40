"""Reports, each for the caller's own organisation (404 for anyone else's)."""

from __future__ import annotations

import json
from datetime import date

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from learning.reports import render, service
from learning.reports.ko41a import to_csv
from learning.schemas import Summary
from nwd_shared.app import ReadSession, RuntimeDep
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context
from nwd_shared.http import Problem

router = APIRouter(prefix="/v1/reports", tags=["reports"], dependencies=[require_scope("reports:read")])
Year = Query(ge=2000, le=2100, description="the year the financial year starts in: 2025 is 1 April 2025 to 31 March 2026")


@router.get("/summary", response_model=Summary, response_model_by_alias=True)
async def summary(caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
                  organisation: str = Query(max_length=64), from_: date = Query(alias="from"),
                  to: date = Query()) -> Summary:
    """The projections of an organisation for a period: contacts, referrals, cases, timeliness,
    outcomes, escalations, subjects, learning actions and feedback."""
    figures_ = await service.summary(session, Context.of(runtime, caller.id), organisation, from_, to)
    return Summary(organisation=organisation, from_=from_, to=to, **figures_)


def _wanted(request: Request, offered: tuple[str, ...]) -> str:
    """The first offered media type the Accept header allows, by its order of preference."""
    header = request.headers.get("accept", "")
    if not header.strip():
        return offered[0]
    ranges = []
    for position, part in enumerate(header.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranges.append((-quality, position, media.lower()))
    for quality, _, media in sorted(ranges):
        if quality == 0:
            continue
        for candidate in offered:
            if media in {candidate, "*/*", candidate.split("/")[0] + "/*"}:
                return candidate
    raise Problem(406, f"available as {', '.join(offered)}")


@router.get("/annual", responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
async def annual(request: Request, caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
                 organisation: str = Query(max_length=64), year: int = Year) -> Response:
    """The reg 18 annual report: JSON, or an HTML page with charts, or a PDF, by `Accept`."""
    report = await service.annual(session, Context.of(runtime, caller.id), organisation, year)
    media = _wanted(request, ("application/json", "text/html", "application/pdf"))
    if media == "text/html":
        return Response(render.annual_html(report), media_type="text/html; charset=utf-8")
    if media == "application/pdf":
        # Drawing the PDF takes CPU for a while: off the event loop, so other requests are not held up.
        document = await run_in_threadpool(render.annual_pdf, report)
        return Response(document, media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="annual-report-{organisation}-{report["year"]}.pdf"'})
    return Response(_json(report), media_type="application/json")


def _json(report: dict) -> bytes:
    return json.dumps(report, default=str).encode()


@router.get("/ko41a", responses={200: {"content": {"text/csv": {}}}})
async def ko41a(caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
                organisation: str = Query(max_length=64), year: int = Year) -> Response:
    """The KO41a return of an NHS organisation, as CSV, with warnings for cases lacking a code."""
    report = await service.ko41a(session, Context.of(runtime, caller.id), organisation, year)
    return Response(to_csv(report), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="ko41a-{organisation}-{report["year"]}.csv"',
        "X-Warnings": str(len(report["warnings"]))})


@router.get("/digest")
async def digest(caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
                 area: str = Query(max_length=64), from_: date = Query(alias="from"),
                 to: date = Query()) -> dict:
    """The partner learning digest of an area: anonymised, with small numbers suppressed; for
    any partner that covers the area."""
    return await service.digest(session, Context.of(runtime, caller.id), area, from_, to)
