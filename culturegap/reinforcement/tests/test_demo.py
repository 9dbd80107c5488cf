"""The reinforcement chapter of the demo: cards from the training history, drills, a drill
waiting for the demo CRP, the same figures for the same seed."""

import datetime
import random

import pytest

from culturegap.demo import company as demo_module
from culturegap.demo.company import seed_demo_company
from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import Person, Role
from culturegap.reinforcement import demo as reinforcement_demo
from culturegap.reinforcement import selectors
from culturegap.reinforcement.models import Card, Drill, Review
from culturegap.training import demo as training_demo
from culturegap.training.models import Answer

TODAY = datetime.date(2026, 6, 30)
NOON = datetime.datetime(2026, 6, 30, 12, tzinfo=datetime.UTC)


def fingerprint(company) -> list:
    return sorted(
        Card.objects.filter(company=company).values_list(
            "person__email", "question__key", "due", "stability", "reps"
        )
    )


CHAPTERS = [training_demo.seed, reinforcement_demo.seed]


@pytest.fixture
def demo(db, monkeypatch):
    """A small demo company with the two chapters this one depends on: training, then ours."""
    monkeypatch.setattr(demo_module, "DEMO_CHAPTERS", CHAPTERS)
    return seed_demo_company(people=40, customers=0, today=TODAY).company


@pytest.mark.timeout_heavy
def test_the_demo_has_cards_drills_and_a_drill_waiting_for_the_crp(demo):
    company = demo
    answers = Answer.objects.filter(company=company)
    # Every answer became exactly one review, every answered question a card.
    assert Review.objects.filter(company=company).count() == answers.count() > 0
    pairs = answers.values("person_id", "question_id").distinct().count()
    assert Card.objects.filter(company=company).count() == pairs
    drills = Drill.objects.filter(company=company)
    assert drills.exists()
    assert (
        Review.objects.filter(drill__in=drills).count() == answers.filter(context="drill").count()
    )
    crp = Person.objects.get(email=DEMO_EMAILS[Role.CRP])
    assert selectors.due_count(person=crp, now=NOON) >= 3
    assert selectors.habit(person=crp, now=NOON).points > 0
    points, values = selectors.retention_series(
        company=company, person_ids=[crp.pk], now=NOON, weeks=12
    )
    assert all(value is not None for value in values[-4:])


@pytest.mark.timeout_heavy
def test_the_chapter_gives_the_same_figures_for_the_same_seed(demo):
    first = fingerprint(demo)
    Review.objects.all().delete()
    Drill.objects.all().delete()
    Card.objects.all().delete()
    Answer.objects.filter(context="drill").delete()
    reinforcement_demo.seed(
        company=demo, rng=random.Random(f"{7}:{1}"), today=TODAY, progress=False
    )
    assert fingerprint(demo) == first
