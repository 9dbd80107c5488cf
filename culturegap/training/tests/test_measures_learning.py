"""The learning measures against values worked out by hand."""

import datetime

import pytest

from culturegap import measures
from culturegap.measures import Status

TODAY = datetime.date(2025, 3, 12)


def test_score_is_percent_right():
    # 3 right of 4 → 75.
    assert measures.assessment_score([True, True, False, True]) == 75
    assert measures.assessment_score([False, False]) == 0
    assert measures.assessment_score([True]) == 100
    # 2 of 3 → 66.67 (not rounded: pages round, the pass rule compares the exact value).
    assert measures.assessment_score([True, False, True]) == pytest.approx(200 / 3)


def test_no_answers_has_no_score():
    assert measures.assessment_score([]) is None


def test_score_per_skill():
    results = [("open", True), ("open", False), ("discover", True), ("hand-over", False)]
    # open: 1 of 2 → 50; discover: 1 of 1 → 100; hand-over: 0 of 1 → 0.
    assert measures.score_per_skill(results) == {"open": 50, "discover": 100, "hand-over": 0}


def test_gain_per_skill_only_where_both_sides_have_a_score():
    pre = {"open": 50, "discover": 100, "hand-over": 0}
    post = {"open": 100, "discover": 50, "close": 100}
    assert measures.gain_per_skill(pre, post) == {"open": 50, "discover": -50}


def test_mean_gain_per_skill_pairs_each_person():
    ann = ({"open": 0, "discover": 50}, {"open": 100, "discover": 50})  # +100, 0
    bob = ({"open": 50}, {"open": 100})  # +50
    cat = ({"open": 100, "discover": 0}, {})  # no post yet: no gain
    # open: (100 + 50) / 2 = 75; discover: 0 / 1 = 0.
    assert measures.mean_gain_per_skill([ann, bob, cat]) == {"open": 75, "discover": 0}


def test_mean_per_skill():
    assert measures.mean_per_skill([{"open": 100, "discover": 0}, {"open": 50}]) == {
        "open": 75,
        "discover": 0,
    }
    assert measures.mean_per_skill([]) == {}


def test_weakest_skills_prefer_the_post_score():
    pre = {"open": 20, "discover": 60, "hand-over": 40, "close": 90}
    post = {"open": 80, "discover": 50}
    # latest: open 80 (post), discover 50 (post), hand-over 40 (pre), close 90 (pre).
    assert measures.weakest_skills(pre=pre, post=post, count=2) == [
        ("hand-over", 40),
        ("discover", 50),
    ]


def test_weakest_skills_break_ties_by_key():
    assert measures.weakest_skills(pre={"b": 50, "a": 50, "c": 10}, post={}) == [
        ("c", 10),
        ("a", 50),
        ("b", 50),
    ]


@pytest.mark.parametrize(
    ("started", "completed", "due_on", "expected"),
    [
        (None, None, TODAY, Status.ASSIGNED),  # due today is not overdue yet
        (True, None, TODAY, Status.STARTED),
        (None, None, TODAY - datetime.timedelta(days=1), Status.OVERDUE),
        (True, None, TODAY - datetime.timedelta(days=1), Status.OVERDUE),
        (True, True, TODAY - datetime.timedelta(days=30), Status.COMPLETED),  # late but done
    ],
)
def test_enrollment_status(started, completed, due_on, expected):
    moment = datetime.datetime(2025, 3, 1, tzinfo=datetime.UTC)
    status = measures.enrollment_status(
        started_at=moment if started else None,
        completed_at=moment if completed else None,
        due_on=due_on,
        today=TODAY,
    )
    assert status == expected


def test_progress_percent():
    assert measures.progress_percent(3, 30) == 10
    assert measures.progress_percent(2, 3) == 67
    assert measures.progress_percent(0, 0) == 0
    assert measures.progress_percent(5, 4) == 100


def days_back(*offsets):
    return [TODAY - datetime.timedelta(days=offset) for offset in offsets]


def test_streak_counts_consecutive_days_up_to_today():
    assert measures.streak(days_back(0, 1, 2, 4), today=TODAY) == 3


def test_streak_is_still_alive_before_todays_lesson():
    assert measures.streak(days_back(1, 2), today=TODAY) == 2


def test_streak_is_broken_by_a_missed_day():
    assert measures.streak(days_back(2, 3, 4), today=TODAY) == 0
    assert measures.streak([], today=TODAY) == 0


def test_streak_ignores_duplicates_and_future_days():
    assert measures.streak(days_back(0, 0, 1, -1), today=TODAY) == 2
