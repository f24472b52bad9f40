"""Triage's runtime: the shared one, plus the safeguarding model, loaded once at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from nwd_shared.runtime import Runtime
from triage.config import Settings
from triage.semantic.model import SafeguardingModel


@dataclass
class TriageRuntime(Runtime[Settings]):
    """What triage's consumers share; `safeguarding_model` is None when NWD_TRIAGE_MODEL_ENABLED is false."""

    safeguarding_model: SafeguardingModel | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.settings.triage_model_enabled:
            self.safeguarding_model = SafeguardingModel()
            # Load the arrays and the tokenizer now, not on the first contact.
            self.safeguarding_model.assess(["warming up"])
