"""Distil all-MiniLM-L6-v2 into static token vectors, as Model2Vec does, for triage to run on.

Each vocabulary token goes through the model alone ([CLS] token [SEP]); its mean-pooled output is
its vector. PCA keeps the directions that matter and a log-rank weight lowers the commonest
word-pieces. A contact's vector is then the mean of its tokens' vectors: microseconds per contact,
where the full model costs tens of milliseconds of CPU (measured in the corpus README).

    .venv/bin/python -m triage_training.distil   # from services/triage; writes triage/semantic/data/
"""

from __future__ import annotations

import shutil
import sys
import time

import numpy as np

from triage.semantic.encoder import DATA_DIR, TOKENIZER, VECTORS
from triage_training.minilm import MiniLM, model_dir

DIMENSIONS = 256
BATCH = 1024


def token_vectors(model: MiniLM) -> np.ndarray:
    """Every vocabulary token's mean-pooled output, alone between [CLS] and [SEP]."""
    size = model.config["vocab_size"]
    cls, sep = model.tokenizer.token_to_id("[CLS]"), model.tokenizer.token_to_id("[SEP]")
    out = np.zeros((size, model.config["hidden_size"]), np.float32)
    started = time.monotonic()
    for start in range(0, size, BATCH):
        ids = np.arange(start, min(size, start + BATCH))
        batch = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
        out[start:start + len(ids)] = model.hidden(batch, np.ones(batch.shape, np.float32)).mean(1)
        print(f"{start + len(ids)}/{size} tokens, {time.monotonic() - started:.0f} s", file=sys.stderr)
    return out


def reduce(vectors: np.ndarray, dimensions: int = DIMENSIONS) -> np.ndarray:
    """PCA to `dimensions`, then Model2Vec's log-rank weighting (BERT's vocabulary is by frequency)."""
    centred = vectors - vectors.mean(0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[:dimensions].T
    weights = np.log1p(np.arange(len(reduced), dtype=np.float32))[:, None]
    return (reduced * weights / np.log1p(len(reduced))).astype(np.float16)


def main(raw: str | None = None) -> None:
    """Distil and write the vectors and the model's tokenizer beside the runtime encoder."""
    vectors = np.load(raw) if raw else token_vectors(MiniLM())
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    np.save(VECTORS, reduce(vectors))
    shutil.copyfile(model_dir() / "tokenizer.json", TOKENIZER)
    print(f"wrote {VECTORS} and {TOKENIZER}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
