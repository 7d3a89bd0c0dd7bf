"""The standard event (事件) or component (部件) category of a report, with alternatives and scores.

Three signals, all cheap enough for hundreds of reports a second on two cores:
- keyword rules: the category's colloquial keywords (``data/domain/*_categories.csv``, which a supervisor
  edits) found in the report, longer and more specific matches counting more;
- similarity: TF-IDF over character n-grams between the report and each category's profile (name,
  description and keywords);
- example reports: a linear model over character n-grams trained on reports in callers' words with the
  category each is filed under (``data/domain/category_examples.csv``, which a city extends with its own
  confirmed cases), which learns wordings no keyword lists.
Scores are combined and normalised; the explanation names the keywords that decided. Rules on top, each
for a reason a supervisor can read below: what follows "另外" is another matter; a component named without
a word on its condition is where an event happens; the catch-all 其他事件 wins only where nothing else has
evidence; keywords are matched by sound as well as by writing.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
import rjieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from core.text import normalize
from graph.domain import CategoryExample, ComponentCategory, DomainTables, EventCategory
from triage.homophones import SoundIndex
from triage.hotline import softmax

KEYWORD_WEIGHT = 1.0
SIMILARITY_WEIGHT = 0.6
# The example model's vote: its probabilities at a low temperature, so its first choice counts about as
# much as a specific keyword. Chosen by training on one batch of examples and testing on the other.
EXAMPLE_WEIGHT = 0.3
EXAMPLE_TEMPERATURE = 0.1
TOP = 3
STRONG = 1.0  # a clause with this much evidence (e.g. one 4-character keyword) states a problem clearly
CLAUSE = re.compile(r"[。！？!?；;]")
# A component (部件) case is about the facility's own condition: broken, missing, moved, not working.
# A report that only names the object ("人行道上停满了车", "垃圾桶满了", "电梯里有人出不来") describes an
# event that happens at it, so a component found by its bare name counts for less when the text says
# nothing of the object's condition.
# Whole words only where a character alone is also part of common words (影响, 不断, 掉头, 呛死人).
CONDITION = re.compile(r"坏|破|损|裂|断了|断裂|折断|歪|倒了|倒地|倒伏|丢|没了|不见|缺|松|翘|塌|陷|锈|漏|不亮|不通|失灵|"
                       r"故障|异响|响声|碎|掉了|掉下|脱落|变形|下沉|晃|烂|堵|倾斜|移位|被盗|秃|枯|闪|停运|没水|脏|臭|"
                       r"看不清|模糊")
BARE_OBJECT = 0.6
# "人行道上停满了车", "绿化带里有条死狗", "公园里的单杠断了": a facility followed by 上/里/内/中/边/旁 names where
# something is, not what is wrong, and does not count for the facility, unless a word on a condition follows
# at once (井盖上有裂缝, 人行道上的地砖碎了). 上午, 中午 and 边缘 are no places.
LOCATIVE = re.compile(r"的?[上里内中边旁](?![午缘])的?")
RIGHT_AFTER = 3  # characters after the place word in which a condition word makes the facility the matter
CATCH_ALL_FLOOR = 0.15
SOUND_WEIGHT = 0.8
# "另外，…" / "此外，…": what follows is a further matter; the report is filed under what came before.
# ("另外一个摊位…" is "another stall", not a further matter.)
# "另外一个摊位" is the same matter again; "另外一堆共享单车乱停" is another.
FURTHER = re.compile(r"[，,。！？!?；;]\s*(?:另外(?:一大?堆|一大片)?(?![一两几个些的家位边])|此外|顺便(?:说一下|反映一下|提一下))")


@dataclass(frozen=True)
class CategoryGuess:
    id: str  # event-0401 / component-0101
    code: str
    name: str
    kind: str  # event | component
    major: str
    score: float
    keywords: tuple[str, ...]
    learned: float = 0.0  # the example model's probability for this category
    similarity: float = 0.0  # cosine similarity of the report to the category's profile

    @property
    def learned_evidence(self) -> float:
        """What the example model added to this category's evidence."""
        return EXAMPLE_WEIGHT * 4 * self.learned

    @property
    def similarity_evidence(self) -> float:
        """What the resemblance to the category's description added."""
        return SIMILARITY_WEIGHT * 4 * self.similarity


class ExampleModel:
    """A linear SVM over character n-grams trained on example reports, with each category's name and
    keywords as one more example of it (so every category can be answered)."""

    def __init__(self, categories: list[ComponentCategory | EventCategory], examples: list[CategoryExample]) -> None:
        index = {c.id: i for i, c in enumerate(categories)}
        texts = [normalize(e.text) for e in examples] + [normalize(f"{c.name} {' '.join(c.keywords)}") for c in categories]
        labels = [index[e.category] for e in examples] + list(range(len(categories)))
        self.n_categories = len(categories)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        with warnings.catch_warnings():
            # A few examples over ~100 categories make scikit-learn suspect a regression target: it is not.
            warnings.filterwarnings("ignore", message="The number of unique classes is greater than 50%")
            self.model = LinearSVC(random_state=0).fit(self.vectorizer.fit_transform(texts), labels)

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """(texts × categories), each row summing to 1."""
        margins = self.model.decision_function(self.vectorizer.transform(texts))
        if margins.ndim == 1:  # two categories: one margin, for the second
            margins = np.column_stack([-margins, margins])
        out = np.zeros((len(texts), self.n_categories))
        out[:, self.model.classes_] = softmax(margins, 1 / EXAMPLE_TEMPERATURE)
        return out


class CategoryClassifier:
    def __init__(self, categories: list[ComponentCategory | EventCategory], examples: list[CategoryExample] | None = None) -> None:
        self.categories = categories
        self.ids = [c.id for c in categories]
        self.keywords = [[normalize(k) for k in {c.name, *c.keywords} if len(k) >= 2] for c in categories]
        # A keyword several categories list (井盖没了: 上水井盖 and 雨水井盖) is evidence shared among them.
        listed_by = Counter(word for words in self.keywords for word in set(words))
        self.weight = {word: len(word) / 4 / listed_by[word] for word in listed_by}
        self.sounds = SoundIndex()
        self.by_sound: dict[str, list[tuple[int, str]]] = {}
        for i, words in enumerate(self.keywords):
            for word in words:
                self.by_sound.setdefault("|".join(self.sounds.syllables(word)), []).append((i, word))
        self.keyword_lengths = sorted({len(w) for words in self.keywords for w in words})
        profiles = [normalize(f"{c.name} {c.name} {c.description} {' '.join(c.keywords)}") for c in categories]
        self.catch_all = {i for i, c in enumerate(categories) if c.name.startswith("其他")}
        self.bare_object_factor = np.array([BARE_OBJECT if c.kind == "component" else 1.0 for c in categories])
        self.is_component = [c.kind == "component" for c in categories]
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        self.profiles = self.vectorizer.fit_transform(profiles)
        self.examples = ExampleModel(categories, examples) if examples and len(categories) > 1 else None

    @classmethod
    def from_domain(cls, domain: DomainTables) -> CategoryClassifier:
        return cls(list(domain.categories), domain.category_examples)

    def keyword_scores(self, text: str) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """Keywords found in the text, by their characters or, failing that, by their sound.

        One pass over the text's syllables finds both: a keyword written as it is also sounds as it is.
        A keyword is heard only as a slip of one character (拉圾, 井钙, 路等) that lines up with the
        text's words: "这里排水" sounds like 立牌 across two words, which no caller said. A second pass
        reads the text without 的, so that 燃气的井盖 is a 燃气井盖 and 天桥的电梯 a 天桥电梯 (the first
        keeps 摩的 and 黑的)."""
        scores = np.zeros(len(self.categories))
        found: list[list[str]] = [[] for _ in self.categories]
        seen: set[tuple[int, str]] = set()
        self._scan(text, scores, found, seen)
        if "的" in text:
            self._scan(text.replace("的", ""), scores, found, seen)
        return scores, [tuple(words) for words in found]

    def _scan(self, text: str, scores: np.ndarray, found: list[list[str]], seen: set[tuple[int, str]]) -> None:
        syllables = self.sounds.syllables(text)
        boundaries: set[int] | None = None
        for n in self.keyword_lengths:
            for start in range(len(syllables) - n + 1):
                key = "|".join(syllables[start : start + n])
                span = text[start : start + n]
                for i, word in self.by_sound.get(key, ()):
                    if (i, key) in seen:
                        continue  # one sound counts once per category (雨水箅子 / 雨水篦子)
                    # A longer keyword is more specific ("雨水井盖" over "井盖"); several keywords agree.
                    if self.is_component[i] and self._names_a_place(text, start + n):
                        continue
                    # Each character has one reading here, so a keyword written as it is sounds as it is.
                    if word == span:
                        seen.add((i, key))
                        scores[i] += self.weight[word]
                        found[i].append(word)
                        continue
                    if sum(a != b for a, b in zip(word, span, strict=True)) != 1:
                        continue
                    if boundaries is None:
                        boundaries = _word_boundaries(text)
                    if start in boundaries and start + n in boundaries:
                        # Heard, not written, a keyword counts a little less.
                        seen.add((i, key))
                        scores[i] += SOUND_WEIGHT * self.weight[word]
                        found[i].append(f"{word}（音近）")

    @staticmethod
    def _names_a_place(text: str, end: int) -> bool:
        """Whether the facility mentioned up to ``end`` is followed by a place word (and no condition)."""
        place = LOCATIVE.match(text, end)
        return place is not None and not CONDITION.search(text, place.end(), place.end() + RIGHT_AFTER)

    def classify(self, text: str) -> list[CategoryGuess]:
        """The top categories, best first, with scores in [0, 1] that sum to at most 1."""
        return self.classify_many([text])[0]

    def _combined(self, text: str, similarity: np.ndarray, learned: np.ndarray) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        keyword, hits = self.keyword_scores(text)
        combined = KEYWORD_WEIGHT * keyword + SIMILARITY_WEIGHT * similarity * 4 + EXAMPLE_WEIGHT * learned * 4
        if not CONDITION.search(text):
            combined = combined * self.bare_object_factor
        for i in self.catch_all:
            # "其他事件" is defined by what it is not, so resemblance to its description means nothing
            # (it resembles every complaint: 反映, 问题, 处理). It stands for what no category describes:
            # its own keywords ("不知道找谁") and a small floor that wins only where nothing else has evidence.
            combined[i] = KEYWORD_WEIGHT * keyword[i] + CATCH_ALL_FLOOR
        return combined, hits

    def classify_many(self, texts: list[str]) -> list[list[CategoryGuess]]:
        """A report that raises several problems is filed under the first one it states clearly (the
        first clause with strong evidence); otherwise the whole text decides."""
        normalized = [_main_matter(normalize(t)) for t in texts]
        clauses = [[c for c in CLAUSE.split(t) if len(c.strip()) >= 2] for t in normalized]
        flat = [c for parts in clauses for c in parts]
        similarity = (self.vectorizer.transform(normalized + flat) @ self.profiles.T).toarray()
        learned = (self.examples.probabilities(normalized + flat) if self.examples is not None
                   else np.zeros_like(similarity))  # fmt: skip
        out, offset = [], 0
        for n, (text, parts) in enumerate(zip(normalized, clauses, strict=True)):
            combined, hits = self._combined(text, similarity[n], learned[n])
            decided_by = n  # the row of the text or clause that decided
            for k, part in enumerate(parts if len(parts) > 1 else []):
                row = len(normalized) + offset + k
                scores, part_hits = self._combined(part, similarity[row], learned[row])
                if scores.max() >= STRONG:
                    combined, hits, decided_by = scores, part_hits, row
                    break
            offset += len(parts)
            order = np.argsort(-combined)[:TOP]
            # A softmax over the combined evidence, so scores read as shares of confidence.
            probs = softmax(combined[np.newaxis], 3.0)[0]
            guesses = []
            for i in order:
                c = self.categories[i]
                guesses.append(CategoryGuess(self.ids[i], c.code, c.name, c.kind, c.major_name, round(float(probs[i]), 4),
                                             hits[i], round(float(learned[decided_by, i]), 4),
                                             round(float(similarity[decided_by, i]), 4)))  # fmt: skip
            out.append(guesses)
        return out


def _word_boundaries(text: str) -> set[int]:
    """Offsets where jieba's words of the text start or end."""
    edges, at = {0}, 0
    for word in rjieba.cut(text):
        at += len(word)
        edges.add(at)
    return edges


def _main_matter(text: str) -> str:
    """The report up to the first "另外/此外": the matter it was made for."""
    further = FURTHER.search(text)
    return text[: further.start()] if further and further.start() >= 4 else text


def further_matter(text: str) -> str | None:
    """What the report adds after "另外/此外" (to be registered on its own), or None."""
    text = normalize(text)
    further = FURTHER.search(text)
    if not further or further.start() < 4:
        return None
    rest = text[further.end() :].strip("，,。！？!?；; ")
    return rest if len(rest) >= 4 else None
