"""Retention measures against values worked out by hand."""

import datetime

import pytest

from culturegap import measures

T0 = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


def day(n: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=n)


def curve(stability: float, days: int) -> float:
    """A forgetting curve easy to work by hand: 1 / (1 + days / stability)."""
    return 1 / (1 + days / stability)


def test_person_retention_is_the_mean_over_their_cards():
    assert measures.person_retention([0.9, 0.7]) == pytest.approx(0.8)
    assert measures.person_retention([]) is None


def test_retention_by_skill():
    cards = [("open", 0.9), ("open", 0.7), ("discover", 0.6)]
    assert measures.retention_by_skill(cards) == pytest.approx({"discover": 0.6, "open": 0.8})


def test_team_retention_is_the_mean_over_people_not_cards():
    # Ann: 0.9 and 0.7 → 0.8; Bob: one card at 0.6 → 0.6; Cy has no cards.
    ann = measures.person_retention([0.9, 0.7])
    bob = measures.person_retention([0.6])
    cy = measures.person_retention([])
    assert measures.team_retention([ann, bob, cy]) == pytest.approx(0.7)
    assert measures.team_retention([None, None]) is None


def test_team_retention_by_skill():
    people = [{"open": 0.8, "discover": 0.6}, {"open": 0.4}]
    expected = {"discover": 0.6, "open": 0.6}
    assert measures.team_retention_by_skill(people) == pytest.approx(expected)


def test_below_threshold_is_strict_and_skips_people_without_cards():
    values = {"ann": 0.65, "bob": 0.7, "cy": None, "di": 0.9}
    assert measures.below_threshold(values, 0.7) == ["ann"]


def test_retrievability_at_uses_the_last_review_before_the_moment():
    history = [(day(0), 2.0), (day(4), 10.0)]
    assert measures.retrievability_at(history, day(-1), curve) is None
    assert measures.retrievability_at(history, day(2), curve) == pytest.approx(0.5)  # 1/(1+2/2)
    # Whole days only: 5.5 days after the second review count as 5 → 1/(1+5/10).
    assert measures.retrievability_at(history, day(9.5), curve) == pytest.approx(2 / 3)


def test_person_and_team_retention_series():
    card_a = [(day(0), 2.0)]
    card_b = [(day(3), 4.0)]
    points = [day(-1), day(2), day(7)]
    # day -1: no card yet; day 2: only A, 1/(1+2/2)=0.5; day 7: A 1/(1+7/2)=2/9, B 1/(1+4/4)=0.5.
    person = measures.person_retention_series([card_a, card_b], points, curve)
    assert person[0] is None
    assert person[1] == pytest.approx(0.5)
    assert person[2] == pytest.approx((2 / 9 + 0.5) / 2)
    # A second person with one card reviewed on day 6 with stability 1: day 7 → 0.5.
    team = measures.team_retention_series([[card_a, card_b], [[(day(6), 1.0)]]], points, curve)
    assert team[0] is None
    assert team[1] == pytest.approx(0.5)
    assert team[2] == pytest.approx(((2 / 9 + 0.5) / 2 + 0.5) / 2)
