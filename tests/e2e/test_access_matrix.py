"""Who may see what (docs/security.md), end to end over the real broker, as tables of answers.

A PALS receives a joint complaint about council home care and the hospital; the council leads, the
hospital contributes, an advocacy service is asked to support (no consent to share), the council
responds and the complainant escalates to the ombudsmen. A second contact, with consent, shows the
advocacy service what consent opens; a third, the council's own, is the case the joint one is linked
to; a fourth, about harm on the hospital's ward, opens a safeguarding concern for the council. Besides
organisations' own keys (which act with every role), two of the council's people ask: a handler
(ana.patel, every scope) and a reports-only member of staff (rob.reid, only `reports:read`), and the
council's webhook-only integration (a key with only `subscriptions:write`). Neither of the last two
reads anyone's data: every personal-data read needs `contacts:read` (issue 18, item 4).

Reads answer with their status, and a list with `200` when the item asked about is in it, `[]` when
it is not. A write is asked with a body its schema accepts, so the answer is about who asks, and is
written as its class: `ok` when the caller got past who-may-ask — done (2xx) or refused for the
case's state or the body's meaning (409, 422; the owner's staff ask in turn, so the second finds the
first's work done) — else 401 (no key), 403 (wrong scope or role, or a relation that may look but not
act) or 404 (no relation). Whether each write is done, and its 409s and 422s, are the service tests'.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from nwd_shared.calendar import local_date
from nwd_shared.testing import bearer, contact_payload, eventually

pytestmark = pytest.mark.e2e
PALS, COUNCIL, HOSPITAL = "uhsussex-pals", "wsx-council", "uhsussex"
ADVOCACY, OMBUDSMAN, STRANGER = "sussex-advocacy", "lgsco", "bh-council"
# People of the council with keys of their own (the demo directory): a handler, and reports only.
ANA, ROB = "wsx-ana", "wsx-rob"
# The council's webhook-only key (`demo-wsx-hooks-key`): only `subscriptions:write`.
HOOKS = "wsx-hooks"
COLUMNS = ("contact", "audit", "triage", "cases?ref", "case", "letter", "referral")
RESPONSE = {
    "outcome": "partly_upheld", "desired_outcome_met": True,
    "issues": "The home care package did not start after discharge.", "investigation": "We read the records.",
    "evidence": "The discharge plan and the care package start date.", "findings": "The start was delayed.",
    "went_wrong": True, "impact": "Your father was without care for a week.", "apology": "We are sorry.",
    "actions": ["Packages are confirmed before discharge"], "signed_by": "Sam Senior, Director",
}
TODAY = local_date(datetime.now(UTC))
LATER = (TODAY + timedelta(days=20)).isoformat()
WHY = "Asked by the access matrix"
# The smallest upload casework takes for a PDF: the type is read from the content.
PDF = ("care-plan.pdf", b"%PDF-1.7\n% the care plan\n%%EOF\n", "application/pdf")


def _key(who: str | None) -> dict:
    """An organisation's own key (`demo-<organisation>-key`), or a person's (`demo-wsx-ana-key`)."""
    return bearer(f"demo-{who}-key") if who else {}


@dataclass(frozen=True)
class Ask:
    """One endpoint as the matrix asks it; `listed` = (the item's field, the target it should equal)."""

    column: str
    service: str
    method: str
    path: str
    body: dict | None = None
    params: dict = field(default_factory=dict)
    upload: bool = False
    listed: tuple[str, str] | None = None

    def needs(self) -> set[str]:
        named = {name for _, name, _, _ in string.Formatter().parse(self.path) if name}
        return named | ({self.listed[1]} if self.listed else set())

    def answer(self, response: httpx.Response, targets: dict) -> str:
        code = response.status_code
        if self.listed and code == 200:
            item_field, target = self.listed
            return "200" if any(i.get(item_field) == targets[target] for i in response.json()["items"]) else "[]"
        if self.method != "GET" and (200 <= code < 300 or code in (409, 422)):
            return "ok"
        return str(code)


CASE = "/v1/cases/{case_id}"
INTAKE = (
    Ask("complaint", "intake", "GET", "/v1/contacts/{reference}/complaint"),
    # The consent as it stands and the email as it is: allowed, they change nothing.
    Ask("consent", "intake", "POST", "/v1/contacts/{reference}/consent", {"consent_to_share": False}),
    Ask("details", "intake", "PATCH", "/v1/contacts/{reference}/contact-details",
        {"complainant": {"email": "ann@example.org"}}),
)
QUEUES = (
    Ask("list", "casework", "GET", "/v1/cases", params={"kind": "complaint", "limit": 100}, listed=("id", "case_id")),
    Ask("search", "casework", "GET", "/v1/cases", params={"q": "hospital", "limit": 100}, listed=("id", "case_id")),
    Ask("queues", "casework", "GET", "/v1/cases/queues"),
    Ask("assign", "casework", "PUT", CASE + "/assignment", {"handler": "ana.patel", "team": "adults"}),
    Ask("history", "casework", "GET", CASE + "/assignment/history"),
)
CASE_FILE = (
    Ask("notes", "casework", "GET", CASE + "/notes"),
    Ask("+note", "casework", "POST", CASE + "/notes", {"text": "Called the home care provider."}),
    Ask("note", "casework", "GET", CASE + "/notes/{note_id}"),
    Ask("docs", "casework", "GET", CASE + "/documents"),
    Ask("+doc", "casework", "POST", CASE + "/documents", upload=True),
    Ask("doc", "casework", "GET", CASE + "/documents/{document_id}"),
    Ask("letters", "casework", "GET", CASE + "/correspondence"),
    Ask("+letter", "casework", "POST", CASE + "/correspondence", {
        "occurred_on": TODAY.isoformat(), "channel": "phone", "direction": "in", "summary": "The son called."}),
    Ask("links", "casework", "GET", CASE + "/links"),
    # Linked, then unlinked, by each who may: the next asks the same.
    Ask("+link", "casework", "POST", CASE + "/links", {"case_id": "{other_case_id}", "reason": "same_person"}),
    Ask("-link", "casework", "DELETE", CASE + "/links/{other_case_id}"),
)
LIFE = (
    Ask("resolved", "casework", "POST", CASE + "/resolved", {}),
    Ask("oral", "casework", "POST", CASE + "/oral-record", {"record": WHY, "sent_on": TODAY.isoformat()}),
    Ask("limit", "casework", "POST", CASE + "/time-limit", {"decision": "waived", "reason": WHY}),
    # Withdrawn by one who may, and reopened at once by one who may (the case carries on escalated).
    Ask("withdraw", "casework", "POST", CASE + "/withdraw", {"reason": WHY}),
    Ask("reopen", "casework", "POST", CASE + "/reopen", {"reason": WHY}),
    Ask("reply", "casework", "POST", CASE + "/reply", {"satisfied": True}),
    Ask("review", "casework", "POST", CASE + "/review", {"findings": WHY}),
    Ask("final", "casework", "POST", CASE + "/final-response", {"letter": WHY, "signed_by": "Dev Singh"}),
    Ask("equality", "casework", "PUT", CASE + "/equality", {"consent": True, "age_group": "75-84"}),
    Ask("flag", "casework", "POST", CASE + "/unreasonably-persistent", {"flagged": False, "reason": WHY}),
    Ask("enquiry", "casework", "POST", CASE + "/ombudsman/enquiry",
        {"their_reference": "LGSCO-24-001", "received_on": TODAY.isoformat()}),
    Ask("+info", "casework", "POST", CASE + "/ombudsman/information-requests",
        {"requested_on": TODAY.isoformat(), "due_on": LATER}),
    Ask("sent", "casework", "POST", CASE + "/ombudsman/information-requests/1/sent", {"sent_on": TODAY.isoformat()}),
    Ask("decision", "casework", "POST", CASE + "/ombudsman/decision",
        {"decided_on": TODAY.isoformat(), "findings": WHY, "upheld": True}),
    Ask("+remedy", "casework", "POST", CASE + "/ombudsman/remedies", {"description": WHY, "due_on": LATER}),
    Ask("complied", "casework", "POST", CASE + "/ombudsman/remedies/1/complied",
        {"on": TODAY.isoformat(), "evidence": WHY}),
)
TRIAGE = (
    Ask("decisions", "triage", "GET", "/v1/triage", params={"limit": 200}, listed=("reference", "reference")),
    Ask("review", "triage", "GET", "/v1/triage", params={"needs_review": "true", "limit": 200}),
    # An override naming an advocacy service as responsible: 422 to those who may override, nothing changed.
    Ask("override", "triage", "POST", "/v1/triage/{reference}/decision",
        {"route": "complaint", "reason": WHY, "responsible_organisations": [ADVOCACY]}),
)
SAFEGUARDING = (
    Ask("concerns", "triage", "GET", "/v1/safeguarding-concerns", params={"limit": 200},
        listed=("reference", "concern")),
    Ask("concern", "triage", "GET", "/v1/safeguarding-concerns/{concern}"),
    Ask("ack", "triage", "POST", "/v1/safeguarding-concerns/{concern}/acknowledge"),
    Ask("outcome", "triage", "POST", "/v1/safeguarding-concerns/{concern}/outcome", {"enquiry": "opened"}),
)
GROUPS = {"the complaint at intake": INTAKE, "queues and assignment": QUEUES, "the case file": CASE_FILE,
          "the complaint's life": LIFE, "triage and its review": TRIAGE, "safeguarding concerns": SAFEGUARDING}


def _filled(value, targets: dict):
    """The body with `{target}` strings replaced by the targets' values."""
    if isinstance(value, dict):
        return {k: _filled(v, targets) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return targets[value[1:-1]]
    return value


class Matrix:
    """Asks each endpoint as one relation and writes down the answer."""

    def __init__(self, client: httpx.AsyncClient, stack) -> None:
        self.client, self.stack = client, stack

    async def _get(self, service: str, path: str, who: str | None, **params) -> httpx.Response:
        return await self.client.get(f"{self.stack.url(service)}{path}", headers=_key(who), params=params)

    async def row(self, who: str | None, reference: str, referral_id: str,
                  case_id: str | None) -> tuple[str, ...]:
        """One relation's answers; `200+` is a referral that came with the contact's details."""
        cases = await self._get("casework", "/v1/cases", who, reference=reference)
        referral = await self._get("referral", f"/v1/referrals/{referral_id}", who)
        answers = [
            (await self._get("intake", f"/v1/contacts/{reference}", who)).status_code,
            (await self._get("intake", f"/v1/contacts/{reference}/audit", who)).status_code,
            (await self._get("triage", f"/v1/triage/{reference}", who)).status_code,
            ("[]" if cases.status_code == 200 and not cases.json()["items"] else cases.status_code),
            (await self._get("casework", f"/v1/cases/{case_id}", who)).status_code if case_id else "-",
            (await self._get("casework", f"/v1/cases/{case_id}/letters/acknowledgement",
                             who)).status_code if case_id else "-",
            "200+" if referral.status_code == 200 and referral.json().get("details") else referral.status_code,
        ]
        return tuple(str(a) for a in answers)

    async def ask(self, asks: tuple[Ask, ...], who: str | None, targets: dict) -> tuple[str, ...]:
        """One relation's answers to a group of endpoints; `-` where the relation has no such target."""
        answers = []
        for ask in asks:
            if any(targets.get(name) is None for name in ask.needs()):
                answers.append("-")
                continue
            url = f"{self.stack.url(ask.service)}{ask.path.format(**targets)}"
            sent = {"files": {"file": PDF}} if ask.upload else {}
            if ask.body is not None:
                sent["json"] = _filled(ask.body, targets)
            response = await self.client.request(ask.method, url, headers=_key(who), params=ask.params, **sent)
            answers.append(ask.answer(response, targets))
        return tuple(answers)


def _table(title: str, columns: tuple[str, ...], rows: dict[str, tuple[str, ...]]) -> str:
    width = max(len(r) for r in rows)
    lines = [title, f"{'relation':<{width}}  " + "  ".join(f"{c:>9}" for c in columns)]
    lines += [f"{r:<{width}}  " + "  ".join(f"{a:>9}" for a in answers) for r, answers in rows.items()]
    return "\n".join(lines)


def _columns(asks: tuple[Ask, ...]) -> tuple[str, ...]:
    return tuple(a.column for a in asks)


def _expand(short: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Expected rows written as space-separated answers, for tables that fit a screen."""
    return {relation: tuple(answers.split()) for relation, answers in short.items()}


async def test_each_relation_sees_exactly_what_the_access_table_allows(stack):
    async with httpx.AsyncClient(timeout=15) as client:
        matrix = Matrix(client, stack)

        async def post(who: str = PALS, advocacy: bool = True, **payload) -> str:
            posted = await client.post(f"{stack.url('intake')}/v1/contacts", headers=_key(who),
                                       json=contact_payload(wants_advocacy=advocacy, **payload))
            assert posted.status_code == 202, posted.text
            return posted.json()["reference"]

        joint = await post(concerns=[{"organisation_id": COUNCIL}, {"service_type": "social_care", "area": "west-sussex"},
                                     {"organisation_id": HOSPITAL}],
                           description="My father came home from hospital without the home care the council promised.")
        consented = await post(consent_to_share=True)
        # The council's own contact: its case is the one the joint case is linked to.
        own = await post(COUNCIL, advocacy=False, description="My mother's care visits were cut without notice.")
        # Harm on the hospital's ward, in West Sussex: the county council's safeguarding team is asked.
        harm = await post(HOSPITAL, advocacy=False, safeguarding_concern=True,
                          concerns=[{"organisation_id": HOSPITAL, "area": "west-sussex"}],
                          description="The night staff shout at my mother and there are marks on her arm.")

        async def referral_to(organisation: str, reference: str, purpose: str) -> dict | None:
            items = (await matrix._get("referral", "/v1/referrals", organisation, reference=reference)).json()["items"]
            return next((r for r in items if r["to_organisation"] == organisation and r["purpose"] == purpose), None)

        async def proposals_seen_by_intake(reference: str, count: int) -> bool:
            view = (await matrix._get("intake", f"/v1/contacts/{reference}", PALS)).json()
            return [s["type"] for s in view["journey"]].count("nwd.referral.proposed.v1") >= count

        lead = await eventually(lambda: referral_to(COUNCIL, joint, "joint"), timeout=30)
        part = await eventually(lambda: referral_to(HOSPITAL, joint, "joint"), timeout=30)
        advocacy = await eventually(lambda: referral_to(ADVOCACY, joint, "advocacy"), timeout=30)
        advocacy_with_consent = await eventually(lambda: referral_to(ADVOCACY, consented, "advocacy"), timeout=30)
        # Intake has heard of every proposal, so a 404 below is the rule, not a projection lagging.
        await eventually(lambda: proposals_seen_by_intake(joint, 3), timeout=30)
        await eventually(lambda: proposals_seen_by_intake(consented, 2), timeout=30)

        pending = {
            "receiving organisation (interim owner)": (PALS, await matrix.row(PALS, joint, lead["id"], None)),
            "addressed, pending (responsible)": (COUNCIL, await matrix.row(COUNCIL, joint, lead["id"], None)),
            "ombudsman before escalation": (OMBUDSMAN, await matrix.row(OMBUDSMAN, joint, lead["id"], None)),
        }
        pending_intake = {relation: await matrix.ask(INTAKE, who, {"reference": joint})
                          for relation, (who, _) in pending.items()}
        pending = {relation: answers for relation, (_, answers) in pending.items()}
        print("\n" + _table(f"{joint} while the referral to {COUNCIL} is pending", COLUMNS, pending))
        print(_table(f"{joint} while pending: the complaint at intake", _columns(INTAKE), pending_intake))

        for referral, organisation in ((lead, COUNCIL), (part, HOSPITAL)):
            answered = await client.post(f"{stack.url('referral')}/v1/referrals/{referral['id']}/accept",
                                         headers=_key(organisation))
            assert answered.status_code == 200, answered.text

        async def case_of(reference: str, contributors: list[str]) -> dict | None:
            items = (await matrix._get("casework", "/v1/cases", COUNCIL, reference=reference)).json()["items"]
            return items[0] if items and items[0]["contributors"] == contributors else None

        case_id = (await eventually(lambda: case_of(joint, [HOSPITAL]), timeout=30))["id"]
        other_case_id = (await eventually(lambda: case_of(own, []), timeout=30))["id"]
        for action, body in (("acknowledge", {}), ("response", RESPONSE),
                             ("escalate", {"reason": "The complainant remains dissatisfied"})):
            done = await client.post(f"{stack.url('casework')}/v1/cases/{case_id}/{action}", headers=_key(COUNCIL),
                                     json=body)
            assert done.status_code == 200, done.text
        ombudsman = await eventually(lambda: referral_to(OMBUDSMAN, joint, "ombudsman"), timeout=30)
        await eventually(lambda: proposals_seen_by_intake(joint, 4), timeout=30)

        relations = {  # relation: (who asks, the contact, the referral it holds, the case)
            "receiving organisation": (PALS, joint, lead["id"], case_id),
            "addressed, accepted: owner": (COUNCIL, joint, lead["id"], case_id),
            "owner's handler (ana.patel)": (ANA, joint, lead["id"], case_id),
            "owner's reports only (rob.reid)": (ROB, joint, lead["id"], case_id),
            "owner's webhook-only key": (HOOKS, joint, lead["id"], case_id),
            "contributor": (HOSPITAL, joint, part["id"], case_id),
            "advocacy without consent": (ADVOCACY, joint, advocacy["id"], case_id),
            "advocacy with consent": (ADVOCACY, consented, advocacy_with_consent["id"], None),
            "ombudsman after escalation": (OMBUDSMAN, joint, ombudsman["id"], case_id),
            "unrelated organisation": (STRANGER, joint, lead["id"], case_id),
            "no key": (None, joint, lead["id"], case_id),
        }
        after = {relation: await matrix.row(*asked) for relation, asked in relations.items()}
        print(_table(f"{joint} after acceptance, response and escalation", COLUMNS, after))
        trail = (await matrix._get("intake", f"/v1/contacts/{joint}/audit", COUNCIL)).json()

        # What the owner has on file by now: a note, a document, and the ombudsman's stage with one of each.
        file_path = f"{stack.url('casework')}/v1/cases/{case_id}"
        note = await client.post(f"{file_path}/notes", headers=_key(COUNCIL), json={"text": "The case opened."})
        document = await client.post(f"{file_path}/documents", headers=_key(COUNCIL), files={"file": PDF})
        assert (note.status_code, document.status_code) == (201, 201), (note.text, document.text)
        life = {ask.column: ask.body for ask in LIFE}
        for step, body in (("enquiry", life["enquiry"]), ("information-requests", life["+info"]),
                           ("decision", life["decision"]), ("remedies", life["+remedy"])):
            done = await client.post(f"{file_path}/ombudsman/{step}", headers=_key(COUNCIL), json=body)
            assert done.status_code == 200, done.text

        async def concern_for_the_council() -> bool:
            return (await matrix._get("triage", f"/v1/safeguarding-concerns/{harm}", COUNCIL)).status_code == 200

        await eventually(concern_for_the_council, timeout=60)
        shared = {"other_case_id": other_case_id, "note_id": note.json()["id"],
                  "document_id": document.json()["id"], "concern": harm}
        groups = {title: {} for title in GROUPS}
        for relation, (who, reference, _, case) in relations.items():
            targets = {**shared, "reference": reference, "case_id": case}
            for title, asks in GROUPS.items():
                groups[title][relation] = await matrix.ask(asks, who, targets)
        for title, rows in groups.items():
            print(_table(f"{joint} after escalation: {title}", _columns(GROUPS[title]), rows))
        # `ok` was work done: the notes the owner's staff and the contributor added are on file.
        notes = (await client.get(f"{file_path}/notes", headers=_key(COUNCIL))).json()["items"]
        # The handler withdrew the case and may not reopen it: the council's own key does.
        reopened = await client.post(f"{file_path}/reopen", headers=_key(COUNCIL), json={"reason": WHY})
        assert reopened.status_code == 200 and reopened.json()["status"] == "escalated", reopened.text

    # contact, audit, triage, cases?ref, case, letter, referral ("200+": with the contact's details)
    assert pending == {
        "receiving organisation (interim owner)": ("200", "200", "200", "[]", "-", "-", "200"),
        "addressed, pending (responsible)": ("200", "404", "200", "[]", "-", "-", "200+"),
        "ombudsman before escalation": ("404", "404", "404", "[]", "-", "-", "404"),
    }
    assert pending_intake == _expand({  # complaint, consent, details
        "receiving organisation (interim owner)": "200 ok ok",
        "addressed, pending (responsible)": "404 404 404",
        "ombudsman before escalation": "404 404 404",
    })
    assert after == {
        "receiving organisation": ("200", "404", "200", "[]", "404", "404", "200"),
        "addressed, accepted: owner": ("200", "200", "200", "200", "200", "200", "200+"),
        "owner's handler (ana.patel)": ("200", "403", "200", "200", "200", "200", "200+"),
        # Reports only, and a webhook-only key: no personal data (403), the referral without the contact's details.
        "owner's reports only (rob.reid)": ("403", "403", "403", "403", "403", "403", "200"),
        "owner's webhook-only key": ("403", "403", "403", "403", "403", "403", "200"),
        "contributor": ("200", "404", "200", "200", "200", "403", "200+"),
        "advocacy without consent": ("404", "404", "404", "[]", "404", "404", "200"),
        "advocacy with consent": ("200", "404", "404", "[]", "-", "-", "200+"),
        "ombudsman after escalation": ("200", "404", "404", "[]", "404", "404", "200+"),
        "unrelated organisation": ("404", "404", "404", "[]", "404", "404", "404"),
        "no key": ("401", "401", "401", "401", "401", "401", "401"),
    }
    # Intake's trail names everyone it let read the contact, and no one it refused.
    readers = {e["organisation_id"] for e in trail if e["action"] == "read"}
    assert readers == {PALS, COUNCIL, HOSPITAL, OMBUDSMAN}, readers
    assert groups == {title: _expand(rows) for title, rows in EXPECTED.items()}
    assert sorted((n["author"]["organisation_id"], n["author"]["person_id"] or "") for n in notes) == [
        (HOSPITAL, ""), (COUNCIL, ""), (COUNCIL, ""), (COUNCIL, "ana.patel")]


NOBODY = {relation: None for relation in ("advocacy without consent", "ombudsman after escalation",
                                          "unrelated organisation")}
EXPECTED = {
    "the complaint at intake": {  # complaint, consent, details
        "receiving organisation": "200 ok ok",
        "addressed, accepted: owner": "200 ok ok",
        "owner's handler (ana.patel)": "200 ok ok",
        "owner's reports only (rob.reid)": "403 403 403",
        "owner's webhook-only key": "403 403 403",
        "contributor": "200 403 403",
        "advocacy without consent": "404 404 404",
        "advocacy with consent": "404 404 404",
        "ombudsman after escalation": "200 403 403",
        "unrelated organisation": "404 404 404",
        "no key": "401 401 401",
    },
    "queues and assignment": {  # list, search, queues, assign, history
        "receiving organisation": "[] [] 200 404 404",
        "addressed, accepted: owner": "200 200 200 ok 200",
        "owner's handler (ana.patel)": "200 200 200 403 200",
        "owner's reports only (rob.reid)": "200 403 200 403 403",
        "owner's webhook-only key": "200 403 200 403 403",
        "contributor": "200 [] 200 404 404",
        "advocacy without consent": "[] [] 200 404 404",
        "advocacy with consent": "- - 200 - -",
        "ombudsman after escalation": "[] [] 200 404 404",
        "unrelated organisation": "[] [] 200 404 404",
        "no key": "401 401 401 401 401",
    },
    "the case file": {  # notes +note note docs +doc doc letters +letter links +link -link
        "receiving organisation": " ".join(["404"] * 11),
        "addressed, accepted: owner": "200 ok 200 200 ok 200 200 ok 200 ok ok",
        "owner's handler (ana.patel)": "200 ok 200 200 ok 200 200 ok 200 ok ok",
        "owner's reports only (rob.reid)": " ".join(["403"] * 11),
        "owner's webhook-only key": " ".join(["403"] * 11),
        "contributor": "200 ok 404 200 ok 404 200 ok 403 403 403",
        **{relation: " ".join(["404"] * 11) for relation in NOBODY},
        "advocacy with consent": " ".join(["-"] * 11),
        "no key": " ".join(["401"] * 11),
    },
    "the complaint's life": {
        # resolved oral limit withdraw reopen reply review final equality flag enquiry +info sent decision +remedy complied
        "receiving organisation": " ".join(["404"] * 16),
        "addressed, accepted: owner": " ".join(["ok"] * 16),
        "owner's handler (ana.patel)": "ok ok ok ok 403 ok 403 403 ok 403 ok ok ok ok ok ok",
        "owner's reports only (rob.reid)": " ".join(["403"] * 16),
        "owner's webhook-only key": " ".join(["403"] * 16),
        "contributor": " ".join(["403"] * 16),
        **{relation: " ".join(["404"] * 16) for relation in NOBODY},
        "advocacy with consent": " ".join(["-"] * 16),
        "no key": " ".join(["401"] * 16),
    },
    "triage and its review": {  # decisions, review, override
        "receiving organisation": "200 200 ok",
        "addressed, accepted: owner": "200 200 ok",
        "owner's handler (ana.patel)": "200 200 ok",
        "owner's reports only (rob.reid)": "403 403 403",
        "owner's webhook-only key": "403 403 403",
        "contributor": "200 200 ok",
        "advocacy without consent": "[] 200 404",
        "advocacy with consent": "[] 200 404",
        "ombudsman after escalation": "[] 200 404",
        "unrelated organisation": "[] 200 404",
        "no key": "401 401 401",
    },
    "safeguarding concerns": {  # concerns, concern, ack, outcome (the council's; the hospital received it)
        "receiving organisation": "[] 404 404 404",
        "addressed, accepted: owner": "200 200 ok ok",
        "owner's handler (ana.patel)": "200 200 ok ok",
        "owner's reports only (rob.reid)": "200 200 403 403",
        "owner's webhook-only key": "200 200 403 403",
        "contributor": "[] 200 403 403",
        "advocacy without consent": "[] 404 404 404",
        "advocacy with consent": "[] 404 404 404",
        "ombudsman after escalation": "[] 404 404 404",
        "unrelated organisation": "[] 404 404 404",
        "no key": "401 401 401 401",
    },
}
