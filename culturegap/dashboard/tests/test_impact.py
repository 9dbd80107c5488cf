"""The impact estimator (culturegap.measures.impact) on generated data with a known effect, and
the impact section of the dashboard on a staggered rollout written to the database."""

import datetime

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from culturegap.dashboard import selectors
from culturegap.measures import impact
from culturegap.opportunities.models import Opportunity, Source
from culturegap.org import scope as org_scope
from culturegap.org.tests.factories import CustomerFactory, PersonFactory, TeamFactory
from culturegap.training.models import Assignment
from culturegap.training.tests.factories import CurriculumFactory


def test_a_planted_effect_is_recovered():
    # 30 teams, 24 months, cohorts starting in months 6, 12 and 18, +0.4 from each start.
    estimate = impact.staggered_did(impact.simulated_panel(seed=11, effect=0.4))
    assert estimate.ok
    assert estimate.low <= 0.4 <= estimate.high
    assert estimate.low > 0
    assert estimate.teams == 30 and estimate.degrees_of_freedom == 29
    # Months 18–23 (everyone trained) are left out: 30 teams × 18 months.
    assert estimate.observations == 540
    # The event study: before the start near zero, after it near 0.4.
    before = [p.effect for p in estimate.events if p.periods_since_start < -1]
    after = [p.effect for p in estimate.events if p.periods_since_start >= 0]
    assert abs(np.mean(before)) < 0.15
    assert abs(np.mean(after) - 0.4) < 0.15
    assert any(point.reference for point in estimate.events)


def test_no_effect_gives_an_interval_around_zero():
    estimate = impact.staggered_did(impact.simulated_panel(seed=12, effect=0.0))
    assert estimate.low <= 0 <= estimate.high
    assert not estimate.excludes_zero


def test_the_interval_covers_the_true_effect_about_95_times_in_100():
    estimates = [
        impact.staggered_did(impact.simulated_panel(seed=seed), event_study=False)
        for seed in range(100)
    ]
    covered = sum(estimate.low <= 0.4 <= estimate.high for estimate in estimates)
    assert 88 <= covered <= 99


def test_the_interval_uses_student_t_with_teams_minus_one_degrees_of_freedom():
    estimate = impact.staggered_did(impact.simulated_panel(seed=3, teams=9, starts=(6, 12)))
    # t(8) at 97.5 % is 2.306 (tables), wider than the normal 1.96.
    assert (estimate.high - estimate.effect) / estimate.std_error == pytest.approx(2.306, abs=1e-3)


def test_weights_count_a_team_period_with_more_answers_more():
    panel = impact.simulated_panel(seed=5, effect=0.0)
    panel["weight"] = 1.0
    # One treated cell with a wild value: with weight ~0 it no longer moves the estimate.
    outlier = panel.index[(panel.team == 0) & (panel.period == 8)][0]
    panel.loc[outlier, "y"] += 50
    unweighted = impact.staggered_did(panel.drop(columns="weight"), event_study=False)
    panel.loc[outlier, "weight"] = 1e-9
    weighted = impact.staggered_did(panel, event_study=False)
    assert unweighted.effect > 0.2
    assert abs(weighted.effect) < abs(unweighted.effect) / 5


def test_too_few_teams_gives_a_reason_not_a_number():
    estimate = impact.staggered_did(impact.simulated_panel(seed=1, teams=4, starts=(6, 12)))
    assert not estimate.ok and estimate.effect is None
    assert "at least 5" in estimate.reason
    assert "No estimate" in impact.explain(estimate, outcome="x", unit="y", period="month")


def test_no_not_yet_trained_comparison_gives_a_reason():
    # Every team starts in the same month: there is never a trained and an untrained team at once.
    estimate = impact.staggered_did(impact.simulated_panel(seed=1, starts=(6,)))
    assert not estimate.ok
    assert "while others were not yet" in estimate.reason


def test_teams_never_trained_are_a_comparison_throughout():
    panel = impact.simulated_panel(seed=8, starts=(6, 12))
    never = panel.team % 3 == 0
    panel.loc[never, "y"] -= 0.4 * (panel.loc[never, "period"] >= panel.loc[never, "start"])
    panel.loc[never, "start"] = np.nan
    estimate = impact.staggered_did(panel)
    # With never-trained teams every month keeps a comparison: no month is left out.
    assert estimate.ok and estimate.observations == len(panel)
    assert estimate.low <= 0.4 <= estimate.high


def test_the_sentence_says_what_it_does_and_does_not_prove():
    estimate = impact.staggered_did(impact.simulated_panel(seed=11))
    sentence = impact.explain(
        estimate, outcome="opportunities", unit="opportunities per CRP per month", period="month"
    )
    assert f"{estimate.low:+.2f} to {estimate.high:+.2f}" in sentence
    assert "parallel" in sentence
    assert "any one person" in sentence


# --- The dashboard's panel from the database ---------------------------------------------------


def _month_start(today: datetime.date, back: int) -> datetime.date:
    index = today.year * 12 + today.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def rollout(company, staff):
    """Eight CRP teams of four CRPs, half trained 9 months ago, half 4 months ago; every CRP
    finds 1 need a month before their team's training and 2 a month from its start."""
    today = timezone.localdate()
    curriculum = CurriculumFactory(company=company)
    customer = CustomerFactory(company=company)
    zone = org_scope.company_zone(company)
    rows = []
    for number in range(8):
        team = TeamFactory(company=company, name=f"Crew {number}", kind="service")
        back = 9 if number % 2 == 0 else 4
        starts = _month_start(today, back)
        Assignment.objects.create(
            company=company,
            curriculum=curriculum,
            team=team,
            starts_on=starts,
            due_on=starts + datetime.timedelta(days=60),
        )
        people = [
            PersonFactory(
                company=company,
                team=team,
                date_joined=timezone.now() - datetime.timedelta(days=1000),
            )
            for _ in range(4)
        ]
        for back_months in range(1, 13):
            month = _month_start(today, back_months)
            per_person = 2 if month >= starts else 1
            for person in people:
                for n in range(per_person):
                    at = datetime.datetime.combine(
                        month + datetime.timedelta(days=3 + n), datetime.time(10), zone
                    )
                    rows.append(
                        Opportunity(
                            company=company,
                            customer=customer,
                            need="More help.",
                            channel="phone",
                            source=Source.CRP,
                            found_by=person,
                            found_by_team=team,
                            created_at=at,
                        )
                    )
    Opportunity.objects.bulk_create(rows)


def test_the_dashboard_recovers_the_rollout_effect(staff, rollout):
    scope = selectors.scope_for(viewer=staff["executive"], params={})
    panel = selectors.opportunity_panel(scope)
    assert isinstance(panel, pd.DataFrame)
    section = selectors.impact_section(scope)
    opportunities = section.results[0].estimate
    # Exactly one more need per CRP per month from the start, no noise: β = 1.
    assert opportunities.effect == pytest.approx(1.0, abs=1e-6)
    assert opportunities.trained_teams == 4 and opportunities.comparison_teams == 4
    assert section.table.rows[0][1] == 1.0
    # No loyalty answers: no number for the NPS, and the reason is in the table.
    assert section.table.rows[1][1] is None and section.table.rows[1][-1]


def test_partialling_out_gives_the_full_dummy_regression():
    # The same model fitted the long way: statsmodels WLS with a dummy per team and period,
    # errors clustered by team. Frisch–Waugh–Lovell says coefficient and errors are equal.
    import statsmodels.api as sm

    panel = impact.simulated_panel(seed=21, teams=12, starts=(5, 9, 14))
    panel["weight"] = np.random.default_rng(1).integers(1, 50, len(panel)).astype(float)
    estimate = impact.staggered_did(panel, event_study=False)
    kept = panel[panel.period < 14].copy()
    kept["trained"] = (kept.period >= kept.start).astype(float)
    design = pd.concat(
        [
            kept[["trained"]],
            pd.get_dummies(kept.team, prefix="t", drop_first=True, dtype=float),
            pd.get_dummies(kept.period, prefix="p", drop_first=True, dtype=float),
        ],
        axis=1,
    )
    design.insert(0, "const", 1.0)
    full = sm.WLS(kept.y, design, weights=kept.weight).fit(
        cov_type="cluster", cov_kwds={"groups": kept.team.to_numpy()}
    )
    assert estimate.effect == pytest.approx(full.params["trained"], rel=1e-9)
    assert estimate.std_error == pytest.approx(full.bse["trained"], rel=1e-9)


def _another_need(like: Opportunity, need: str) -> Opportunity:
    return Opportunity.objects.create(
        company=like.company,
        customer=like.customer,
        need=need,
        channel="phone",
        source=Source.CRP,
        found_by=like.found_by,
        found_by_team=like.found_by_team,
        created_at=like.created_at,
    )


def test_the_kept_analysis_is_recomputed_after_new_data_at_most_every_ten_minutes(staff, rollout):
    scope = selectors.scope_for(viewer=staff["executive"], params={})
    start = timezone.now()
    first = selectors.cached_impact_section(scope, start)
    assert first.computed_at == start
    # Nothing new: kept, even an hour later.
    later = start + datetime.timedelta(minutes=50)
    assert selectors.cached_impact_section(scope, later).computed_at == start
    crew = Opportunity.objects.filter(found_by_team__name="Crew 0").order_by("created_at")[0]
    _another_need(crew, "One more.")
    # A need recorded: recomputed at the next view, since the analysis is over ten minutes old.
    again = selectors.cached_impact_section(scope, later)
    assert again.computed_at == later
    assert again.value.table.rows[0][1] != first.value.table.rows[0][1]
    # Another need five minutes later: the analysis of five minutes ago is kept.
    _another_need(crew, "And another.")
    soon = later + datetime.timedelta(minutes=5)
    assert selectors.cached_impact_section(scope, soon).computed_at == later
    eleven = later + datetime.timedelta(minutes=11)
    assert selectors.cached_impact_section(scope, eleven).computed_at == eleven


def test_the_api_gives_the_impact_the_page_shows(client, staff, rollout):
    from culturegap.api.services import create_token

    secret = create_token(person=staff["executive"], name="BI").secret
    response = client.get("/api/v1/dashboard/impact", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    opportunities = next(result for result in body["results"] if result["key"] == "opportunities")
    # The rollout plants exactly one more need per CRP per month: β = 1, as on the page.
    assert opportunities["effect"] == pytest.approx(1.0)
    assert opportunities["low"] <= 1.0 <= opportunities["high"]
    assert opportunities["teams"] == 8 and opportunities["reason"] is None
    assert "per CRP per month" in opportunities["sentence"]
    assert any(point["reference"] for point in opportunities["events"])
    scope = selectors.scope_for(viewer=staff["executive"], params={})
    section = selectors.impact_section(scope)
    assert [table["rows"] for table in body["tables"]] == [
        section.table.rows,
        section.events_table.rows,
    ]
    # A CRP's token may not read it; a malformed team is a 400 naming the field.
    crp = create_token(person=staff["crp"], name="mine").secret
    assert (
        client.get("/api/v1/dashboard/impact", HTTP_AUTHORIZATION=f"Bearer {crp}").status_code
        == 403
    )
    bad = client.get(
        "/api/v1/dashboard/impact", {"team": "x"}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert bad.status_code in (400, 422) and "team" in bad.content.decode()
