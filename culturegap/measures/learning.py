"""Measures of learning: assessment scores, scores and gains per skill, completion status, streaks.

Pure functions over plain values (booleans, dates, dicts); the training selectors feed them from
the database, and pages, CSV exports and the API show what they return.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping


def assessment_score(results: Iterable[bool]) -> float | None:
    """Percent of answers that are right, 0–100: ``100 × right / answered``.

    ``results`` holds one boolean per answered question. None when nothing was answered, so an
    empty assessment is never mistaken for a score of zero.
    """
    results = list(results)
    if not results:
        return None
    return 100 * sum(1 for right in results if right) / len(results)


def score_per_skill(results: Iterable[tuple[str, bool]]) -> dict[str, float]:
    """Percent right for each skill: ``100 × right answers of the skill / answers of the skill``.

    ``results`` holds ``(skill, is_right)`` pairs; skills without answers are absent.
    """
    by_skill: dict[str, list[bool]] = defaultdict(list)
    for skill, right in results:
        by_skill[skill].append(right)
    return {skill: assessment_score(answers) for skill, answers in by_skill.items()}


def gain_per_skill(pre: Mapping[str, float], post: Mapping[str, float]) -> dict[str, float]:
    """Post-assessment score minus pre-assessment score, in percentage points, for each skill
    scored in both; a skill missing from either side has no gain."""
    return {skill: post[skill] - pre[skill] for skill in pre if skill in post}


def mean_per_skill(scores: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """For each skill, the mean of the scores of the people who have one for it."""
    by_skill: dict[str, list[float]] = defaultdict(list)
    for person_scores in scores:
        for skill, score in person_scores.items():
            by_skill[skill].append(score)
    return {skill: sum(values) / len(values) for skill, values in by_skill.items()}


def mean_gain_per_skill(
    pairs: Iterable[tuple[Mapping[str, float], Mapping[str, float]]],
) -> dict[str, float]:
    """A team's gain per skill: the mean, over the people scored on the skill both before and
    after, of their ``post − pre`` (a paired difference, so people who have not taken the
    post-assessment yet do not drag the figure either way)."""
    return mean_per_skill(gain_per_skill(pre, post) for pre, post in pairs)


def weakest_skills(
    *, pre: Mapping[str, float], post: Mapping[str, float], count: int = 3
) -> list[tuple[str, float]]:
    """The ``count`` skills with the lowest score, lowest first, as ``(skill, score)``: the
    post-assessment score where there is one, else the pre-assessment score. Ties go to the
    skill key in alphabetical order, so the list is stable."""
    latest = {**pre, **post}
    return sorted(latest.items(), key=lambda item: (item[1], item[0]))[:count]


class Status:
    """Where a person stands in a curriculum."""

    ASSIGNED = "assigned"
    STARTED = "started"
    COMPLETED = "completed"
    OVERDUE = "overdue"


def enrollment_status(
    *,
    started_at: datetime.datetime | None,
    completed_at: datetime.datetime | None,
    due_on: datetime.date,
    today: datetime.date,
) -> str:
    """``completed`` once completed (whenever that was); else ``overdue`` when today is after
    the due date; else ``started`` once started; else ``assigned``."""
    if completed_at is not None:
        return Status.COMPLETED
    if today > due_on:
        return Status.OVERDUE
    if started_at is not None:
        return Status.STARTED
    return Status.ASSIGNED


def progress_percent(done: int, total: int) -> int:
    """Lessons done as a whole percent of the lessons in the curriculum: ``round(100 × done /
    total)``, 0 for an empty curriculum."""
    if total <= 0:
        return 0
    return round(100 * min(done, total) / total)


def streak(days: Iterable[datetime.date], *, today: datetime.date) -> int:
    """Consecutive days with at least one lesson answer, counted back from today.

    A day without an answer ends the streak, except today itself: until today is over, a streak
    that reached yesterday is still alive (it counts back from yesterday), so a learner is not
    told "0" in the morning before their lesson. Days after today are ignored.
    """
    active = {day for day in days if day <= today}
    day = today if today in active else today - datetime.timedelta(days=1)
    count = 0
    while day in active:
        count += 1
        day -= datetime.timedelta(days=1)
    return count
