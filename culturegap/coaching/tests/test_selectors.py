"""Readiness from the database against values worked out by hand: knowledge from assessments,
retention from FSRS cards, behaviour from manager observations; self-assessments beside it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from culturegap.coaching import selectors
from culturegap.coaching.models import Observation
from culturegap.coaching.tests.factories import (
    ObservationFactory,
    published_playbook,
    scorecard_with_steps,
)
from culturegap.org import scope as org_scope
from culturegap.org.tests.factories import PersonFactory
from culturegap.reinforcement.tests.factories import card
from culturegap.training.models import Answer, Assessment, AssessmentItem, Curriculum, Enrollment
from culturegap.training.tests.factories import CurriculumFactory, question_with_options

NOW = timezone.now()
# The pages work on the company's today; the fixtures' company is in Europe/London.
TODAY = NOW.astimezone(ZoneInfo("Europe/London")).date()


def assess(person, kind, results, *, curriculum=None, days_ago=10):
    """A completed assessment of ``kind`` with one question per ``(skill, right)`` result."""
    curriculum = curriculum or (
        Curriculum.objects.filter(company=person.company, key="main").first()
        or CurriculumFactory(company=person.company, key="main")
    )
    enrollment, _ = Enrollment.objects.get_or_create(
        person=person,
        curriculum=curriculum,
        defaults={
            "company": person.company,
            "starts_on": TODAY - datetime.timedelta(days=60),
            "due_on": TODAY,
        },
    )
    done = NOW - datetime.timedelta(days=days_ago)
    assessment = Assessment.objects.create(
        company=person.company, enrollment=enrollment, kind=kind, completed_at=done
    )
    for order, (skill, right) in enumerate(results):
        question = question_with_options(
            lesson__module__curriculum=curriculum,
            lesson__module__company=person.company,
            lesson__company=person.company,
            company=person.company,
            skill=skill,
        )
        answer = Answer.objects.create(
            company=person.company,
            person=person,
            question=question,
            is_correct=right,
            context=kind,
            answered_at=done,
        )
        AssessmentItem.objects.create(
            assessment=assessment, question=question, order=order, answer=answer
        )
    assessment.score = 100 * sum(right for _, right in results) / len(results)
    assessment.save()
    return assessment


def recall_of(person, skill):
    """A card whose predicted recall now is exactly 0.9 (stability S, reviewed S days ago)."""
    question = question_with_options(
        lesson__module__curriculum__company=person.company,
        lesson__module__company=person.company,
        lesson__company=person.company,
        company=person.company,
        skill=skill,
    )
    return card(
        person,
        question,
        due=NOW + datetime.timedelta(days=1),
        stability=10.0,
        last_review=NOW - datetime.timedelta(days=10),
    )


@pytest.fixture
def scorecard(company):
    published_playbook(company)
    return scorecard_with_steps(company)


def observe(person, scorecard, ratings, *, days_ago=5, kind="manager"):
    return ObservationFactory(
        person=person,
        observer=person if kind == "self" else person.manager,
        scorecard=scorecard,
        ratings=ratings,
        kind=kind,
        observed_on=TODAY - datetime.timedelta(days=days_ago),
    )


def test_readiness_of_a_person_by_hand(company, staff, scorecard):
    crp = staff["crp"]
    # Post-assessment 80 (4 of 5 right); the pre (20) is superseded.
    assess(crp, "pre", [("open", False)] * 4 + [("open", True)], days_ago=40)
    assess(crp, "post", [("open", True)] * 2 + [("discover", True)] * 2 + [("discover", False)])
    # Retention 0.9 on every card.
    recall_of(crp, "open")
    recall_of(crp, "discover")
    # Behaviour: ratings 3, 3 and (not observed) → (3−1)/3×100 = 66.67.
    observe(crp, scorecard, {"open": 3, "discover": 3})
    # A self-assessment of all 4s and an observation older than 180 days do not count.
    observe(crp, scorecard, {"open": 4, "discover": 4, "propose": 4}, kind="self")
    observe(crp, scorecard, {"open": 1, "discover": 1, "propose": 1}, days_ago=181)

    evidence = selectors.readiness_of_people(company=company, people=[crp], today=TODAY, now=NOW)[0]
    assert evidence.knowledge.score == 80 and evidence.knowledge.source == "post"
    assert evidence.retention.value == pytest.approx(0.9)
    assert evidence.behaviour.score == pytest.approx(200 / 3)
    assert evidence.behaviour.observations == 1
    # 0.4 × 80 + 0.3 × 90 + 0.3 × 66.67 = 79.0
    assert evidence.value == pytest.approx(79.0)
    assert evidence.self_assessed.score == 100
    assert evidence.last_observed == TODAY - datetime.timedelta(days=5)
    assert not evidence.overdue


def test_self_assessments_never_move_readiness(company, staff, scorecard):
    crp = staff["crp"]
    assess(crp, "post", [("open", True)] * 4 + [("open", False)])
    before = selectors.readiness_of_people(company=company, people=[crp], today=TODAY, now=NOW)[0]
    observe(crp, scorecard, {"open": 4, "discover": 4, "propose": 4}, kind="self")
    after = selectors.readiness_of_people(company=company, people=[crp], today=TODAY, now=NOW)[0]
    assert before.value == after.value == 80
    assert after.readiness.used == ["knowledge"]
    assert after.self_assessed.score == 100 and after.behaviour.score is None
    # Nor do they count as being observed.
    assert after.last_observed is None and after.overdue


def test_missing_components_are_shared_out(company, staff, scorecard):
    crp = staff["crp"]
    assess(crp, "post", [("open", True)] * 4 + [("open", False)])
    recall_of(crp, "open")
    evidence = selectors.readiness_of_people(company=company, people=[crp], today=TODAY, now=NOW)[0]
    # No observation: (0.4 × 80 + 0.3 × 90) / 0.7 = 84.29
    assert evidence.value == pytest.approx(84.2857, abs=1e-4)
    assert evidence.readiness.missing == ["behaviour"]


def test_the_pre_assessment_stands_in_until_the_post_is_taken(company, staff, scorecard):
    crp = staff["crp"]
    assess(crp, "pre", [("open", True), ("open", False), ("discover", False), ("discover", False)])
    observe(crp, scorecard, {"open": 4, "discover": 2, "propose": None})
    evidence = selectors.readiness_of_people(company=company, people=[crp], today=TODAY, now=NOW)[0]
    assert evidence.knowledge.score == 25 and evidence.knowledge.source == "pre"
    # Behaviour (100 + 33.33) / 2 = 66.67; readiness (0.4 × 25 + 0.3 × 66.67) / 0.7 = 30 / 0.7
    assert evidence.value == pytest.approx(30 / 0.7)


def test_team_readiness_and_the_heatmap_by_hand(company, staff, scorecard):
    manager, ann = staff["manager"], staff["crp"]
    bob = PersonFactory(company=company, team=ann.team, manager=manager, name="Bob Baker")
    PersonFactory(company=company, team=ann.team, manager=manager, name="Cy Nobody")
    # Ann: post open 2/2, discover 1/2; retention 0.9 on open; observed open 4, discover 2.
    assess(ann, "post", [("open", True), ("open", True), ("discover", True), ("discover", False)])
    recall_of(ann, "open")
    observe(ann, scorecard, {"open": 4, "discover": 2})
    # Bob: pre only, discover 0/2, propose 2/2; observed propose 3 twice.
    assess(bob, "pre", [("discover", False)] * 2 + [("propose", True)] * 2)
    observe(bob, scorecard, {"propose": 3})
    observe(bob, scorecard, {"propose": 3}, days_ago=70)

    coaching = selectors.team_coaching(viewer=manager, team=ann.team)
    names = [row.person.name for row in coaching.people]
    assert names == ["Bob Baker", "Cara CRP", "Cy Nobody"]
    by_name = {row.person.name: row for row in coaching.people}
    # Ann: knowledge 75, retention 0.9, behaviour (100 + 33.33)/2 = 66.67
    #   0.4 × 75 + 0.3 × 90 + 0.3 × 66.67 = 30 + 27 + 20 = 77
    assert by_name["Cara CRP"].value == pytest.approx(77)
    # Bob: knowledge 50, behaviour 66.67 → (0.4 × 50 + 0.3 × 66.67) / 0.7 = 40 / 0.7 = 57.14
    assert by_name["Bob Baker"].value == pytest.approx(40 / 0.7)
    assert by_name["Cy Nobody"].value is None and by_name["Cy Nobody"].overdue
    # The team: mean of the two with a score.
    assert coaching.readiness == pytest.approx((77 + 40 / 0.7) / 2)
    assert coaching.overdue == 1

    heatmap = selectors.team_heatmap(coaching=coaching, company=company)
    assert heatmap.skills == [("open", "Open"), ("discover", "Discover"), ("propose", "Propose")]
    cells = dict(zip([key for key, _ in heatmap.skills], heatmap.cells, strict=True))
    # Columns: Bob, Ann, Cy.
    # open — Ann: knowledge 100, retention 0.9, behaviour 100 → 40 + 27 + 30 = 97
    assert cells["open"] == [None, pytest.approx(97), None]
    # discover — Bob: knowledge 0 only → 0; Ann: knowledge 50, behaviour 33.33
    #   → (20 + 10) / 0.7 = 42.86
    assert cells["discover"] == [0, pytest.approx(30 / 0.7), None]
    # propose — Bob: knowledge 100, behaviour 66.67 → (40 + 20) / 0.7 = 85.71
    assert cells["propose"] == [pytest.approx(60 / 0.7), None, None]


def test_a_manager_sees_only_their_reporting_line_in_a_team(company, staff):
    team = staff["crp"].team
    PersonFactory(company=company, team=team, manager=None, name="Someone Else's")
    names = [p.name for p in selectors.coached_people(viewer=staff["manager"], team=team)]
    assert names == ["Cara CRP"]
    everyone = [p.name for p in selectors.coached_people(viewer=staff["admin"], team=team)]
    assert everyone == ["Cara CRP", "Max Manager", "Someone Else's"]
    assert selectors.default_team(viewer=staff["manager"]) == team


def test_who_sees_which_observations(company, staff, scorecard):
    crp = staff["crp"]
    theirs = observe(crp, scorecard, {"open": 3})
    own_self = observe(crp, scorecard, {"open": 4}, kind="self")
    other = PersonFactory(company=company, manager=staff["executive"])
    elsewhere = ObservationFactory(
        person=other, observer=staff["executive"], scorecard=scorecard, ratings={"open": 2}
    )

    def visible(person):
        return set(selectors.observations_visible_to(viewer=person))

    assert visible(crp) == {theirs, own_self}
    assert visible(staff["manager"]) == {theirs, own_self}
    assert visible(staff["admin"]) == visible(staff["executive"]) == {theirs, own_self, elsewhere}
    assert visible(staff["sales"]) == set()


def test_home_reminders_count_people_not_observed_in_sixty_days(company, staff, scorecard):
    manager, crp = staff["manager"], staff["crp"]
    PersonFactory(company=company, team=crp.team, manager=manager)
    PersonFactory(company=company, team=crp.team, manager=manager, is_active=False)
    assert selectors.manager_reminders(manager=manager) == (False, 2)
    today = org_scope.company_today(company)
    ObservationFactory(person=crp, scorecard=scorecard, observed_on=today, ratings={"open": 3})
    assert selectors.manager_reminders(manager=manager) == (True, 1)
    Observation.objects.update(observed_on=today - datetime.timedelta(days=61))
    assert selectors.manager_reminders(manager=manager) == (False, 2)
