"""Finding what answers a question: a BM25 index (bm25s) over a company's passages, the
sentences of a passage that answer best, and how sure the eCoach may be.

Pure Python and numpy: no database here, so the evaluation set and the benchmark can drive it
directly. ``culturegap.ecoach.index`` builds one per company and caches it.
"""

import io
import json
import logging
import math
import re
import tempfile
import threading
import zipfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

# bm25s sets its own logger to DEBUG, which would print a line per index built.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# --- passages -----------------------------------------------------------------------------


class PassageKind:
    VALUE_PROPOSITION = "value proposition"
    GLOSSARY = "glossary"
    STEP = "communication step"
    LESSON = "lesson"
    COACH_ANSWER = "coach answer"


@dataclass(frozen=True)
class Passage:
    """One answerable piece of the knowledge base, with a link to where it lives.

    ``id`` is stable across rebuilds and pack re-imports (``glossary:need-signal``,
    ``step:hand-over``, ``vp:<key>``, ``lesson:<lesson-key>#<section-slug>``,
    ``coach:<question-id>``): the evaluation set and the question log refer to it."""

    id: str
    kind: str
    title: str
    text: str
    url: str
    context: str = ""  # where it sits, e.g. the lesson a section belongs to
    # Passages of one group (the sections of one lesson) also score as a whole: see
    # ``KnowledgeIndex.GROUP_WEIGHT``.
    group: str = ""


# --- tokens -------------------------------------------------------------------------------

# bm25s's English stopwords, less "no" and "not", which carry meaning here: "how do I say no",
# "not my department". (Measured on the evaluation set: recall@3 0.815 → 0.827.)
STOPWORDS = sorted(set(STOPWORDS_EN) - {"no", "not"})

# Spellings staff use for the same thing; applied to questions and passages alike, before
# tokenising, so "handover", "hand-over" and "hand over" all find the same passages.
SPELLINGS = [
    (re.compile(r"\bhand-?overs?\b", re.I), "hand over"),
    (re.compile(r"\bfollow-?ups?\b", re.I), "follow up"),
    (re.compile(r"\bclients?\b", re.I), "customer"),
    (re.compile(r"\be-?mails?\b", re.I), "email"),
    (re.compile(r"\bNPS\b"), "likelihood to recommend"),
]

_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """The Snowball English stemmer (PyStemmer), one per thread: its objects are not safe to
    share between threads."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def normalise(text: str) -> str:
    for pattern, replacement in SPELLINGS:
        text = pattern.sub(replacement, text)
    return text


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-case word tokens without stopwords, stemmed (bm25s's tokeniser)."""
    return bm25s.tokenize(
        [normalise(text) for text in texts],
        lower=True,
        stopwords=STOPWORDS,
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )


def indexed_text(passage: "Passage") -> str:
    """What BM25 sees of a passage: the title twice (the words a reader would look for it
    by), the context (e.g. the lesson a section belongs to) and the text."""
    return "\n".join([passage.title, passage.title, passage.context, passage.text])


# --- sentences ----------------------------------------------------------------------------

# A sentence ends at . ! ? or … after a word (not after a list number such as "1."), or at
# such a mark followed by a closing quote, before a space and a capital, digit or quote.
_SENTENCE_END = re.compile(r"(?:(?<=[^\W\d_][.!?…])|(?<=[.!?…][\"”’)]))\s+(?=[A-Z0-9\"“‘(])")


def sentences(text: str) -> list[str]:
    """The sentences of a passage: each line (list items are lines) split at full stops; a
    line in quotation marks (a phrase to say) stays whole."""
    found: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("“") and line.endswith("”"):
            found.append(line)
        elif line:
            found.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return found


# --- confidence ---------------------------------------------------------------------------

# Fitted by logistic regression (``evaluation.fit_confidence``) on the evaluation set:
# questions with an expected passage in the top three against unanswerable questions and
# misses, the two classes weighted equally; rounded.
CONFIDENCE_SLOPE = 10.0
CONFIDENCE_CENTRE = 0.27


def confidence_from(coverage: float) -> float:
    """How sure the eCoach is that its best passage answers the question, from 0 to 1.

    ``coverage`` = best score / ((1 + GROUP_WEIGHT) × Σ idf of the question's words), where a
    word the knowledge base never uses counts with the idf of a word used once. A passage of
    average length (in a group of average length) that contains each of the question's words
    once scores exactly that sum, so coverage is near 1 when the best passage speaks of all
    that was asked, and small when the question is about things no passage mentions ("the
    wifi password"). Then a logistic squash, calibrated on the evaluation set:

        confidence = 1 / (1 + exp(−SLOPE × (coverage − CENTRE)))

    The margin of the best score over the second was tried as a second input and left out:
    it did not separate answerable from unanswerable questions (leave-one-out AUC 0.755 with
    it, 0.766 without).
    """
    return 1.0 / (1.0 + math.exp(-CONFIDENCE_SLOPE * (coverage - CONFIDENCE_CENTRE)))


# --- the index ----------------------------------------------------------------------------


@dataclass
class Hit:
    passage: Passage
    score: float
    position: int = -1  # in the index's passages


@dataclass
class Retrieval:
    """The best passages for one question, and the figures the confidence comes from."""

    question: str
    tokens: list[str]
    hits: list[Hit] = field(default_factory=list)
    coverage: float = 0.0
    margin: float = 0.0
    confidence: float = 0.0


class KnowledgeIndex:
    """A BM25 index over passages. Build it once per content version; searching is fast.

    A passage's score is its own BM25 score plus ``GROUP_WEIGHT`` × the score of its group as
    one document (all the sections of its lesson together): a question about a lesson's topic
    then finds the lesson, and its words pick the section. A passage without a group is its
    own group. (Measured on the evaluation set: recall@3 0.778 without, 0.827 with.)
    """

    K1 = 1.5  # bm25s's defaults
    B = 0.75
    GROUP_WEIGHT = 0.5

    def __init__(
        self,
        passages: list[Passage],
        *,
        retriever: bm25s.BM25 | None = None,
        idf: dict[str, float] | None = None,
    ):
        self.passages = list(passages)
        self._sentence_tokens: dict[int, list[tuple[str, set[str]]]] = {}
        groups: dict[str, list[int]] = {}
        for position, passage in enumerate(self.passages):
            if passage.group:
                groups.setdefault(passage.group, []).append(position)
        # The corpus: each passage, then each group as one document.
        self._group_of = np.arange(len(self.passages))
        for number, members in enumerate(groups.values()):
            self._group_of[members] = len(self.passages) + number
        if retriever is not None and idf is not None:
            self.retriever, self.idf = retriever, idf
            return
        self.retriever = bm25s.BM25(k1=self.K1, b=self.B)
        self.idf = {}
        if not self.passages:
            return
        texts = [indexed_text(passage) for passage in self.passages]
        texts += [
            "\n".join(f"{self.passages[i].title}\n{self.passages[i].text}" for i in members)
            for members in groups.values()
        ]
        corpus = tokenize(texts)
        self.retriever.index(corpus, show_progress=False)
        documents = len(corpus)
        frequency = Counter(token for tokens in corpus for token in set(tokens))
        # The idf of BM25 (lucene variant), as bm25s computes it for its scores.
        self.idf = {
            token: math.log(1 + (documents - count + 0.5) / (count + 0.5))
            for token, count in frequency.items()
        }

    def __len__(self) -> int:
        return len(self.passages)

    @property
    def unknown_idf(self) -> float:
        """The idf a word would have if one document used it: what an unknown word costs."""
        documents = len(self.passages) + len(set(self._group_of.tolist()))
        return math.log(1 + (documents - 1 + 0.5) / 1.5) if self.passages else 1.0

    def scores(self, tokens: list[str]) -> np.ndarray:
        """The score of every passage for these (known) tokens."""
        raw = self.retriever.get_scores(tokens)
        return raw[: len(self.passages)] + self.GROUP_WEIGHT * raw[self._group_of]

    def search(self, question: str, *, k: int = 3) -> Retrieval:
        tokens = list(dict.fromkeys(tokenize([question])[0]))
        retrieval = Retrieval(question=question, tokens=tokens)
        known = [token for token in tokens if token in self.idf]
        if not known:
            return retrieval
        scores = self.scores(known)
        count = min(k, len(scores))
        if count < len(scores):
            best = np.argpartition(-scores, count - 1)[:count]
            order = best[np.argsort(-scores[best])]
        else:
            order = np.argsort(-scores)
        retrieval.hits = [
            Hit(self.passages[int(i)], float(scores[i]), int(i)) for i in order if scores[i] > 0
        ]
        if not retrieval.hits:
            return retrieval
        # What a passage of average length would score with each word once (in the passage
        # and in its group): see ``confidence_from``.
        information = (1 + self.GROUP_WEIGHT) * sum(
            self.idf.get(token, self.unknown_idf) for token in tokens
        )
        top = retrieval.hits[0].score
        second = retrieval.hits[1].score if len(retrieval.hits) > 1 else 0.0
        retrieval.coverage = top / information
        retrieval.margin = (top - second) / top
        retrieval.confidence = confidence_from(retrieval.coverage)
        return retrieval

    def best_sentences(self, hit: Hit, tokens: list[str], *, limit: int = 2) -> list[str]:
        """The sentences of a passage that share the most (idf-weighted) words with the
        question, in the passage's order; the first sentence when none shares any."""
        index = hit.position
        cached = self._sentence_tokens.get(index) if index >= 0 else None
        if cached is None:
            parts = sentences(hit.passage.text)
            cached = list(zip(parts, map(set, tokenize(parts)), strict=True)) if parts else []
            if index >= 0:
                self._sentence_tokens[index] = cached
        if not cached:
            return []
        wanted = set(tokens)
        scored = [
            (sum(self.idf.get(token, 0.0) for token in words & wanted), position)
            for position, (_, words) in enumerate(cached)
        ]
        chosen = sorted(
            position for score, position in sorted(scored, reverse=True)[:limit] if score > 0
        )
        return [cached[position][0] for position in chosen] or [cached[0][0]]

    # --- saving and loading: a zip of bm25s's own files, the passages and the idf ---------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("passages.json", json.dumps([asdict(p) for p in self.passages]))
            archive.writestr("idf.json", json.dumps(self.idf))
            if self.passages:
                with tempfile.TemporaryDirectory() as folder:
                    self.retriever.save(folder, show_progress=False)
                    for path in Path(folder).iterdir():
                        archive.write(path, f"bm25s/{path.name}")
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "KnowledgeIndex":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            passages = [Passage(**item) for item in json.loads(archive.read("passages.json"))]
            idf = json.loads(archive.read("idf.json"))
            if not passages:
                return cls([])
            with tempfile.TemporaryDirectory() as folder:
                for name in archive.namelist():
                    if name.startswith("bm25s/"):
                        (Path(folder) / name.removeprefix("bm25s/")).write_bytes(archive.read(name))
                retriever = bm25s.BM25.load(folder, show_progress=False, verbosity=0)
        return cls(passages, retriever=retriever, idf=idf)
