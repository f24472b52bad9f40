"""The safeguarding model: a logistic regression over a contact's words and its MiniLM vector.

Trained offline on the corpus's training split (services/triage/training/train.py); its thresholds
were chosen on the dev split for recall. It never decides alone: a rule or the model flags a contact,
and a probability between the two thresholds asks a person (possible safeguarding).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np

from triage.semantic.encoder import DATA_DIR, StaticEncoder

MODEL = DATA_DIR / "safeguarding_model.npz"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
Level = Literal["flag", "possible", "none"]


def words(text: str) -> list[str]:
    """Lower-case words, then every pair of neighbours: 'the carer' and 'carer has' count too."""
    tokens = _WORD.findall(text.lower().replace("\u2019", "'"))
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def word_features(texts: list[str], vocabulary: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """TF-IDF rows (log term frequency, unit length) over a fixed vocabulary."""
    out = np.zeros((len(texts), len(vocabulary)), np.float32)
    for row, text in enumerate(texts):
        for term in words(text):
            column = vocabulary.get(term)
            if column is not None:
                out[row, column] += 1.0
    np.log1p(out, out=out)
    out *= idf
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True)
class Neighbour:
    """A labelled training contact close to this one: shown so a person sees why."""

    id: str
    similarity: float
    safeguarding: bool
    categories: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    probability: float
    level: Level
    suspected_category: str | None
    nearest: tuple[Neighbour, ...]


class SafeguardingModel:
    """Loaded once per process; scores a consumer batch's contacts together."""

    def __init__(self, path: Path = MODEL, encoder: StaticEncoder | None = None) -> None:
        self._path = path
        self.encoder = encoder or StaticEncoder()

    @cached_property
    def _arrays(self) -> dict[str, np.ndarray]:
        with np.load(self._path, allow_pickle=False) as stored:
            return {name: stored[name] for name in stored.files}

    @cached_property
    def meta(self) -> dict:
        return json.loads(str(self._arrays["meta"]))

    @cached_property
    def vocabulary(self) -> dict[str, int]:
        return {term: i for i, term in enumerate(self.meta["vocabulary"])}

    def features(self, texts: list[str]) -> np.ndarray:
        """The features the model was trained on: words, the static vector, or both side by side."""
        parts = []
        if "words" in self.meta["features"]:
            parts.append(word_features(texts, self.vocabulary, self._arrays["idf"]))
        if "static" in self.meta["features"]:
            parts.append(self.encoder.encode(texts) * self.meta.get("static_weight", 1.0))
        return np.hstack(parts)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """P(safeguarding) for each text."""
        logits = self.features(texts) @ self._arrays["coef"] + float(self._arrays["intercept"])
        return 1.0 / (1.0 + np.exp(-logits))

    def level(self, probability: float) -> Level:
        if probability >= self.meta["flag_threshold"]:
            return "flag"
        return "possible" if probability >= self.meta["possible_threshold"] else "none"

    def assess(self, texts: list[str], neighbours: int = 3) -> list[Assessment]:
        """Each text's probability, level, the category it most suggests, and its nearest examples."""
        if not texts:
            return []
        features = self.features(texts)
        arrays = self._arrays
        logits = features @ arrays["coef"] + float(arrays["intercept"])
        probabilities = 1.0 / (1.0 + np.exp(-logits))
        category_scores = features @ arrays["category_coef"].T + arrays["category_intercept"]
        similarities = self.encoder.encode(texts) @ arrays["example_vectors"].T
        categories = self.meta["categories"]
        out = []
        for row, probability in enumerate(probabilities):
            level = self.level(float(probability))
            nearest = np.argsort(-similarities[row])[:neighbours]
            out.append(Assessment(
                probability=round(float(probability), 4), level=level,
                suspected_category=categories[int(np.argmax(category_scores[row]))] if level != "none" else None,
                nearest=tuple(Neighbour(
                    id=self.meta["example_ids"][i], similarity=round(float(similarities[row, i]), 3),
                    safeguarding=bool(arrays["example_labels"][i]),
                    categories=tuple(self.meta["example_categories"][i]),
                ) for i in nearest),
            ))
        return out
