"""Feedback from people: the owner gets each case's link for its letter; the person answers
once, without an API key."""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qs

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError

from learning import experience, repository
from learning.schemas import ExperienceIn
from nwd_shared.app import ReadSession, RuntimeDep, Work
from nwd_shared.auth import CurrentOrganisation, require_scope
from nwd_shared.context import Context
from nwd_shared.errors import FieldError, Invalid

router = APIRouter(tags=["feedback from people"])
Token = Path(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


@router.get("/v1/experience-links", dependencies=[require_scope("contacts:read")])
async def experience_links(caller: CurrentOrganisation, session: ReadSession, runtime: RuntimeDep,
                           reference: str = Query(max_length=64)) -> dict:
    """The feedback link of each of the caller's closed cases for a contact, for its letter."""
    links = await repository.links_for(session, caller.id, reference)
    base = runtime.settings.experience_base_url
    return {"links": [{"case_id": link.case_id, "reference": link.reference,
                       "url": base + link.token, "token": link.token,
                       "issued_on": link.issued_on, "used": link.responded_on is not None,
                       "rating": link.rating, "comment": link.comment,
                       "responded_on": link.responded_on} for link in links]}


@router.get("/v1/experience/{token}", response_class=HTMLResponse, include_in_schema=False)
async def experience_form(session: ReadSession, token: str = Token) -> HTMLResponse:
    """A plain page with the question, for a person following the link in their letter."""
    link = await repository.link_for_token(session, token)
    if link is None:
        return HTMLResponse(_page("This link is not known.", ""), status_code=404)
    if link.responded_on is not None:
        return HTMLResponse(_page("Thank you: we already have your answer.", ""), status_code=410)
    options = "".join(f'<label><input type="radio" name="rating" value="{n}" required> {n}</label> '
                      for n in range(1, 6))
    form = (f'<form method="post" action="{escape(token)}"><p>How well was your concern handled, from 1 '
            f"(very poorly) to 5 (very well)?</p><p>{options}</p><p><label>Anything you want to tell us "
            '(optional)<br><textarea name="comment" rows="6" cols="60" maxlength="4000"></textarea></label>'
            "</p><p><button>Send</button></p></form>")
    return HTMLResponse(_page("How did we do?", form))


def _page(heading: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(heading)}</title>'
            f"</head><body><h1>{escape(heading)}</h1>{body}</body></html>")


async def _answer_of(request: Request) -> ExperienceIn:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        if kind == "application/x-www-form-urlencoded":
            fields = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
            return ExperienceIn.model_validate({"rating": fields.get("rating"),
                                                "comment": fields.get("comment") or None})
        return ExperienceIn.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        raise Invalid(*(FieldError(".".join(["body", *map(str, e["loc"])]), e["msg"], e["type"])
                        for e in exc.errors(include_input=False, include_url=False))) from None


@router.post("/v1/experience/{token}", status_code=201,
             openapi_extra={"requestBody": {"content": {"application/json": {
                 "schema": ExperienceIn.model_json_schema()}}}})
async def give_experience(request: Request, work: Work, runtime: RuntimeDep, token: str = Token):
    """The person's rating (1 to 5) and comment; no API key; each link takes one answer."""
    answer = await _answer_of(request)
    await experience.give_answer(work.session, Context.of(runtime), token, rating=answer.rating,
                                 comment=answer.comment)
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(_page("Thank you for telling us.", ""), status_code=201)
    return JSONResponse({"status": "received"}, status_code=201)
