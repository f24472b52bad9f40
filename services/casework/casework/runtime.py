"""Casework's runtime: the shared one, plus the letters renderer built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends

from casework.config import Settings
from casework.letters.render import Letters
from nwd_shared.app import runtime_of
from nwd_shared.runtime import Runtime


@dataclass
class CaseworkRuntime(Runtime[Settings]):
    """What casework's endpoints, consumers and jobs share; `letters` reads NWD_LETTER_TEMPLATES_DIR."""

    letters: Letters = field(init=False)

    def __post_init__(self) -> None:
        self.letters = Letters(self.settings.letter_templates_dir)


CaseworkRuntimeDep = Annotated[CaseworkRuntime, Depends(runtime_of)]
