"""How an answer becomes an FSRS rating, and the bridge between our ``Card`` rows and ``fsrs``.

The rating mapping
------------------
A learner never rates a card themselves; the rating comes from what they did:

=========================================================  ========
the answer                                                  rating
=========================================================  ========
wrong (whatever the confidence)                             Again
right, but the learner said they guessed                    Hard
right and sure (said so, or was not asked)                  Good
right, sure, and faster than the question's threshold       Easy
=========================================================  ========

"Sure" means ``confident`` is True or None (lesson and assessment pages may not ask). The
threshold for "fast" is per question: ``FAST_MIN_MS`` (8 s), or the time to read the scenario
and its options at ``READING_MS_PER_WORD`` (200 ms a word, 300 words a minute) when that is
longer — a long scenario is not "slow" just because it takes time to read. An answer without a
response time is never Easy.

The scheduler
-------------
``fsrs.Scheduler`` with the company's desired retention (default 0.9) and its fitted
parameters if any. Learning and relearning steps are switched off: the drill is daily, so a
minutes-long step would only make a card "due" again before the learner has left the page. A
wrong answer therefore comes back the next day (FSRS's shortest interval), a right one after
the interval FSRS computes from the card's stability. Fuzzing stays on (it spreads reviews over
neighbouring days) except where a reproducible result matters (the demo).

Two traps of ``fsrs`` 6.3 are avoided here once for everyone: ``fsrs.Card`` is always built
with ``card_id`` (without it, it sleeps 1 ms), and every datetime handed to it carries
``datetime.timezone.utc`` (a ``ZoneInfo("UTC")`` raises).
"""

import datetime
from functools import lru_cache

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from culturegap.reinforcement.models import Card, ReinforcementSettings

FAST_MIN_MS = 8_000
READING_MS_PER_WORD = 200
UTC = datetime.UTC


def rating_for(
    *, correct: bool, confident: bool | None, response_ms: int | None, fast_ms: int
) -> fsrs.Rating:
    """The FSRS rating of one answer (see the table in this module's docstring)."""
    if not correct:
        return fsrs.Rating.Again
    if confident is False:
        return fsrs.Rating.Hard
    if response_ms is not None and response_ms < fast_ms:
        return fsrs.Rating.Easy
    return fsrs.Rating.Good


def fast_threshold_ms(*, scenario: str, options: list[str]) -> int:
    """Below this many milliseconds a right, sure answer counts as Easy."""
    words = len(scenario.split()) + sum(len(text.split()) for text in options)
    return max(FAST_MIN_MS, words * READING_MS_PER_WORD)


@lru_cache(maxsize=64)
def _scheduler(parameters: tuple[float, ...] | None, retention: float, fuzz: bool):
    return fsrs.Scheduler(
        parameters=parameters or DEFAULT_PARAMETERS,
        desired_retention=retention,
        learning_steps=(),
        relearning_steps=(),
        enable_fuzzing=fuzz,
    )


def scheduler_for(settings: ReinforcementSettings, *, fuzz: bool = True) -> fsrs.Scheduler:
    """The company's scheduler (cached: building one validates 21 parameters)."""
    parameters = tuple(settings.fsrs_parameters) if settings.fsrs_parameters else None
    return _scheduler(parameters, float(settings.desired_retention), fuzz)


def utc(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` with ``datetime.timezone.utc`` as its tzinfo, as fsrs requires."""
    return moment.astimezone(UTC)


def to_fsrs(card: Card) -> fsrs.Card:
    return fsrs.Card(
        card_id=card.pk or 0,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=utc(card.due),
        last_review=utc(card.last_review) if card.last_review else None,
    )


def copy_from_fsrs(card: Card, scheduled: fsrs.Card) -> None:
    """Write fsrs's new memory state into our row (not saved)."""
    card.state = int(scheduled.state)
    card.step = scheduled.step
    card.stability = scheduled.stability
    card.difficulty = scheduled.difficulty
    card.due = scheduled.due
    card.last_review = scheduled.last_review


def retrievability(
    scheduler: fsrs.Scheduler,
    *,
    stability: float | None,
    last_review: datetime.datetime | None,
    at: datetime.datetime,
) -> float:
    """FSRS's predicted probability of recall at ``at`` of a card last reviewed at
    ``last_review`` with ``stability``; 0 for a card never reviewed."""
    if stability is None or last_review is None:
        return 0.0
    card = fsrs.Card(
        card_id=0, state=fsrs.State.Review, stability=stability, last_review=utc(last_review)
    )
    return scheduler.get_card_retrievability(card, utc(at))
