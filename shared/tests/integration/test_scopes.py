"""Every write, report and personal-data read of every service asks for its scope (docs/security.md)."""

from __future__ import annotations

import asyncio
import importlib
import re

from nwd_shared.directory import ALL_SCOPES, hash_key
from nwd_shared.testing import bearer, fresh_database, running_app

# (method, path) -> the scope it needs: every authenticated write, and the reports.
EXPECTED = {
    "intake": {
        # Reads of personal data (issue 18, item 4).
        ("GET", "/v1/contacts/{reference}"): "contacts:read",
        ("POST", "/v1/contacts"): "contacts:write",
        ("GET", "/v1/contacts/{reference}/audit"): "customer-relations",
        ("GET", "/v1/contacts/{reference}/complaint"): "contacts:read",
        ("POST", "/v1/contacts/{reference}/consent"): "contacts:write",
        ("PATCH", "/v1/contacts/{reference}/contact-details"): "contacts:write",
    },
    "triage": {
        # Reads of personal data (issue 18, item 4).
        ("GET", "/v1/triage"): "contacts:read",
        ("GET", "/v1/triage/{reference}"): "contacts:read",
        ("POST", "/v1/triage/{reference}/decision"): "triage:write",
        **{("POST", f"/v1/safeguarding-concerns/{{reference}}/{answer}"): "referrals:respond"
           for answer in ("acknowledge", "outcome")},
    },
    "casework": {
        # Reads of personal data (issue 18, item 4).
        ("GET", "/v1/cases/{case_id}"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/record"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/contributions"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/letters/{kind}"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/letter-tasks"): "contacts:read",
        ("POST", "/v1/cases/{case_id}/letter-tasks/{task_id}/done"): "cases:write",
        ("GET", "/v1/cases/{case_id}/assignment/history"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/notes"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/notes/{note_id}"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/documents"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/documents/{document_id}"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/correspondence"): "contacts:read",
        ("GET", "/v1/cases/{case_id}/links"): "contacts:read",
        **{("POST", f"/v1/cases/{{case_id}}/{action}"): "cases:write" for action in (
            "acknowledge", "action-plan", "action-plan/comments", "extend", "response", "close", "escalate",
            "suspend", "resume", "contributions", "contributions/{contributor}/part")},
        ("POST", "/v1/cases/{case_id}/unreasonably-persistent"): "customer-relations",
        ("PUT", "/v1/cases/{case_id}/assignment"): "cases:write",  # and the customer_relations role
        # The case file (issue 15).
        **{("POST", f"/v1/cases/{{case_id}}/{part}"): "cases:write"
           for part in ("notes", "documents", "correspondence", "links")},
        ("DELETE", "/v1/cases/{case_id}/links/{linked_case_id}"): "cases:write",
        # The complaint's later life (issue 15); review and final-response also need the senior_manager
        # role, reopen the customer_relations role (an organisation's own key acts with every role).
        **{("POST", f"/v1/cases/{{case_id}}/{action}"): "cases:write" for action in (
            "resolved", "oral-record", "time-limit", "withdraw", "reply", "review", "final-response", "reopen",
            "ombudsman/enquiry", "ombudsman/information-requests", "ombudsman/information-requests/{number}/sent",
            "ombudsman/decision", "ombudsman/remedies", "ombudsman/remedies/{number}/complied")},
        ("PUT", "/v1/cases/{case_id}/equality"): "cases:write",
    },
    "referral": {
        ("POST", "/v1/referrals"): "referrals:write",
        ("POST", "/v1/referrals/{referral_id}/withdraw"): "referrals:write",
        **{("POST", f"/v1/referrals/{{referral_id}}/{answer}"): "referrals:respond"
           for answer in ("accept", "decline", "resolve", "return")},
        ("POST", "/v1/subscriptions"): "subscriptions:write",
        ("DELETE", "/v1/subscriptions/{subscription_id}"): "subscriptions:write",
    },
    "learning": {
        # Reads of personal data (issue 18, item 4).
        ("GET", "/v1/subjects/{reference}"): "contacts:read",
        ("GET", "/v1/experience-links"): "contacts:read",
        **{("GET", f"/v1/reports/{report}"): "reports:read" for report in ("summary", "annual", "ko41a", "digest")},
        ("PATCH", "/v1/learning-actions/{action_id}"): "cases:write",
        ("POST", "/v1/learning-actions/{action_id}/complete"): "cases:write",
        ("PUT", "/v1/subjects/{reference}"): "cases:write",
    },
}


def _key(name: str) -> str:
    return f"scope-test-{name}-key"


def _credentials() -> list[tuple[str, list[str]]]:
    """A credential with no scope, and for each scope one with only it and one with all but it."""
    only = [(f"only-{s.replace(':', '-')}", [s]) for s in ALL_SCOPES]
    but = [(f"but-{s.replace(':', '-')}", [o for o in ALL_SCOPES if o != s]) for s in ALL_SCOPES]
    return [("none", []), *only, *but]


def _directory(path) -> None:
    lines = ["organisations:", "  - {id: wsx-council, name: West Sussex County Council, kind: council,",
             "     responsible_for: [social_care], areas: [west-sussex], credentials: ["]
    lines += [f"       {{id: {name}, key_sha256: {hash_key(_key(name))}, scopes: [{', '.join(scopes)}]}},"
              for name, scopes in _credentials()]
    lines += ["     ]}"]
    path.write_text("\n".join(lines) + "\n")


def _guarded(openapi: dict) -> set[tuple[str, str]]:
    """Operations that need a bearer token and change something, or are reports."""
    return {(method.upper(), path) for path, operations in openapi["paths"].items()
            for method, operation in operations.items()
            if operation.get("security") and (method != "get" or path.startswith("/v1/reports/"))}


async def _answers(name: str, bootstrap: str, tmp_path, starting: asyncio.Lock) -> dict:
    """Each guarded endpoint of one service, asked with no scope, all but its scope, and only it."""
    main, config = importlib.import_module(f"{name}.main"), importlib.import_module(f"{name}.config")
    directory = tmp_path / f"{name}.yaml"
    _directory(directory)
    answers = {}
    async with fresh_database("sqlite", tmp_path) as url:
        app = main.create_app(config.Settings(database_url=url, kafka_bootstrap_servers=bootstrap,
                                              kafka_group_prefix=f"scopes-{name}-", organisations_file=directory))
        running = running_app(app)
        async with starting:  # Alembic's context is process-wide: one service migrates at a time
            client = await running.__aenter__()
        try:
            openapi = (await client.get("/openapi.json")).json()
            operations = {(m.upper(), p) for p, ops in openapi["paths"].items() for m in ops}
            # A new write endpoint needs a row here; a row names an endpoint that exists.
            assert _guarded(openapi) <= set(EXPECTED[name]) <= operations, name
            for (method, path), scope in EXPECTED[name].items():
                slug = scope.replace(":", "-")
                for credential in ("none", f"but-{slug}", f"only-{slug}"):
                    response = await client.request(method, re.sub(r"\{[^}]+\}", "x", path),
                                                    headers=bearer(_key(credential)))
                    answers[(method, path, credential.split("-")[0])] = response.status_code
        finally:
            await running.__aexit__(None, None, None)
    return answers


async def test_each_guarded_endpoint_needs_exactly_its_scope(broker, tmp_path):
    # The services side by side: each takes seconds to stop, the requests are quick.
    starting = asyncio.Lock()
    found = await asyncio.gather(*(_answers(name, broker.bootstrap_servers, tmp_path, starting)
                                   for name in EXPECTED))
    answers = {key: status for one in found for key, status in one.items()}
    # Without the scope: 403 before anything is looked up; with it, past the check (404, 422, 200...).
    wrong = {k: v for k, v in answers.items() if (v == 403) != (k[2] != "only")}
    assert wrong == {}, wrong
    assert len(answers) == 3 * sum(len(rows) for rows in EXPECTED.values())
