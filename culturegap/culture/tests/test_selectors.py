"""Culture results read from a small hand-built company: means, gap, distance, trend and the
anonymity rule under filtering."""

import datetime

import pytest

from culturegap.culture import selectors, services
from culturegap.culture.tests.factories import add_answers, make_wave
from culturegap.org.tests.factories import PersonFactory, TeamFactory


@pytest.fixture
def survey(company):
    """Wave 1 with a sales team and a service team of 5 each and a support team of 4.

    Sales: vision 4,4,5,5,4 (mean 4.4), strategy 4 (4.0), behaviours 3 (3.0).
    Service: vision 2,3,3,2,3 (mean 2.6), strategy 3 (3.0), behaviours 4 (4.0).
    Support (4 people): vision 1, strategy 5, behaviours 1 — never counted.
    Wave 2: sales vision 4.0, service vision 3.5, everything else 3.0.
    """
    sales = TeamFactory(company=company, name="Sales North", kind="sales")
    service = TeamFactory(company=company, name="Service Desk", kind="service")
    support = TeamFactory(company=company, name="Tiny Support", kind="support")
    first = make_wave(company, name="Wave 1", opened_on=datetime.date(2026, 1, 5))
    add_answers(first, sales, [(v, 4, 3) for v in (4, 4, 5, 5, 4)])
    add_answers(first, service, [(v, 3, 4) for v in (2, 3, 3, 2, 3)], open_answer="Lunch together")
    add_answers(first, support, [(1, 5, 1)] * 4, open_answer="We are only four")
    second = make_wave(company, name="Wave 2", opened_on=datetime.date(2026, 6, 1))
    add_answers(second, sales, [(4, 3, 3)] * 5)
    add_answers(second, service, [(3.5, 3, 3)] * 5)
    return {"sales": sales, "service": service, "support": support, "waves": [first, second]}


def test_wave_gaps_on_hand_computed_values(company, survey):
    first, second = selectors.wave_gaps(company)
    assert (first.name, second.name) == ("Wave 1", "Wave 2")
    assert first.respondents == 10  # the support team's four are not counted
    assert first.sales_mean["vision"] == pytest.approx(4.4)
    assert first.crp_mean["vision"] == pytest.approx(2.6)
    # |4.4 − 2.6| = 1.8; |4 − 3| = 1.0; |3 − 4| = 1.0
    assert first.gap["vision"] == pytest.approx(1.8)
    assert first.gap["strategy"] == pytest.approx(1.0)
    assert first.gap["behaviours"] == pytest.approx(1.0)
    # Trend: wave 2 vision |4.0 − 3.5| = 0.5, strategy 0, behaviours 0.
    assert second.gap["vision"] == pytest.approx(0.5)
    assert second.gap["strategy"] == pytest.approx(0.0)


def test_team_scores_and_distance_from_target(company, survey):
    services.set_targets(company=company, targets={"strategy": 3.5})
    scores = {s.team_name: s for s in selectors.team_scores(company, survey["waves"][0])}
    sales, service, small = scores["Sales North"], scores["Service Desk"], scores["Tiny Support"]
    assert service.means["vision"] == pytest.approx(2.6)
    # vision target 4.0 (default) − 2.6 = 1.4; strategy 3.5 − 3.0 = 0.5; behaviours 4 − 4 = 0
    assert service.distance_to_target["vision"] == pytest.approx(1.4)
    assert service.distance_to_target["strategy"] == pytest.approx(0.5)
    assert service.distance_to_target["behaviours"] == pytest.approx(0.0)
    # Sales is above the strategy target: 3.5 − 4.0 = −0.5
    assert sales.distance_to_target["strategy"] == pytest.approx(-0.5)
    assert small.shown is False
    assert small.means is None and small.distance_to_target is None


def test_a_team_of_four_cannot_be_derived_by_filtering(company, survey):
    everyone = selectors.wave_gaps(company)
    without_small = selectors.wave_gaps(company, teams=[survey["sales"].pk, survey["service"].pk])
    with_small = selectors.wave_gaps(
        company, teams=[survey["sales"].pk, survey["service"].pk, survey["support"].pk]
    )
    assert everyone == without_small == with_small
    only_small = selectors.wave_gaps(company, teams=[survey["support"].pk])[0]
    assert only_small.respondents == 0
    assert set(only_small.crp_mean.values()) == {None}
    assert set(only_small.gap.values()) == {None}
    # Service alone is shown (5 respondents); service + the small team is the same figure.
    alone = selectors.wave_gaps(company, teams=[survey["service"].pk])[0]
    pair = selectors.wave_gaps(company, teams=[survey["service"].pk, survey["support"].pk])[0]
    assert alone == pair
    assert alone.crp_mean["vision"] == pytest.approx(2.6)


def test_open_answers_come_only_from_shown_teams(company, survey):
    answers = selectors.open_answers(company, survey["waves"][0])
    assert answers == [("Service Desk", "Lunch together")] * 5


def test_open_wave_for_a_person(company, survey):
    crp = PersonFactory(company=company, team=survey["service"])
    executive = PersonFactory(company=company, team=None, is_crp=False, is_executive=True)
    assert selectors.open_wave_for(crp) is None  # both waves are closed
    wave = make_wave(company, name="Now", opened_on=datetime.date(2026, 9, 1), closed=False)
    assert selectors.open_wave_for(crp) == wave
    assert selectors.open_wave_for(executive) is None
    scores = {item["key"]: 4 for item in wave.statements}
    services.submit_answer(wave=wave, person=crp, scores=scores)
    assert selectors.open_wave_for(crp) is None


def test_another_company_sees_nothing(other_company, survey):
    assert selectors.wave_gaps(other_company) == []
    assert selectors.team_scores(other_company, survey["waves"][0]) == []
