"""The readiness measures against values worked out by hand."""

import datetime

import pytest

from culturegap import measures


def test_ratings_map_from_one_to_four_onto_zero_to_a_hundred():
    assert [measures.rating_percent(r) for r in (1, 2, 3, 4)] == pytest.approx(
        [0, 100 / 3, 200 / 3, 100]
    )
    with pytest.raises(ValueError):
        measures.rating_percent(5)
    with pytest.raises(ValueError):
        measures.rating_percent(0)


def test_behaviour_score_is_the_mean_of_mapped_ratings_ignoring_not_observed():
    # (3−1)/3×100 = 66.67, (4−1)/3×100 = 100, (2−1)/3×100 = 33.33 → mean 66.67; None is skipped.
    assert measures.behaviour_score([3, None, 4, 2, None]) == pytest.approx(200 / 3)
    assert measures.behaviour_score([None, None]) is None
    assert measures.behaviour_score([]) is None
    assert measures.behaviour_score([1, 1]) == 0


def test_knowledge_is_the_post_score_or_the_pre_until_the_post_is_taken():
    assert measures.knowledge_score(post=80, pre=40) == 80
    assert measures.knowledge_score(post=None, pre=40) == 40
    assert measures.knowledge_score(post=0, pre=40) == 0
    assert measures.knowledge_score(post=None, pre=None) is None


def test_readiness_with_every_component():
    # 0.4 × 80 + 0.3 × 90 + 0.3 × 66.67 = 32 + 27 + 20 = 79.0
    readiness = measures.readiness_index(knowledge=80, retention=0.9, behaviour=200 / 3)
    assert readiness.value == pytest.approx(79.0)
    assert readiness.used == ["knowledge", "retention", "behaviour"]
    assert readiness.missing == []
    assert readiness.weights == pytest.approx(
        {"knowledge": 0.4, "retention": 0.3, "behaviour": 0.3}
    )


def test_a_missing_component_shares_its_weight_among_the_others():
    # (0.4 × 80 + 0.3 × 90) / 0.7 = 59 / 0.7 = 84.29
    readiness = measures.readiness_index(knowledge=80, retention=0.9, behaviour=None)
    assert readiness.value == pytest.approx(84.2857, abs=1e-4)
    assert readiness.missing == ["behaviour"]
    assert readiness.weights == pytest.approx({"knowledge": 4 / 7, "retention": 3 / 7})
    # Knowledge only: the index is the knowledge score itself.
    assert measures.readiness_index(knowledge=55, retention=None, behaviour=None).value == 55
    # Retention and behaviour: (0.3 × 50 + 0.3 × 100) / 0.6 = 75
    assert measures.readiness_index(
        knowledge=None, retention=0.5, behaviour=100
    ).value == pytest.approx(75)


def test_no_evidence_is_no_readiness_not_zero():
    readiness = measures.readiness_index(knowledge=None, retention=None, behaviour=None)
    assert readiness.value is None and readiness.used == []


def test_team_readiness_is_the_mean_over_people_with_a_score():
    assert measures.team_readiness([79.0, None, 84.29 - 4.29]) == pytest.approx(79.5)
    assert measures.team_readiness([None]) is None


def test_skill_readiness_applies_the_formula_to_each_skill():
    cells = measures.skill_readiness(
        knowledge={"open": 100, "discover": 50},
        retention={"open": 0.8},
        behaviour={"discover": 0.0},
        skills=["open", "discover", "propose"],
    )
    # open: (0.4 × 100 + 0.3 × 80) / 0.7 = 64 / 0.7 = 91.43
    # discover: (0.4 × 50 + 0.3 × 0) / 0.7 = 20 / 0.7 = 28.57
    assert cells["open"] == pytest.approx(91.4286, abs=1e-4)
    assert cells["discover"] == pytest.approx(28.5714, abs=1e-4)
    assert cells["propose"] is None


def test_not_observed_since_flags_the_never_observed_and_the_long_ago():
    cutoff = datetime.date(2026, 1, 31)
    last = {"ann": datetime.date(2026, 2, 1), "bob": datetime.date(2026, 1, 30), "cy": None}
    assert measures.not_observed_since(last, since=cutoff) == ["bob", "cy"]
