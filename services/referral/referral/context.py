"""Who acts and when, at referral: the shared context, with the rule that chooses a joint complaint's lead."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from nwd_shared import context
from referral.domain import DEFAULT_LEAD_RULE, LeadCriterion

if TYPE_CHECKING:
    from nwd_shared.runtime import Runtime
    from referral.config import Settings


@dataclass(frozen=True)
class Context(context.Context):
    """The shared context and referral's lead rule (NWD_LEAD_RULE)."""

    lead_rule: tuple[LeadCriterion, ...] = DEFAULT_LEAD_RULE

    @classmethod
    def of(cls, runtime: Runtime[Settings], caller: str | None = None) -> Context:
        """The context of a request, event or job, with `now` read once and the configured lead rule."""
        return replace(super().of(runtime, caller), lead_rule=tuple(runtime.settings.lead_rule))
