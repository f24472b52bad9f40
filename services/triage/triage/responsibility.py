"""Which organisations are responsible for a contact's concerns, from the directory. No I/O.

Only responsible bodies ever own a first-tier complaint (contract.md): a concern naming a PALS
means its trust; one naming advocacy, an ombudsman or Healthwatch cannot be resolved from that
alone. A concern that cannot be resolved is never dropped: the receiving organisation stays
responsible for it until a person decides (domain.md, "No wrong door").
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from nwd_shared import events as ev
from nwd_shared.directory import Directory, Organisation

_SERVICE_WORDS = {"health": "health", "social_care": "social care"}
_KIND_WORDS = {"pals": "a PALS", "advocacy": "an advocacy service", "ombudsman": "an ombudsman",
               "healthwatch": "a Healthwatch"}


@dataclass
class Responsibility:
    """The responsible organisations, lead candidate first, and why."""

    organisations: list[str] = field(default_factory=list)
    concern_count: dict[str, int] = field(default_factory=dict)
    areas: list[str] = field(default_factory=list)
    service_types: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    needs_review: bool = False


def _name(org: Organisation) -> str:
    return f"{org.name} ({org.id})"


def _by_area(directory: Directory, service_type: str, area: str) -> tuple[Organisation | None, str, bool]:
    """The body answering for a service in an area: the council for social care; for health the
    trust, or the ICB as commissioner when there is no single trust. (org, reason, needs_review)."""
    candidates = directory.responsible_for(service_type, area)
    service = _SERVICE_WORDS.get(service_type, service_type)
    about = f"is about {service} in {area}"
    if service_type == "social_care":
        councils = [o for o in candidates if o.kind == "council"]
        if len(councils) == 1:
            return councils[0], f"{about}: the council there is {_name(councils[0])}", False
        return None, f"{about}, where no single council answers for it", True
    trusts = [o for o in candidates if o.kind == "nhs_trust"]
    if len(trusts) == 1:
        return trusts[0], f"{about}: the NHS trust there is {_name(trusts[0])}", False
    icbs = [o for o in candidates if o.kind == "icb"]
    if len(icbs) == 1:
        several = len(trusts) > 1
        why = "several NHS trusts serve the area" if several else "no NHS trust is listed there"
        return icbs[0], f"{about}: {_name(icbs[0])} commissions it ({why})", several
    return None, f"{about}, where no single body answers for it", True


def _resolve(directory: Directory, concern: ev.Concern, receiver: Organisation | None) -> tuple[Organisation | None, str, bool]:
    """One concern's responsible body: (org, reason, needs_review)."""
    if concern.organisation_id:
        org = directory.get(concern.organisation_id)
        if org is None:
            return None, f"names {concern.organisation_id}, which is not in the directory", True
        if org.kind == "pals" and org.serves:
            trust = directory.get(org.serves)
            return trust, f"names {_name(org)}; a PALS belongs to its trust, {_name(trust)}", False
        if org.is_responsible_body:
            if concern.service_type and concern.service_type not in org.responsible_for:
                service = _SERVICE_WORDS.get(concern.service_type, concern.service_type)
                return org, f"names {_name(org)} about {service}, which the directory does not list for it", True
            return org, f"names {_name(org)}", False
        if not (concern.service_type and concern.area):
            return None, f"names {_name(org)}, {_KIND_WORDS.get(org.kind, org.kind)}, never responsible for a complaint", True
    if concern.service_type and concern.area:
        org, why, review = _by_area(directory, concern.service_type, concern.area)
        return org, why, review
    if concern.service_type and receiver is not None and len(receiver.areas) == 1:
        org, why, review = _by_area(directory, concern.service_type, receiver.areas[0])
        return org, f"gives no area, so it is taken to be in the receiver's area; it {why}", review
    return None, "does not say which organisation or area it is about", True


def resolve(concerns: list[ev.Concern], *, received_by: str, directory: Directory) -> Responsibility:
    """Resolve every concern; the organisation with most concerns comes first."""
    result = Responsibility()
    receiver = directory.get(received_by)
    counts: Counter[str] = Counter()
    for number, concern in enumerate(concerns, start=1):
        org, why, review = _resolve(directory, concern, receiver)
        prefix = f"Concern {number}" if len(concerns) > 1 else "The concern"
        if org is None:
            holder = directory.receiving_body(received_by)  # holds an unresolved concern meanwhile
            result.reasons.append(f"{prefix} {why}: {holder} stays responsible until a person decides")
            counts[holder] += 1
        else:
            result.reasons.append(f"{prefix} {why}")
            counts[org.id] += 1
        result.needs_review |= review
        if concern.area and concern.area not in result.areas:
            result.areas.append(concern.area)
        service_type = concern.service_type or _service_of(org)
        if service_type and service_type not in result.service_types:
            result.service_types.append(service_type)
    order = {org: i for i, org in enumerate(counts)}  # first mention breaks ties
    result.organisations = sorted(counts, key=lambda o: (-counts[o], order[o]))
    result.concern_count = {o: counts[o] for o in result.organisations}
    holder = directory.get(result.organisations[0]) if result.organisations else None
    if holder is not None and not holder.is_responsible_body:
        result.reasons.append(f"{holder.id} is {_KIND_WORDS.get(holder.kind, holder.kind)}, not a responsible body: "
                              "it holds the contact only until a person names the responsible organisation")
        result.needs_review = True
    return result


def _service_of(org: Organisation | None) -> str | None:
    if org is not None and len(org.responsible_for) == 1:
        return org.responsible_for[0]
    return None


def safeguarding_council(
    concerns: list[ev.Concern], responsibility: Responsibility, *, received_by: str, directory: Directory
) -> tuple[Organisation | None, str, bool]:
    """The council responsible for safeguarding adults where the person is: (council, reason, review).

    The areas the concerns give come first (social care concerns before others), then a council
    among the responsible bodies, then a receiving council, then the areas the organisations cover.
    """
    def councils_in(areas: list[str]) -> list[Organisation]:
        found: list[Organisation] = []
        for area in areas:
            for org in directory.responsible_for("social_care", area):
                if org.kind == "council" and org not in found:
                    found.append(org)
        return found

    ordered = sorted(concerns, key=lambda c: c.service_type != "social_care")
    tiers = [
        ("the area the concern gives", councils_in([c.area for c in ordered if c.area])),
        ("a council responsible for the concerns",
         [o for o in map(directory.get, responsibility.organisations) if o is not None and o.kind == "council"]),
        ("the receiving council",
         [o for o in [directory.get(received_by)] if o is not None and o.kind == "council"]),
        ("the areas of the organisations involved",
         councils_in([a for o in map(directory.get, [*responsibility.organisations, received_by])
                      if o is not None for a in o.areas])),
    ]
    for how, councils in tiers:
        if councils:
            chosen = councils[0]
            if len(councils) == 1:
                return chosen, f"{_name(chosen)} is the council responsible for safeguarding adults ({how})", False
            others = ", ".join(c.id for c in councils[1:])
            return chosen, (f"{_name(chosen)} is asked to lead safeguarding, but the person's area is not "
                            f"certain ({how} also gives {others}): a person should confirm"), True
    return None, "no council responsible for safeguarding could be found: a person must refer it now", True
