"""Measuring the eCoach on its evaluation set (``evaluation.yaml``): recall@3 and MRR of the
retrieval, how often it answers what it can and routes what it cannot, and the fit of the
confidence formula. The quality test and ``bench/ecoach.py`` both use this."""

import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from culturegap.ecoach.retrieval import KnowledgeIndex

EVALUATION_SET = Path(__file__).with_name("evaluation.yaml")


@dataclass(frozen=True)
class EvaluationQuestion:
    question: str
    answers: tuple[str, ...]


@dataclass
class EvaluationSet:
    questions: list[EvaluationQuestion]
    unanswerable: list[str]


def load_evaluation_set(path: Path = EVALUATION_SET) -> EvaluationSet:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return EvaluationSet(
        questions=[
            EvaluationQuestion(item["q"], tuple(item["answers"])) for item in data["questions"]
        ],
        unanswerable=list(data.get("unanswerable", [])),
    )


@dataclass
class Miss:
    question: str
    expected: tuple[str, ...]
    found: list[str]


@dataclass
class RetrievalQuality:
    """recall@k: share of questions with at least one expected passage in the top k.
    MRR: mean over questions of 1 / rank of the first expected passage (0 beyond ``depth``)."""

    questions: int
    recall_at_k: float
    mrr: float
    k: int
    misses: list[Miss] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"recall@{self.k} = {self.recall_at_k:.3f}, MRR = {self.mrr:.3f} "
            f"over {self.questions} questions"
        )


def retrieval_quality(
    index: KnowledgeIndex, questions: list[EvaluationQuestion], *, k: int = 3, depth: int = 10
) -> RetrievalQuality:
    found_in_k = 0
    reciprocal = 0.0
    misses: list[Miss] = []
    for item in questions:
        ranked = [hit.passage.id for hit in index.search(item.question, k=depth).hits]
        rank = next((i + 1 for i, pid in enumerate(ranked) if pid in item.answers), None)
        if rank is not None:
            reciprocal += 1 / rank
        if rank is not None and rank <= k:
            found_in_k += 1
        else:
            misses.append(Miss(item.question, item.answers, ranked[:k]))
    total = len(questions)
    return RetrievalQuality(
        questions=total,
        recall_at_k=found_in_k / total if total else 0.0,
        mrr=reciprocal / total if total else 0.0,
        k=k,
        misses=misses,
    )


@dataclass
class Routing:
    """At one threshold: answerable questions answered (and answered right: an expected
    passage in the top 3), unanswerable ones passed to a coach."""

    threshold: float
    answered: float
    answered_right: float
    routed_unanswerable: float

    def __str__(self) -> str:
        return (
            f"threshold {self.threshold:.2f}: answers {self.answered:.0%} of answerable "
            f"questions ({self.answered_right:.0%} with a right passage in the top 3), routes "
            f"{self.routed_unanswerable:.0%} of unanswerable ones to a coach"
        )


def routing(index: KnowledgeIndex, evaluation: EvaluationSet, *, threshold: float) -> Routing:
    answered = right = 0
    for item in evaluation.questions:
        result = index.search(item.question, k=3)
        if result.confidence >= threshold:
            answered += 1
            right += any(hit.passage.id in item.answers for hit in result.hits)
    routed = sum(
        index.search(question, k=3).confidence < threshold for question in evaluation.unanswerable
    )
    total = len(evaluation.questions) or 1
    return Routing(
        threshold=threshold,
        answered=answered / total,
        answered_right=right / total,
        routed_unanswerable=routed / (len(evaluation.unanswerable) or 1),
    )


def confidence_features(index: KnowledgeIndex, evaluation: EvaluationSet):
    """(coverage, label) per question: label 1 when an expected passage is in the top 3, 0
    for unanswerable questions and for misses."""
    rows = []
    for item in evaluation.questions:
        result = index.search(item.question, k=3)
        label = int(any(hit.passage.id in item.answers for hit in result.hits))
        rows.append((result.coverage, label))
    for question in evaluation.unanswerable:
        rows.append((index.search(question, k=3).coverage, 0))
    return rows


def fit_confidence(rows, *, steps: int = 20000, rate: float = 0.5) -> tuple[float, float]:
    """Logistic regression of the label on coverage by gradient descent, the two classes
    weighted equally: (SLOPE, CENTRE) of ``retrieval.confidence_from``."""
    positives = sum(label for _, label in rows) or 1
    negatives = (len(rows) - positives) or 1
    slope = bias = 0.0
    for _ in range(steps):
        grad_slope = grad_bias = 0.0
        for coverage, label in rows:
            weight = 0.5 / positives if label else 0.5 / negatives
            p = 1 / (1 + math.exp(-(slope * coverage + bias)))
            grad_slope += (p - label) * weight * coverage
            grad_bias += (p - label) * weight
        slope -= rate * grad_slope
        bias -= rate * grad_bias
    return slope, -bias / slope if slope else 0.0
