"""The coaching chapter of the demo: a scorecard from the starter playbook and nine months of
observations that improve once training starts."""

import datetime
import random
from statistics import mean

import pytest

from culturegap import measures
from culturegap.coaching import demo, selectors
from culturegap.coaching.models import Observation, ObservationRating, Scorecard
from culturegap.demo.company import seed_demo_company
from culturegap.org import scope as org_scope
from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import Person, Role
from culturegap.training import demo as training_demo
from culturegap.training.models import Enrollment


@pytest.fixture
def harbourline(db, monkeypatch):
    # The training chapter imports the starter pack (the published playbook) and enrolls people.
    monkeypatch.setattr("culturegap.demo.company.DEMO_CHAPTERS", [training_demo.seed])
    company = seed_demo_company(people=60, customers=300).company
    today = org_scope.company_today(company)
    demo.seed(company=company, rng=random.Random(4), today=today, progress=False)
    return company


def test_the_scorecard_has_one_behaviour_per_playbook_step(harbourline):
    scorecard = Scorecard.objects.get(company=harbourline, is_active=True)
    playbook = selectors.published_playbook(company=harbourline)
    assert [i.skill for i in scorecard.items.all()] == [s.key for s in playbook.steps.all()]


def test_managers_observe_their_own_people_in_the_last_nine_months(harbourline):
    today = org_scope.company_today(harbourline)
    observations = Observation.objects.filter(company=harbourline).select_related("person")
    assert observations.filter(kind="manager").count() > 20
    assert observations.filter(kind="self").exists()
    for observation in observations:
        assert today - datetime.timedelta(days=demo.HISTORY_DAYS) <= observation.observed_on
        assert observation.observed_on <= today
        if observation.kind == "self":
            assert observation.observer_id == observation.person_id
        else:
            assert observation.observer_id == observation.person.manager_id
        assert observation.ratings.exclude(rating=None).exists()


def test_the_demo_manager_has_observed_the_demo_crp(harbourline):
    manager = Person.objects.get(email=DEMO_EMAILS[Role.MANAGER])
    crp = Person.objects.get(email=DEMO_EMAILS[Role.CRP])
    seen = Observation.objects.filter(person=crp, observer=manager, kind="manager")
    assert seen.count() >= 2
    evidence = selectors.readiness_of(person=crp)
    assert evidence.behaviour.score is not None and not evidence.overdue
    assert Observation.objects.filter(person=crp, kind="self").exists()
    coaching = selectors.team_coaching(viewer=manager, team=crp.team)
    assert crp in [row.person for row in coaching.people]


def test_ratings_improve_after_training_starts(harbourline):
    starts = dict(Enrollment.objects.filter(company=harbourline).values_list("person", "starts_on"))
    before, after = [], []
    rows = ObservationRating.objects.filter(
        observation__company=harbourline, observation__kind="manager", rating__isnull=False
    ).values_list("observation__person", "observation__observed_on", "rating")
    for person, day, rating in rows:
        start = starts.get(person)
        if start and day > start + datetime.timedelta(days=demo.GAIN_DAYS):
            after.append(rating)
        elif start is None or day <= start:
            before.append(rating)
    assert before and after
    assert mean(after) > mean(before) + 0.6
    assert measures.behaviour_score(after) > measures.behaviour_score(before)


def test_without_a_published_playbook_the_chapter_writes_nothing(db, company):
    demo.seed(
        company=company, rng=random.Random(1), today=datetime.date(2026, 1, 1), progress=False
    )
    assert not Scorecard.objects.exists() and not Observation.objects.exists()


def test_a_big_company_is_capped(harbourline, monkeypatch):
    monkeypatch.setattr(demo, "MAX_OBSERVATIONS", 30)
    Observation.objects.all().delete()
    today = org_scope.company_today(harbourline)
    demo.seed(company=harbourline, rng=random.Random(9), today=today, progress=False)
    crp = Person.objects.get(email=DEMO_EMAILS[Role.CRP])
    # About the cap (managers are sampled), and the demo logins keep their story.
    assert Observation.objects.count() <= 60
    assert Observation.objects.filter(person=crp, kind="manager").count() >= 2
