"""What a question asks, learned from many paraphrases (issue 15): a character n-gram model over the
development sets' questions (``data/chat/paraphrases.jsonl``, written by people who never saw this code),
giving the kinds of question it may be, ranked, with their probabilities.

The readable rules of ``assistant.intents`` still decide first; this model overrules them only when it is
confident and they disagree (the agent decides that). Characters rather than words, because officials type
fast, with homophones and typos (井钙, 路等), which a word segmenter splits into nonsense.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from core.settings import REPO_ROOT
from core.text import normalize

PARAPHRASES = REPO_ROOT / "data" / "chat" / "paraphrases.jsonl"
# Out of reach and instructions against the rules are both declined: one kind for the model.
DECLINED = "declined"
_SAME_ANSWER = {"out_of_scope": DECLINED, "injection": DECLINED}


class AskedModel:
    """Fitted on first use (about a second) and kept: the paraphrases are a few hundred lines."""

    def __init__(self, path: Path = PARAPHRASES) -> None:
        self.path = path
        self._pipeline: Pipeline | None = None
        self._lock = threading.Lock()

    def _fitted(self) -> Pipeline:
        with self._lock:
            if self._pipeline is None:
                rows = [json.loads(line) for line in self.path.read_text("utf-8").splitlines() if line.strip()]
                texts = [normalize(row["text"]) for row in rows]
                kinds = [_SAME_ANSWER.get(row["asked"], row["asked"]) for row in rows]
                pipeline = make_pipeline(
                    TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
                    LogisticRegression(C=10, max_iter=3000),
                )
                self._pipeline = pipeline.fit(texts, kinds)
            return self._pipeline

    def warm_up(self) -> None:
        """Fit now, off the request path (a thread at start-up), so the first question does not wait."""
        threading.Thread(target=self._fitted, name="asked-model-fit", daemon=True).start()

    def rank(self, question: str) -> list[tuple[str, float]]:
        """Every kind of question, the likeliest first, with its probability."""
        pipeline = self._fitted()
        probabilities = pipeline.predict_proba([normalize(question)])[0]
        ranked = sorted(zip(pipeline.classes_, probabilities, strict=True), key=lambda kp: -kp[1])
        return [(str(kind), float(p)) for kind, p in ranked]


SHARED_MODEL = AskedModel()  # one fit per process, whoever asks first
