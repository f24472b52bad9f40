"""Letters as HTML from Jinja2 templates; an organisation's own templates come first."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

BUILT_IN = Path(__file__).parent / "templates"


def in_words(day: date | None) -> str:
    """A date as people read it, never as digits: "Thursday 9 April 2026"."""
    if day is None:
        return ""
    return f"{day:%A} {day.day} {day:%B %Y}"


class Letters:
    """Renders letters; `templates_dir` holds overrides: <dir>/<organisation id>/ then <dir>/."""

    def __init__(self, templates_dir: Path | None = None) -> None:
        self._templates_dir = Path(templates_dir) if templates_dir else None
        self._environment = lru_cache(maxsize=256)(self._build)

    def _build(self, organisation_id: str) -> Environment:
        loaders = []
        if self._templates_dir is not None:
            # Directory ids are [a-z0-9-]+, so the path cannot leave the templates folder.
            loaders += [FileSystemLoader(self._templates_dir / organisation_id),
                        FileSystemLoader(self._templates_dir)]
        loaders.append(FileSystemLoader(BUILT_IN))
        environment = Environment(loader=ChoiceLoader(loaders), autoescape=select_autoescape(["j2", "html"]),
                                  trim_blocks=True, lstrip_blocks=True)
        environment.filters["in_words"] = in_words
        return environment

    def html(self, kind: str, organisation_id: str, context: dict, *, pdf: bool = False) -> str:
        """The letter as an HTML page, or as the bare body the PDF writer understands."""
        template = self._environment(organisation_id).get_template(f"{kind}.html.j2")
        return template.render(**context, pdf=pdf)
