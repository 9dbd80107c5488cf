"""The culture chapter of the demo company."""

import datetime

import pytest

from culturegap.culture import demo as culture_demo
from culturegap.culture import selectors
from culturegap.culture.demo import WAVES
from culturegap.culture.models import Participation, Response, Wave
from culturegap.demo.company import DEMO_CHAPTERS, seed_demo_company
from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import Person, Role

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def culture_chapter_only(monkeypatch):
    monkeypatch.setattr("culturegap.demo.company.DEMO_CHAPTERS", [culture_demo.seed])


@pytest.fixture
def demo(db):
    return seed_demo_company(people=200, customers=400, today=TODAY).company


def test_the_chapter_is_registered():
    assert culture_demo.seed in DEMO_CHAPTERS  # imported before the patch


def test_four_waves_the_last_open_for_the_demo_crp(demo):
    waves = list(Wave.objects.filter(company=demo).order_by("opened_on"))
    assert [w.name for w in waves] == [name for name, *_ in WAVES]
    assert [w.is_open for w in waves] == [False, False, False, True]
    crp = Person.objects.get(email=DEMO_EMAILS[Role.CRP])
    assert selectors.open_wave_for(crp) == waves[-1]
    # Most customer-contact staff answered each closed wave.
    eligible = selectors.eligible_staff(company=demo).count()
    for wave in waves[:3]:
        answered = Participation.objects.filter(wave=wave).count()
        assert answered == Response.objects.filter(wave=wave).count()
        assert answered > 0.7 * eligible


def test_the_gap_closes_in_some_teams_and_not_in_others(demo):
    before, mid, after, _now = selectors.wave_gaps(demo)
    # Company-wide the gap narrows on every dimension from before the rollout to after it.
    for dimension in ("vision", "strategy", "behaviours"):
        assert after.gap[dimension] < before.gap[dimension] - 0.2
    waves = list(Wave.objects.filter(company=demo).order_by("opened_on"))
    first = {s.team_name: s for s in selectors.team_scores(demo, waves[0]) if s.shown}
    last = {s.team_name: s for s in selectors.team_scores(demo, waves[2]) if s.shown}
    rises = {
        name: last[name].means["strategy"] - first[name].means["strategy"]
        for name in first.keys() & last.keys()
        if last[name].team_kind != "sales"
    }
    assert any(rise > 0.6 for rise in rises.values())
    assert any(abs(rise) < 0.3 for rise in rises.values())
