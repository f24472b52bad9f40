"""Who may see what (docs/security.md), end to end over the real broker, as a table of answers.

A PALS receives a joint complaint about council home care and the hospital; the council leads, the
hospital contributes, an advocacy service is asked to support (no consent to share), the council
responds and the complainant escalates to the ombudsmen. A second contact, with consent, shows the
advocacy service what consent opens.
"""

from __future__ import annotations

import httpx
import pytest

from nwd_shared.testing import bearer, contact_payload, eventually

pytestmark = pytest.mark.e2e
PALS, COUNCIL, HOSPITAL = "uhsussex-pals", "wsx-council", "uhsussex"
ADVOCACY, OMBUDSMAN, STRANGER = "sussex-advocacy", "lgsco", "bh-council"
COLUMNS = ("contact", "audit", "triage", "cases?ref", "case", "letter", "referral")
RESPONSE = {
    "outcome": "partly_upheld", "desired_outcome_met": True,
    "issues": "The home care package did not start after discharge.", "investigation": "We read the records.",
    "evidence": "The discharge plan and the care package start date.", "findings": "The start was delayed.",
    "went_wrong": True, "impact": "Your father was without care for a week.", "apology": "We are sorry.",
    "actions": ["Packages are confirmed before discharge"], "signed_by": "Sam Senior, Director",
}


def _key(organisation: str | None) -> dict:
    return bearer(f"demo-{organisation}-key") if organisation else {}


class Matrix:
    """Asks each endpoint as one relation and writes down the answer."""

    def __init__(self, client: httpx.AsyncClient, stack) -> None:
        self.client, self.stack = client, stack

    async def _get(self, service: str, path: str, organisation: str | None, **params) -> httpx.Response:
        return await self.client.get(f"{self.stack.url(service)}{path}", headers=_key(organisation), params=params)

    async def row(self, organisation: str | None, reference: str, referral_id: str,
                  case_id: str | None) -> tuple[str, ...]:
        """One relation's answers; `200+` is a referral that came with the contact's details."""
        cases = await self._get("casework", "/v1/cases", organisation, reference=reference)
        referral = await self._get("referral", f"/v1/referrals/{referral_id}", organisation)
        answers = [
            (await self._get("intake", f"/v1/contacts/{reference}", organisation)).status_code,
            (await self._get("intake", f"/v1/contacts/{reference}/audit", organisation)).status_code,
            (await self._get("triage", f"/v1/triage/{reference}", organisation)).status_code,
            ("[]" if cases.status_code == 200 and not cases.json()["items"] else cases.status_code),
            (await self._get("casework", f"/v1/cases/{case_id}", organisation)).status_code if case_id else "-",
            (await self._get("casework", f"/v1/cases/{case_id}/letters/acknowledgement",
                             organisation)).status_code if case_id else "-",
            "200+" if referral.status_code == 200 and referral.json().get("details") else referral.status_code,
        ]
        return tuple(str(a) for a in answers)


def _table(title: str, rows: dict[str, tuple[str, ...]]) -> str:
    width = max(len(r) for r in rows)
    lines = [title, f"{'relation':<{width}}  " + "  ".join(f"{c:>9}" for c in COLUMNS)]
    lines += [f"{r:<{width}}  " + "  ".join(f"{a:>9}" for a in answers) for r, answers in rows.items()]
    return "\n".join(lines)


async def test_each_relation_sees_exactly_what_the_access_table_allows(stack):
    async with httpx.AsyncClient(timeout=15) as client:
        matrix = Matrix(client, stack)

        async def post(**payload) -> str:
            posted = await client.post(f"{stack.url('intake')}/v1/contacts", headers=_key(PALS),
                                       json=contact_payload(wants_advocacy=True, **payload))
            assert posted.status_code == 202, posted.text
            return posted.json()["reference"]

        joint = await post(concerns=[{"organisation_id": COUNCIL}, {"service_type": "social_care", "area": "west-sussex"},
                                     {"organisation_id": HOSPITAL}],
                           description="My father came home from hospital without the home care the council promised.")
        consented = await post(consent_to_share=True)

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
            "receiving organisation (interim owner)": await matrix.row(PALS, joint, lead["id"], None),
            "addressed, pending (responsible)": await matrix.row(COUNCIL, joint, lead["id"], None),
            "ombudsman before escalation": await matrix.row(OMBUDSMAN, joint, lead["id"], None),
        }
        print("\n" + _table(f"{joint} while the referral to {COUNCIL} is pending", pending))

        for referral, organisation in ((lead, COUNCIL), (part, HOSPITAL)):
            answered = await client.post(f"{stack.url('referral')}/v1/referrals/{referral['id']}/accept",
                                         headers=_key(organisation))
            assert answered.status_code == 200, answered.text

        async def case() -> dict | None:
            items = (await matrix._get("casework", "/v1/cases", COUNCIL, reference=joint)).json()["items"]
            return items[0] if items and items[0]["contributors"] == [HOSPITAL] else None

        case_id = (await eventually(case, timeout=30))["id"]
        for action, body in (("acknowledge", {}), ("response", RESPONSE),
                             ("escalate", {"reason": "The complainant remains dissatisfied"})):
            done = await client.post(f"{stack.url('casework')}/v1/cases/{case_id}/{action}", headers=_key(COUNCIL),
                                     json=body)
            assert done.status_code == 200, done.text
        ombudsman = await eventually(lambda: referral_to(OMBUDSMAN, joint, "ombudsman"), timeout=30)
        await eventually(lambda: proposals_seen_by_intake(joint, 4), timeout=30)

        after = {
            "receiving organisation": await matrix.row(PALS, joint, lead["id"], case_id),
            "addressed, accepted: owner": await matrix.row(COUNCIL, joint, lead["id"], case_id),
            "contributor": await matrix.row(HOSPITAL, joint, part["id"], case_id),
            "advocacy without consent": await matrix.row(ADVOCACY, joint, advocacy["id"], case_id),
            "advocacy with consent": await matrix.row(ADVOCACY, consented, advocacy_with_consent["id"], None),
            "ombudsman after escalation": await matrix.row(OMBUDSMAN, joint, ombudsman["id"], case_id),
            "unrelated organisation": await matrix.row(STRANGER, joint, lead["id"], case_id),
            "no key": await matrix.row(None, joint, lead["id"], case_id),
        }
        print(_table(f"{joint} after acceptance, response and escalation", after))
        trail = (await matrix._get("intake", f"/v1/contacts/{joint}/audit", COUNCIL)).json()

    # contact, audit, triage, cases?ref, case, letter, referral ("200+": with the contact's details)
    assert pending == {
        "receiving organisation (interim owner)": ("200", "200", "200", "[]", "-", "-", "200"),
        "addressed, pending (responsible)": ("200", "404", "200", "[]", "-", "-", "200+"),
        "ombudsman before escalation": ("404", "404", "404", "[]", "-", "-", "404"),
    }
    assert after == {
        "receiving organisation": ("200", "404", "200", "[]", "404", "404", "200"),
        "addressed, accepted: owner": ("200", "200", "200", "200", "200", "200", "200+"),
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
