"""Train the safeguarding model on the training split, choose it and its thresholds on dev.

    cd services/triage && ../../.venv/bin/python -m triage_training.train [--contextual]

Compares word TF-IDF, the static MiniLM vector, and both together (and, with --contextual, the
full MiniLM model, for the record: too slow for triage's budget), each with a few strengths of
regularisation, by the dev split's recall at specificity 0.85 together with the rules. Never reads
the test split. Writes triage/semantic/data/safeguarding_model.npz and prints the comparison.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from triage.rules.safeguarding import CATEGORIES
from triage.semantic.encoder import StaticEncoder
from triage.semantic.model import MODEL, word_features, words
from triage_training.corpus import Item, by_split, load_all
from triage_training.rules import rules_outcomes

MIN_DOCUMENT_FREQUENCY = 2
MAX_VOCABULARY = 20000
STRENGTHS = (0.3, 1.0, 3.0, 10.0)
TARGET_SPECIFICITY = 0.85
# Dev recall the thresholds aim for: flagged outright, and flagged or asked about.
FLAG_RECALL, POSSIBLE_RECALL = 0.95, 0.99


def vocabulary_of(texts: list[str]) -> tuple[list[str], np.ndarray]:
    """Terms seen in at least two training texts, and their smoothed inverse document frequency."""
    frequency = Counter(term for text in texts for term in set(words(text)))
    kept = sorted((t for t, n in frequency.items() if n >= MIN_DOCUMENT_FREQUENCY),
                  key=lambda t: (-frequency[t], t))[:MAX_VOCABULARY]
    idf = np.array([np.log((1 + len(texts)) / (1 + frequency[t])) + 1 for t in kept], np.float32)
    return kept, idf


@dataclass
class Candidate:
    features: str
    strength: float
    auc: float
    recall_at_specificity: float
    model: LogisticRegression


def recall_at_specificity(labels: np.ndarray, scores: np.ndarray, rule_flags: np.ndarray,
                          specificity: float) -> tuple[float, float]:
    """Recall of (rule or score >= t) at the lowest t whose specificity is still >= the target."""
    best = (0.0, 1.0)
    for threshold in sorted(set(scores.tolist())):
        flagged = rule_flags | (scores >= threshold)
        negatives = ~labels
        spec = float((~flagged & negatives).sum() / max(1, negatives.sum()))
        if spec >= specificity:
            recall = float((flagged & labels).sum() / max(1, labels.sum()))
            return recall, threshold
    return best


def highest_threshold_for_recall(labels: np.ndarray, scores: np.ndarray, rule_flags: np.ndarray,
                                 recall: float) -> float:
    """The highest threshold at which (rule or score >= t) still reaches `recall` on dev."""
    for threshold in sorted(set(scores.tolist()), reverse=True):
        flagged = rule_flags | (scores >= threshold)
        if (flagged & labels).sum() / max(1, labels.sum()) >= recall:
            return float(threshold)
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contextual", action="store_true", help="also compare the full MiniLM model")
    args = parser.parse_args()
    splits = by_split(load_all())
    train, dev = splits["train"], splits["dev"]
    print(f"train {len(train)} contacts ({sum(i.safeguarding for i in train)} safeguarding), "
          f"dev {len(dev)} ({sum(i.safeguarding for i in dev)}); the test split is not read")
    encoder = StaticEncoder()
    vocabulary, idf = vocabulary_of([i.text for i in train])
    index = {t: n for n, t in enumerate(vocabulary)}

    def featurise(items: list[Item], kind: str) -> np.ndarray:
        texts = [i.text for i in items]
        parts = []
        if "words" in kind:
            parts.append(word_features(texts, index, idf))
        if "static" in kind:
            parts.append(encoder.encode(texts))
        if kind == "contextual":
            parts.append(contextual.encode(texts))
        return np.hstack(parts)

    kinds = ["words", "static", "words+static"]
    if args.contextual:
        from triage_training.minilm import MiniLM

        contextual = MiniLM()
        kinds.append("contextual")
    y_train = np.array([i.safeguarding for i in train])
    y_dev = np.array([i.safeguarding for i in dev])
    dev_rules = rules_outcomes(dev)
    rule_flags = np.array([o.flag for o in dev_rules])
    candidates: list[Candidate] = []
    print(f"{'features':<14}{'C':>6}{'dev AUC':>9}{'dev recall@spec0.85 (with rules)':>34}{'CPU ms/contact':>16}")
    for kind in kinds:
        started = time.process_time()
        x_dev = featurise(dev, kind)
        cost = (time.process_time() - started) / max(1, len(dev)) * 1000
        x_train = featurise(train, kind)
        for strength in STRENGTHS:
            model = LogisticRegression(C=strength, class_weight="balanced", max_iter=5000)
            model.fit(x_train, y_train)
            scores = model.predict_proba(x_dev)[:, 1]
            recall, _ = recall_at_specificity(y_dev, scores, rule_flags, TARGET_SPECIFICITY)
            auc = roc_auc_score(y_dev, scores)
            candidates.append(Candidate(kind, strength, auc, recall, model))
            print(f"{kind:<14}{strength:>6}{auc:>9.3f}{recall:>34.3f}{cost:>16.2f}")
    eligible = [c for c in candidates if c.features != "contextual"]
    chosen = max(eligible, key=lambda c: (round(c.recall_at_specificity, 3), round(c.auc, 3), -c.strength))
    print(f"chosen: {chosen.features}, C={chosen.strength} "
          f"(dev AUC {chosen.auc:.3f}, recall at specificity 0.85 with rules {chosen.recall_at_specificity:.3f})")
    scores = chosen.model.predict_proba(featurise(dev, chosen.features))[:, 1]
    flag_threshold = highest_threshold_for_recall(y_dev, scores, rule_flags, FLAG_RECALL)
    possible_threshold = min(flag_threshold,
                             highest_threshold_for_recall(y_dev, scores, rule_flags, POSSIBLE_RECALL))
    print(f"thresholds on dev: flag >= {flag_threshold:.3f}, possible >= {possible_threshold:.3f}")
    for name, threshold in (("flagged", flag_threshold), ("flagged or possible", possible_threshold)):
        found = rule_flags | (scores >= threshold)
        print(f"  dev, rules and model, {name}: recall {(found & y_dev).sum() / y_dev.sum():.3f}, "
              f"specificity {(~found & ~y_dev).sum() / (~y_dev).sum():.3f}")
    save(chosen, train, featurise, encoder, vocabulary, idf, flag_threshold, possible_threshold)


def category_heads(x: np.ndarray, items: list[Item]) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest heads over the safeguarding items, naming the category a contact most suggests."""
    positive = [n for n, i in enumerate(items) if i.safeguarding]
    coef = np.zeros((len(CATEGORIES), x.shape[1]), np.float32)
    intercept = np.full(len(CATEGORIES), -10.0, np.float32)
    for row, category in enumerate(CATEGORIES):
        labels = np.array([category in items[n].categories for n in positive])
        if labels.sum() >= 3 and (~labels).sum() >= 3:
            head = LogisticRegression(C=3.0, class_weight="balanced", max_iter=5000)
            head.fit(x[positive], labels)
            coef[row], intercept[row] = head.coef_[0], head.intercept_[0]
    return coef, intercept


def save(chosen: Candidate, train: list[Item], featurise, encoder: StaticEncoder,
         vocabulary: list[str], idf: np.ndarray, flag_threshold: float, possible_threshold: float) -> None:
    x_train = featurise(train, chosen.features)
    coef, intercept = category_heads(x_train, train)
    meta = {
        "features": chosen.features, "strength": chosen.strength,
        "vocabulary": vocabulary if "words" in chosen.features else [],
        "flag_threshold": flag_threshold, "possible_threshold": possible_threshold,
        "categories": list(CATEGORIES),
        "example_ids": [i.id for i in train],
        "example_categories": [list(i.categories) for i in train],
        "trained_on": {"contacts": len(train), "safeguarding": int(sum(i.safeguarding for i in train))},
    }
    np.savez_compressed(
        MODEL, meta=np.array(json.dumps(meta)), idf=idf,
        coef=chosen.model.coef_[0].astype(np.float32),
        intercept=np.array(chosen.model.intercept_[0], np.float32),
        category_coef=coef, category_intercept=intercept,
        example_vectors=encoder.encode([i.text for i in train]).astype(np.float16).astype(np.float32),
        example_labels=np.array([i.safeguarding for i in train]),
    )
    print(f"wrote {MODEL} ({MODEL.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
