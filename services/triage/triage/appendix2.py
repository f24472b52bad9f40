"""Two readings Appendix 2 needs that the safeguarding table does not give (seed 003 Appendix 2).

- Investigating the complaint may compromise the safeguarding enquiry: the police or an enquiry
  are looking at the same acts, or the complaint is about what the person said to have caused the
  harm did, or about its being hidden. Only then is a complaint suspended; otherwise it is divided.
- Harm at a former provider is a current concern while others may still be at risk there.

Kept apart from triage/rules/ (the readable safeguarding table) so that each can change alone;
the patterns match normalised text (lower case, no apostrophes), as the table's do.
"""

from __future__ import annotations

import re

from triage.rules.text import normalise

# (why, pattern): the first that matches is the reason given for suspending.
_COMPROMISE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("the police or an enquiry are looking into the same acts", re.compile(
        r"\bpolice\b|\barrested\b|\bcriminal\b|\bprosecut\w*|\bsafeguarding (?:enquiry|inquiry|investigation)\b"
        r"|\bsection 42\b|\bs ?42\b|\b(?:is|are|was|were|being) (?:now |still )?(?:being )?investigat\w*"
        r"|\b(?:cqc|the regulator) (?:is|are) (?:investigating|looking into)\b|\binquest\b|\bcoroner\b")),
    ("the complaint asks for action against the person said to have caused the harm", re.compile(
        r"\bdisciplin\w*|\bsack\w*|\b(?:be |been |get |got )fired\b|\bdismiss(?:ed|al)\b|\bstruck off\b"
        r"|\bsuspend(?:ed)? (?:her|him|them|the (?:carer|nurse|worker|staff member))\b|\bpunish\w*"
        r"|\b(?:she|he|they) (?:should|must) (?:not|never) (?:be allowed to )?work\b"
        r"|\bheld (?:to )?account\w*|\bstill (?:working|works) (?:there|with)\b")),
    ("the complaint is about the harm being hidden", re.compile(
        r"\bcover\w* (?:it |this |that |everything |things )?up\b|\bcover-?up\b|\blied\b|\bhid\b"
        r"|\bhidden\b|\bfalsif\w*|\b(?:changed|altered) the (?:notes|records?)\b|\bno record of\b")),
)

_FORMER_PROVIDER = re.compile(
    r"\b(?:her|his|their|my|our|mums?|dads?) (?:previous|old|former|last) (?:care home|home|carers?|agency"
    r"|placement|nursing home|provider|day centre|care company|supported living)\b"
    r"|\bbefore (?:she|he|they|we) moved\b|\b(?:moved|took|taken|got|get) (?:her|him|them|mum|dad) out\b"
    r"|\bno longer (?:there|lives there|at|with|goes|uses)\b|\bleft (?:that|the) (?:home|agency|placement)\b")
_OTHERS_AT_RISK = re.compile(
    r"\bother (?:residents|patients|people|clients|tenants|service users|vulnerable \w+)\b"
    r"|\b(?:anyone|someone) else\b|\bstill (?:there|working|works|employed|employs|looking after|caring for"
    r"|in charge|on (?:the )?(?:rota|shift|ward))\b|\b(?:could|might|will) happen (?:to|again)\b"
    r"|\bhappen(?:ing)? (?:to )?(?:someone|anyone|others|again)\b|\bothers (?:are|may be|might be|could be)\b")


def same_acts(text: str) -> str | None:
    """Why investigating the complaint may compromise the enquiry, or None when nothing says so."""
    normal = normalise(text)
    return next((why for why, pattern in _COMPROMISE if pattern.search(normal)), None)


def former_provider_at_risk(text: str) -> bool:
    """The contact speaks of a former provider and of others who may still be at risk there."""
    normal = normalise(text)
    return bool(_FORMER_PROVIDER.search(normal)) and bool(_OTHERS_AT_RISK.search(normal))
