"""The rating mapping and the bridge to fsrs."""

import datetime
from zoneinfo import ZoneInfo

import fsrs
import pytest

from culturegap.reinforcement.models import Card, ReinforcementSettings
from culturegap.reinforcement.scheduling import (
    FAST_MIN_MS,
    fast_threshold_ms,
    rating_for,
    retrievability,
    scheduler_for,
    to_fsrs,
    utc,
)

FAST = 8_000


@pytest.mark.parametrize(
    ("correct", "confident", "response_ms", "expected"),
    [
        (False, True, 1_000, fsrs.Rating.Again),  # confidently wrong: still Again
        (False, False, 1_000, fsrs.Rating.Again),
        (False, None, None, fsrs.Rating.Again),
        (True, False, 1_000, fsrs.Rating.Hard),  # right but guessed, however fast
        (True, False, None, fsrs.Rating.Hard),
        (True, True, 20_000, fsrs.Rating.Good),
        (True, None, None, fsrs.Rating.Good),  # not asked counts as sure; no time, no Easy
        (True, True, FAST, fsrs.Rating.Good),  # the threshold itself is not fast
        (True, True, FAST - 1, fsrs.Rating.Easy),
        (True, None, 2_000, fsrs.Rating.Easy),
    ],
)
def test_rating_mapping(correct, confident, response_ms, expected):
    rating = rating_for(correct=correct, confident=confident, response_ms=response_ms, fast_ms=FAST)
    assert rating == expected


def test_fast_threshold_is_eight_seconds_for_a_short_question():
    assert fast_threshold_ms(scenario="A customer calls.", options=["Ask", "Tell"]) == FAST_MIN_MS


def test_fast_threshold_grows_with_the_words_to_read():
    scenario = " ".join(["word"] * 70)
    options = [" ".join(["word"] * 10)] * 3
    assert fast_threshold_ms(scenario=scenario, options=options) == 100 * 200


def test_scheduler_uses_the_company_settings_and_days_not_minutes():
    settings = ReinforcementSettings(desired_retention=0.85)
    scheduler = scheduler_for(settings)
    assert scheduler.desired_retention == 0.85
    assert scheduler.learning_steps == () and scheduler.relearning_steps == ()
    assert scheduler_for(settings) is scheduler  # cached


def test_dates_given_to_fsrs_are_in_datetime_utc():
    moment = datetime.datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Europe/London"))
    assert utc(moment).tzinfo is datetime.UTC
    card = Card(pk=7, due=moment, last_review=moment, stability=2.0, difficulty=5.0, state=2)
    converted = to_fsrs(card)
    assert converted.card_id == 7
    assert converted.due.tzinfo is datetime.UTC
    # fsrs refuses ZoneInfo("UTC"); a converted card reviews without error.
    scheduler = scheduler_for(ReinforcementSettings())
    scheduler.review_card(converted, fsrs.Rating.Good, review_datetime=utc(moment))


def test_retrievability_is_one_just_after_a_review_and_falls_with_time():
    scheduler = scheduler_for(ReinforcementSettings())
    reviewed = datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    fresh = retrievability(scheduler, stability=10.0, last_review=reviewed, at=reviewed)
    later = retrievability(
        scheduler, stability=10.0, last_review=reviewed, at=reviewed + datetime.timedelta(days=10)
    )
    assert fresh == 1.0
    assert later == pytest.approx(0.9, abs=1e-9)  # stability is the days to fall to 90 %
    assert retrievability(scheduler, stability=None, last_review=None, at=reviewed) == 0.0
