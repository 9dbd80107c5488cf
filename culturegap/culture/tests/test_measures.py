"""The culture-gap measures against values worked out by hand."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from culturegap.measures import culture as measure
from culturegap.measures.culture import GroupTotals

DIMENSION_OF = {"v1": "vision", "v2": "vision", "s1": "strategy", "s2": "strategy",
                "s3": "strategy", "b1": "behaviours"}  # fmt: skip


def group(key, kind, respondents, vision, strategy=None, behaviours=None):
    strategy = vision if strategy is None else strategy
    behaviours = vision if behaviours is None else behaviours
    return GroupTotals(
        key, kind, respondents, {"vision": vision, "strategy": strategy, "behaviours": behaviours}
    )


def test_dimension_means_average_each_dimension_statements():
    # vision (4 + 5) / 2 = 4.5; strategy (2 + 3 + 4) / 3 = 3.0; behaviours 1 / 1 = 1.0
    scores = {"v1": 4, "v2": 5, "s1": 2, "s2": 3, "s3": 4, "b1": 1}
    assert measure.dimension_means(scores, DIMENSION_OF) == {
        "vision": 4.5,
        "strategy": 3.0,
        "behaviours": 1.0,
    }


@pytest.mark.parametrize("bad", [0, 6, 2.5, "3", True, None])
def test_a_score_outside_1_to_5_is_refused(bad):
    scores = {"v1": 4, "v2": bad, "s1": 2, "s2": 3, "s3": 4, "b1": 1}
    with pytest.raises(ValueError, match="1–5"):
        measure.dimension_means(scores, DIMENSION_OF)


def test_a_missing_statement_is_named():
    scores = {"v1": 4, "s1": 2, "s2": 3, "s3": 4, "b1": 1}
    with pytest.raises(ValueError, match="v2"):
        measure.dimension_means(scores, DIMENSION_OF)


def test_mean_and_shown_threshold():
    assert measure.mean([1, 2, 4]) == pytest.approx(7 / 3)
    assert measure.mean([]) is None
    assert measure.MIN_GROUP == 5
    assert not measure.is_shown(4) and measure.is_shown(5)


def test_pooled_means_weight_by_respondents_and_leave_out_small_groups():
    # 5 respondents summing 20 (mean 4) and 6 summing 12 (mean 2): (20 + 12) / 11 = 2.909…;
    # the 4-respondent group (sum 20, mean 5) is left out, so it changes nothing.
    groups = [group(1, "service", 5, 20.0), group(2, "support", 6, 12.0)]
    pooled = measure.pooled_means(groups)
    assert pooled.respondents == 11
    assert pooled.means["vision"] == pytest.approx(32 / 11)
    with_small = measure.pooled_means([*groups, group(3, "support", 4, 20.0)])
    assert with_small == pooled


def test_pooled_means_are_none_below_the_threshold():
    pooled = measure.pooled_means([group(1, "sales", 4, 16.0)])
    assert pooled.respondents == 0
    assert pooled.means == {"vision": None, "strategy": None, "behaviours": None}


def test_gap_is_absolute_difference_of_sales_and_crp_means():
    assert measure.gap(4.4, 2.6) == pytest.approx(1.8)
    assert measure.gap(2.6, 4.4) == pytest.approx(1.8)
    assert measure.gap(None, 3.0) is None
    assert measure.gap(3.0, None) is None


def test_culture_gap_pools_sales_against_every_other_team_kind():
    # Sales: one team, 5 × vision 4.4 → sum 22, mean 4.4.
    # CRPs: service 5 respondents sum 13 (2.6) + professional 5 sum 17 (3.4) → 30 / 10 = 3.0.
    # Gap vision = |4.4 − 3.0| = 1.4. Small support team (3 respondents, sum 3) left out;
    # no-team respondents (kind "") count in the total only: 5 + 5 + 5 + 5 = 20.
    groups = [
        group(1, "sales", 5, 22.0, 20.0, 15.0),
        group(2, "service", 5, 13.0, 15.0, 20.0),
        group(3, "professional", 5, 17.0, 15.0, 20.0),
        group(4, "support", 3, 3.0, 3.0, 3.0),
        group(None, "", 5, 5.0, 5.0, 5.0),
    ]
    result = measure.culture_gap(groups)
    assert result.respondents == 20
    assert result.sales.means["vision"] == pytest.approx(4.4)
    assert result.crp.means["vision"] == pytest.approx(3.0)
    assert result.gap["vision"] == pytest.approx(1.4)
    # strategy: sales 20/5 = 4.0, CRP 30/10 = 3.0 → 1.0; behaviours 15/5 = 3.0 vs 40/10 = 4.0 → 1.0
    assert result.gap["strategy"] == pytest.approx(1.0)
    assert result.gap["behaviours"] == pytest.approx(1.0)


def test_culture_gap_is_unknown_when_one_side_is_too_small():
    result = measure.culture_gap([group(1, "sales", 4, 16.0), group(2, "service", 9, 27.0)])
    assert result.sales.means["vision"] is None
    assert result.crp.means["vision"] == pytest.approx(3.0)
    assert result.gap == {"vision": None, "strategy": None, "behaviours": None}


def test_distance_to_target_is_target_minus_mean():
    assert measure.distance_to_target(4.0, 2.6) == pytest.approx(1.4)
    assert measure.distance_to_target(3.5, 4.0) == pytest.approx(-0.5)
    assert measure.distance_to_target(4.0, None) is None


def test_gap_change_between_waves():
    # vision 1.8 → 0.5 closes by 1.3; strategy 1.0 → 1.2 widens by 0.2; behaviours unknown.
    change = measure.gap_change(
        {"vision": 1.8, "strategy": 1.0, "behaviours": None},
        {"vision": 0.5, "strategy": 1.2, "behaviours": 0.3},
    )
    assert change["vision"] == pytest.approx(-1.3)
    assert change["strategy"] == pytest.approx(0.2)
    assert change["behaviours"] is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["sales", "service", "support", ""]),
            st.integers(min_value=1, max_value=9),
            st.floats(min_value=1, max_value=5),
        ),
        max_size=8,
    ),
    st.data(),
)
def test_no_filter_tells_anything_about_a_small_team(rows, data):
    """For any teams and any filter, adding or removing teams below MIN_GROUP never changes a
    figure: every aggregate equals the one computed without them."""
    groups = [
        group(index, kind, respondents, mean * respondents)
        for index, (kind, respondents, mean) in enumerate(rows)
    ]
    chosen = data.draw(st.sets(st.sampled_from(range(len(groups)))) if groups else st.just(set()))
    filtered = [g for g in groups if g.key in chosen]
    without_small = [g for g in filtered if g.respondents >= measure.MIN_GROUP]
    assert measure.culture_gap(filtered) == measure.culture_gap(without_small)
