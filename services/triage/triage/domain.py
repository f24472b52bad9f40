"""Triage rules: safeguarding first, then the route and who is responsible. Data in, decision out.

Sources: seed 003 §3.1-3.3 and Appendix 2, seed 000, Regulations 2009 regs 5, 8 and 12 (see
docs/domain.md, section Triage). Every decision carries its reasons in plain English and never
quotes the contact: the words that triggered a safeguarding sign are kept as evidence, apart.
The safeguarding model's assessment is passed in (the caller scores a batch together): a contact
is flagged when a rule fires or the model flags it, and possible safeguarding asks a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from nwd_shared import events as ev
from nwd_shared.calendar import add_months, local_date
from nwd_shared.directory import Directory
from triage.appendix2 import former_provider_at_risk, same_acts
from triage.responsibility import Responsibility, resolve, safeguarding_council
from triage.rules.cues import complaint_sentences, says
from triage.rules.safeguarding import CATEGORIES, UNSPECIFIED, Reading, Sign, label, read

if TYPE_CHECKING:
    from triage.semantic.model import Assessment

# Routes under which the complaints procedure applies, so the person's consent matters.
_COMPLAINT_ROUTES = ev.CASE_ROUTES | {"pals"}
_ORAL = frozenset({"phone", "in_person"})
# Harm someone does (not neglect or a regime): complaining of it is complaining of that person's conduct.
_DONE_BY_SOMEONE = frozenset(CATEGORIES) - {"neglect", "organisational", "self_neglect"} | {UNSPECIFIED}
_ROUTE_WORDS = {
    "complaint": "complaint", "safeguarding": "safeguarding only", "split": "safeguarding and a separate complaint",
    "suspended": "complaint suspended for safeguarding", "day_to_day": "day-to-day business",
    "pals": "PALS", "feedback": "feedback",
}


@dataclass(frozen=True)
class Decision:
    """A triage decision with the reasons a person can read and override."""

    route: ev.Route
    responsible_organisations: list[str]
    reasons: list[str]
    safeguarding_categories: list[str] = field(default_factory=list)
    out_of_time: bool = False
    needs_consent: bool = False
    needs_review: bool = False
    wants_advocacy: bool = False
    consent_to_share: bool = False
    areas: list[str] = field(default_factory=list)
    concern_count: dict[str, int] = field(default_factory=dict)
    safeguarding_council: str | None = None
    # The words that triggered each safeguarding sign: personal, so kept out of events.
    evidence: list[dict[str, str]] = field(default_factory=list)
    summary: str = ""
    # No rule fired but the model's probability is between its thresholds: procedures start
    # provisionally and a person confirms or clears it by overriding the route.
    possible_safeguarding: bool = False
    # The model's view: probability, level, suspected_category and the nearest labelled examples.
    model: dict[str, Any] | None = None


@dataclass
class _Notes:
    """Reasons and the review flag, gathered as the rules run."""

    reasons: list[str] = field(default_factory=list)
    review: bool = False

    def add(self, reason: str, *, review: bool = False) -> None:
        self.reasons.append(reason)
        self.review |= review


def contact_text(contact: ev.ContactReceivedData) -> str:
    """What the rules and the model read: the description, the concerns' summaries, the outcome."""
    return "\n".join([contact.description, *(c.summary or "" for c in contact.concerns),
                      contact.desired_outcome or ""])


def triage(contact: ev.ContactReceivedData, directory: Directory, assessment: Assessment | None = None) -> Decision:
    """Decide the route, the responsible organisations and the flags of a contact."""
    notes = _Notes()
    received_on = local_date(contact.received_at)
    text = contact_text(contact)
    reading = read(text, received_on=received_on, cared_for=contact.kind == "complaint")
    _keep_former_provider(reading, text, notes)
    found = _safeguarding(contact, reading, notes)
    found, possible = _weigh_model(contact, assessment, found, notes)
    responsible = resolve(contact.concerns, received_by=contact.received_by, directory=directory)
    if found is not None:
        route = _safeguarding_route(contact, reading, found, notes)
    else:
        route = _route(contact, reading, responsible, directory, notes)
    for reason in responsible.reasons:
        notes.add(reason)
    notes.review |= responsible.needs_review
    council = None
    if route in ev.SAFEGUARDING_ROUTES:
        org, why, review = safeguarding_council(contact.concerns, responsible, received_by=contact.received_by,
                                                directory=directory)
        council = org.id if org is not None else None
        notes.add(f"Safeguarding referral: {why}", review=review)
    out_of_time = _out_of_time(contact, route, notes)
    needs_consent = _needs_consent(contact, route, notes)
    if contact.wants_advocacy:
        notes.add("The person would like an advocate: offer a referral to independent advocacy (seed 003 §2.12)")
    categories = [c for c in CATEGORIES if c in (found or {})]
    return Decision(
        route=route, responsible_organisations=responsible.organisations, reasons=notes.reasons,
        safeguarding_categories=categories, out_of_time=out_of_time, needs_consent=needs_consent,
        needs_review=notes.review, wants_advocacy=contact.wants_advocacy,
        consent_to_share=contact.consent_to_share, areas=responsible.areas,
        concern_count=responsible.concern_count, safeguarding_council=council,
        evidence=_evidence(reading, found or {}),
        summary=summarise(route, categories, responsible, out_of_time=out_of_time, possible=possible),
        possible_safeguarding=possible, model=model_view(assessment) if assessment is not None else None,
    )


def _keep_former_provider(reading: Reading, text: str, notes: _Notes) -> None:
    """Harm at a former provider while others may still be at risk there is current, not history."""
    if not reading.past or not former_provider_at_risk(text):
        return
    for sign in reading.past:
        bucket = reading.possible if sign.possible else reading.found
        bucket.setdefault(sign.category, []).append(sign)
    for category in reading.found:
        reading.possible.pop(category, None)
    reading.past = []
    notes.add("The harm was at a former provider, but others may still be at risk there: a current concern, "
              "not history (domain.md, Triage)")


def _weigh_model(contact: ev.ContactReceivedData, assessment: Assessment | None, found: dict[str, list[Sign]] | None,
                 notes: _Notes) -> tuple[dict[str, list[Sign]] | None, bool]:
    """The model beside the rules: it flags, asks a person (possible), or only explains."""
    if assessment is None:
        return found, False
    probability = f"{assessment.probability:.2f}"
    suspected = assessment.suspected_category or UNSPECIFIED
    if found is not None or assessment.level == "none":
        agrees = {"flag": "agrees", "possible": "partly agrees", "none": "sees no sign of abuse or neglect"}
        notes.add(f"The safeguarding model's probability is {probability} ({assessment.level}): it "
                  f"{agrees[assessment.level]}" + ("; the rules decide" if found is not None else ""))
        return found, False
    staff = (" Staff judged there is no safeguarding concern, but safeguarding comes first."
             if contact.safeguarding_concern is False else "")
    if assessment.level == "flag":
        notes.add(f"Safeguarding: no rule fired, but the model's probability {probability} suggests "
                  f"{label(suspected)}: procedures start (seed 003 §3.1); a person should confirm the "
                  f"category.{staff}", review=True)
        return {suspected: []}, False
    notes.add(f"Possible safeguarding: the model's probability {probability} suggests {label(suspected)}; "
              "procedures start provisionally; a person confirms or clears it by overriding the route."
              f"{staff}", review=True)
    return {suspected: []}, True


def model_view(assessment: Assessment) -> dict[str, Any]:
    """The model's assessment as stored and shown: no personal data, only corpus example ids."""
    return {
        "probability": assessment.probability, "level": assessment.level,
        "suspected_category": assessment.suspected_category,
        "nearest": [{"id": n.id, "similarity": n.similarity, "safeguarding": n.safeguarding,
                     "categories": list(n.categories)} for n in assessment.nearest],
    }


def _safeguarding(contact: ev.ContactReceivedData, reading: Reading, notes: _Notes) -> dict[str, list[Sign]] | None:
    """The safeguarding categories that apply, or None when safeguarding procedures do not start."""
    flag = contact.safeguarding_concern
    found = dict(reading.found)
    if flag is True and reading.possible:
        found.update(reading.possible)
        notes.add("Staff flagged a safeguarding concern, so the possible signs count: "
                  + "; ".join(label(c) for c in reading.possible))
    for category in [c for c in CATEGORIES if c in found]:
        means = "; ".join(dict.fromkeys(s.means for s in found[category]))
        notes.add(f"Safeguarding: the contact indicates {label(category)} ({means})")
    if UNSPECIFIED in found:
        notes.add("Safeguarding: the contact describes abuse without saying what kind: a person should "
                  "name the category", review=True)
    if flag is not True:
        for category, signs in reading.possible.items():
            means = "; ".join(dict.fromkeys(s.means for s in signs))
            if flag is False:
                notes.add(f"Possible {label(category)} ({means}) noted; staff judged there is no "
                          "safeguarding concern")
            else:
                why = ("no harm is described, and poor care without harm is not safeguarding"
                       if category == "neglect" else "not enough on its own to indicate abuse")
                notes.add(f"Possible {label(category)} ({means}): {why}; a person should check", review=True)
    # Only indicators are worth a reason here: a possible sign in the past or denied says little.
    for category in dict.fromkeys(s.category for s in reading.past if not s.possible):
        if category not in found:
            notes.add(f"Mentions {label(category)} in the past or already resolved: not a current "
                      "concern, so not treated as safeguarding")
    for category in dict.fromkeys(s.category for s in reading.denied if not s.possible):
        if category not in found and category not in reading.possible:
            notes.add(f"Says there was no {label(category)}: not treated as safeguarding")
    if not found:
        if flag is True:
            notes.add("Staff flagged a safeguarding concern though the description names none: safeguarding "
                      "procedures start (seed 003 §3.1); a person should name the categories", review=True)
            return {}
        return None
    if flag is False:
        notes.add("Staff judged there is no safeguarding concern, but the description indicates one: "
                  "safeguarding comes first (seed 003 §3.1), so procedures start; a person should review",
                  review=True)
    elif flag is True:
        notes.add("Staff flagged a safeguarding concern and the description agrees")
    return found


def _safeguarding_route(contact: ev.ContactReceivedData, reading: Reading, found: dict[str, list[Sign]],
                        notes: _Notes) -> ev.Route:
    """Appendix 2: safeguarding only; both, divided (split, the default); or suspended when the
    complaint is entwined with the harm and investigating it may compromise the enquiry."""
    if contact.kind in ("compliment", "comment"):
        notes.add(f"A {contact.kind} with safeguarding issues: local safeguarding arrangements; no "
                  "complaint case (seed 003 Appendix 2)")
        return "safeguarding"
    signs = [s for group in found.values() for s in group]
    complaint_at = complaint_sentences(reading.sentences)
    asks = says("outcome", contact.desired_outcome)
    # Dissatisfaction in sentences that describe no harm: a complaint matter of its own.
    separate = {i for i in complaint_at - reading.sign_sentences() if not _only_announces(reading.sentences[i])}
    compromise = same_acts(contact_text(contact))
    if not signs:  # staff's flag or the model: the words do not say who caused the harm
        return _route_unknown_harm(contact, reading, bool(separate or asks), compromise, notes)
    actors = {reading.actor_of(s) for s in signs}
    if actors == {"private"}:
        if separate or asks:
            notes.add("Safeguarding and complaint issues are separable: the harm is by someone outside any "
                      "service and the complaint is about something else, so each part follows its own "
                      "procedure (seed 003 Appendix 2)")
            return "split"
        return _safeguarding_only(contact, reading, notes, "the harm is by someone outside any service")
    if not (contact.kind == "complaint" or complaint_at or asks):
        return _safeguarding_only(contact, reading, notes, "no complaint is made")
    if compromise:
        notes.add(f"The complaint is entwined with the safeguarding issues and investigating it may compromise "
                  f"the enquiry ({compromise}): the complaint is proposed suspended until safeguarding "
                  "procedures are complete; a person should confirm (seed 003 Appendix 2)", review=True)
        return "suspended"
    if separate or asks:
        notes.add("Safeguarding and complaint issues are both present and can be divided: the harm goes to the "
                  "safeguarding enquiry and the other complaint matters follow the complaints procedure; a "
                  "safeguarding enquiry does not by itself suspend a complaint (seed 003 Appendix 2)")
        return "split"
    if not {s.category for s in signs} & _DONE_BY_SOMEONE:
        notes.add("The complaint and the safeguarding concern are about the same care (neglect or the way a "
                  "service is run), but nothing indicates that investigating the complaint may compromise the "
                  "enquiry: divided, each part following its own procedure; a safeguarding enquiry does not by "
                  "itself suspend a complaint (seed 003 Appendix 2)")
        return "split"
    who = ("the complaint is about the very conduct of the staff said to have caused the harm"
           if "service" in actors else "the complaint is about harm in the care complained of, by someone not named")
    notes.add(f"The complaint is inextricably entwined with the safeguarding issues ({who}), so investigating it "
              "would go over the acts the enquiry looks at and may compromise it: the complaint is proposed "
              "suspended until safeguarding procedures are complete; a person should confirm "
              "(seed 003 Appendix 2)", review=True)
    return "suspended"


def _route_unknown_harm(contact: ev.ContactReceivedData, reading: Reading, complains: bool, compromise: str | None,
                        notes: _Notes) -> ev.Route:
    """Appendix 2 when no sign says who caused the harm (a staff flag, or the model alone)."""
    if compromise and (complains or "service" in reading.actors):
        notes.add(f"A complaint with a safeguarding concern, and investigating it may compromise the enquiry "
                  f"({compromise}): the complaint is proposed suspended until safeguarding is complete; a "
                  "person should confirm (seed 003 Appendix 2)", review=True)
        return "suspended"
    if complains:
        notes.add("Safeguarding and complaint issues, but the words do not say who caused the harm: divided by "
                  "default, each part following its own procedure; a person should check whether they are "
                  "entwined (seed 003 Appendix 2)", review=True)
        return "split"
    if contact.kind == "complaint" and "service" in reading.actors:
        notes.add("A complaint naming a service, with a safeguarding concern whose details are not known: the "
                  "complaint is proposed suspended until a person has looked at it (seed 003 Appendix 2)",
                  review=True)
        return "suspended"
    return _safeguarding_only(contact, reading, notes, "no complaint about a service is made")


def _safeguarding_only(contact: ev.ContactReceivedData, reading: Reading, notes: _Notes, why: str) -> ev.Route:
    """Safeguarding issues only: local safeguarding arrangements, and no complaint case."""
    if contact.kind == "complaint":
        names = ", but it names a service" if "service" in reading.actors else ""
        notes.add(f"Safeguarding issues only ({why}): local safeguarding arrangements; filed as a complaint"
                  f"{names}, yet it raises nothing to complain about a service, so no complaint case opens; a "
                  "person should check (seed 003 Appendix 2)", review=True)
    else:
        notes.add(f"Safeguarding issues only ({why}): local safeguarding arrangements; no complaint case "
                  "(seed 003 Appendix 2)")
    return "safeguarding"


def _only_announces(sentence: str) -> bool:
    """'I want to make a complaint': it says a complaint is made, not what it is about."""
    return not complaint_sentences([sentence.replace("complain", "")]) and len(sentence.split()) <= 12


def _route(contact: ev.ContactReceivedData, reading: Reading, responsible: Responsibility,
           directory: Directory, notes: _Notes) -> ev.Route:
    """Without safeguarding: feedback, day-to-day business, PALS or a complaint."""
    complaint_at = complaint_sentences(reading.sentences)
    if contact.kind in ("compliment", "comment"):
        notes.add(f"A {contact.kind}: recorded as feedback for learning (seed 003 §4.1)")
        if says("strong_complaint", contact.description):
            notes.add(f"Recorded as a {contact.kind}, but it reads as a complaint: a person should check",
                      review=True)
        return "feedback"
    if says("compliment", contact.description) and not complaint_at and not says("contrast", contact.description):
        notes.add(f"Recorded as a {contact.kind}, but it reads as a compliment with no dissatisfaction: "
                  "recorded as feedback; a person should check", review=True)
        return "feedback"
    why_complaint = "A complaint: the complaints procedure applies (seed 003 §3.3)"
    if contact.resolved_at_first_contact:
        if contact.channel in _ORAL:
            notes.add("Made orally and put right at first contact: day-to-day business, noted on the person's "
                      "record; not a complaint under the Regulations (reg 8; seed 003 §3.2)")
            return "day_to_day"
        written = contact.channel in ("email", "letter", "web")
        how = "in writing" if written else f"by {contact.channel}"
        why_complaint = f"Put right at first contact, but made {how}: a complaint (seed 003 §3.3)"
        if not written:
            notes.add("Whether the contact was made orally is not known: a person should check", review=True)
    if contact.immediate_issue:
        pals = [directory.pals_of(o) for o in responsible.organisations]
        if pals and all(pals):
            names = ", ".join(p.id for p in pals if p is not None)
            notes.add(f"An immediate problem about ongoing care: {names} can sort it out quickly with the staff "
                      "responsible; it comes back as a complaint if PALS cannot resolve it (seed 000)")
            return "pals"
        notes.add("An immediate problem about ongoing care, but the responsible body has no PALS: a complaint, "
                  "for the staff responsible to act on at once (seed 000)")
        return "complaint"
    notes.add(why_complaint)
    return "complaint"


def _out_of_time(contact: ev.ContactReceivedData, route: str, notes: _Notes) -> bool:
    """Over 12 months since the events: flagged, never rejected (reg 12)."""
    received_on = local_date(contact.received_at)
    if contact.event_date is None or add_months(contact.event_date, 12) >= received_on:
        return False
    notes.add(f"The events were on {contact.event_date.isoformat()}, more than 12 months before the contact "
              f"was received on {received_on.isoformat()}: out of time unless there is good reason for the delay "
              "and a fair investigation is still possible (reg 12); flagged, not rejected")
    if route in ev.SAFEGUARDING_ROUTES:
        notes.add("The time limit does not apply to safeguarding")
    if says("noticed_later", contact.description):
        notes.add("The description suggests it came to the complainant's notice later: the 12 months run from "
                  "then (reg 12); a person should check", review=True)
    return True


def _needs_consent(contact: ev.ContactReceivedData, route: str, notes: _Notes) -> bool:
    """A representative or advocate: check the person knows of and agrees (seed 003 §2.11; reg 5)."""
    relationship = contact.complainant.relationship
    if relationship == "self" or route not in _COMPLAINT_ROUTES:
        return False
    who = "a representative" if relationship == "representative" else "an advocate"
    if says("deceased", contact.description):
        notes.add(f"Made by {who}, and the person affected appears to have died: consent cannot be asked, so "
                  "check the representative's standing instead (reg 5)")
    else:
        notes.add(f"Made by {who} for someone else: unless already known as their representative, check that "
                  "the person knows of and agrees with the complaint (seed 003 §2.11; reg 5)")
    return True


def _evidence(reading: Reading, found: dict[str, list[Sign]]) -> list[dict[str, str]]:
    rows = [(s, "found") for group in found.values() for s in group]
    rows += [(s, "possible") for group in reading.possible.values() for s in group if s.category not in found]
    rows += [(s, "past") for s in reading.past] + [(s, "denied") for s in reading.denied]
    return [{"category": s.category, "means": s.means, "words": s.words, "status": status} for s, status in rows]


def summarise(route: str, categories: list[str], responsible: Responsibility | None = None, *,
              organisations: list[str] | None = None, out_of_time: bool = False, possible: bool = False) -> str:
    """A short summary without personal data: route, categories, services, organisations."""
    parts = [("possible safeguarding, held for review: " if possible else "") + _ROUTE_WORDS.get(route, route)]
    if categories:
        parts.append("categories: " + ", ".join(label(c) for c in categories))
    if responsible is not None and responsible.service_types:
        parts.append(" and ".join(s.replace("_", " ") for s in responsible.service_types))
    orgs = organisations if organisations is not None else (responsible.organisations if responsible else [])
    if orgs:
        parts.append("responsible: " + ", ".join(orgs))
    if out_of_time:
        parts.append("out of time")
    return "; ".join(parts)
