"""Measures of retention: how much of what was learnt a person, a skill or a team would recall.

A card's *retrievability* at a moment is FSRS's predicted probability that the learner recalls
it then (``fsrs.Scheduler.get_card_retrievability``); the reinforcement selectors compute it and
these pure functions aggregate it. The module is named ``recall`` because
``culturegap.measures.retention`` is already the customers' retention rate.

- a person's retention = mean retrievability over their cards;
- a person's retention in a skill = mean retrievability over their cards of that skill;
- a team's retention = mean over its people of each person's retention (people without cards
  are left out), so a person with 300 cards weighs as much as one with 30;
- a team's retention in a skill = mean over its people of their retention in that skill.
"""

import bisect
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

# (moment of a review, stability in days after it), in time order.
History = Sequence[tuple[datetime.datetime, float]]
# The forgetting curve: (stability, elapsed days) → probability of recall.
Curve = Callable[[float, int], float]


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def person_retention(retrievabilities: Iterable[float]) -> float | None:
    """``Σ R(card) / number of cards`` over one person's cards; None without cards."""
    return _mean(retrievabilities)


def retention_by_skill(cards: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Mean retrievability per skill from ``(skill, retrievability)`` pairs."""
    by_skill: dict[str, list[float]] = defaultdict(list)
    for skill, value in cards:
        by_skill[skill].append(value)
    return {skill: _mean(values) for skill, values in sorted(by_skill.items())}


def team_retention(person_retentions: Iterable[float | None]) -> float | None:
    """Mean of the people's retentions, skipping people without cards (None); None if nobody
    has a card."""
    return _mean(value for value in person_retentions if value is not None)


def team_retention_by_skill(people: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """For each skill, the mean over the people who have cards of it of their retention in it."""
    by_skill: dict[str, list[float]] = defaultdict(list)
    for skills in people:
        for skill, value in skills.items():
            by_skill[skill].append(value)
    return {skill: _mean(values) for skill, values in sorted(by_skill.items())}


def below_threshold(retentions: Mapping[object, float | None], threshold: float) -> list:
    """The keys (people) whose retention is known and strictly below ``threshold``."""
    return [key for key, value in retentions.items() if value is not None and value < threshold]


def retrievability_at(history: History, at: datetime.datetime, curve: Curve) -> float | None:
    """A card's retrievability at ``at``, from the last review at or before it:
    ``curve(stability after that review, whole days elapsed since it)``. None when the card
    had not been reviewed yet (it did not exist for the learner then)."""
    index = bisect.bisect_right([moment for moment, _ in history], at) - 1
    if index < 0:
        return None
    reviewed_at, stability = history[index]
    return curve(stability, max(0, (at - reviewed_at).days))


def person_retention_series(
    cards: Iterable[History], points: Sequence[datetime.datetime], curve: Curve
) -> list[float | None]:
    """A person's retention at each of ``points``: the mean over the cards that existed then."""
    per_point: list[list[float]] = [[] for _ in points]
    for history in cards:
        for i, at in enumerate(points):
            value = retrievability_at(history, at, curve)
            if value is not None:
                per_point[i].append(value)
    return [_mean(values) for values in per_point]


def team_retention_series(
    people: Iterable[Iterable[History]], points: Sequence[datetime.datetime], curve: Curve
) -> list[float | None]:
    """A team's retention at each of ``points``: the mean over its people of their retention
    then (people without a card yet are left out)."""
    series = [person_retention_series(cards, points, curve) for cards in people]
    return [team_retention(person[i] for person in series) for i in range(len(points))]
