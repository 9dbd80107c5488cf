"""Read queries of learning: team progress against hand-worked figures, skill names and order,
the learner's day and streak, the rollout overview."""

import datetime
import uuid

import pytest
from django.utils import timezone

from culturegap.language.tests.factories import CommunicationStepFactory, PlaybookFactory
from culturegap.org.tests.factories import PersonFactory
from culturegap.training import selectors, services
from culturegap.training.models import Audience, Enrollment, Question
from culturegap.training.tests.factories import curriculum_with_lessons, take_curriculum


@pytest.fixture
def curriculum(company):
    return curriculum_with_lessons(company=company, title="Customer conversations")


def assign(curriculum, staff, people, *, due_in=30):
    today = timezone.localdate()
    services.assign_curriculum(
        curriculum=curriculum,
        teams=[],
        people=people,
        wave=1,
        starts_on=today - datetime.timedelta(days=10),
        due_on=today + datetime.timedelta(days=due_in),
        actor=staff["admin"],
    )
    return {e.person_id: e for e in Enrollment.objects.filter(curriculum=curriculum)}


def test_team_progress_by_hand(curriculum, staff, company):
    ben = PersonFactory(company=company, team=staff["crp"].team, name="Ben", manager=staff["crp"])
    ben.manager = staff["manager"]
    ben.save()
    dan = PersonFactory(
        company=company, team=staff["crp"].team, name="Dan", manager=staff["manager"]
    )
    enrollments = assign(curriculum, staff, [staff["crp"], ben])
    # Cara: starting check all wrong, final all right. Ben: starting check all right only.
    take_curriculum(enrollments[staff["crp"].pk], right=False, post=False)
    cara = enrollments[staff["crp"].pk]
    post = services.open_assessment(enrollment=cara, kind="post")
    services.submit_assessment(
        assessment=post,
        choices={i.pk: i.question.options.get(is_correct=True) for i in post.items.all()},
        request_id=uuid.uuid4(),
    )
    take_curriculum(enrollments[ben.pk], lessons=False)

    progress = selectors.team_progress(viewer=staff["manager"])
    rows = {row.person.name: row for row in progress.rows}
    assert set(rows) == {"Cara CRP", "Ben", "Dan"}
    assert (rows["Cara CRP"].status, rows["Cara CRP"].lessons_done) == ("completed", 4)
    assert (rows["Cara CRP"].pre_score, rows["Cara CRP"].post_score, rows["Cara CRP"].gain) == (
        0,
        100,
        100,
    )
    assert (rows["Ben"].status, rows["Ben"].pre_score, rows["Ben"].gain) == ("started", 100, None)
    assert rows["Dan"].status == "not assigned" and rows["Dan"].enrollment is None
    assert dan.pk  # in the line though never enrolled
    # Per skill: pre mean (0 + 100) / 2 = 50; post mean 100 (Cara only); gain paired: +100.
    skills = {s.skill: (s.pre, s.post, s.gain) for s in progress.skills}
    assert skills == {"open": (50, 100, 100), "discover": (50, 100, 100)}
    # Weakest: both at 100 after, so the tie goes by key.
    assert [s.skill for s in progress.weakest] == ["discover", "open"]
    assert progress.counts == {
        "not_assigned": 1,
        "assigned": 0,
        "started": 1,
        "completed": 1,
        "overdue": 0,
    }


def test_team_progress_counts_overdue(curriculum, staff):
    assign(curriculum, staff, [staff["crp"]], due_in=-1)
    progress = selectors.team_progress(viewer=staff["manager"])
    assert progress.counts["overdue"] == 1


def test_a_manager_follows_only_their_line(curriculum, staff, company):
    stranger = PersonFactory(company=company, team=staff["crp"].team, name="Not Mine")
    assign(curriculum, staff, [staff["crp"], stranger])
    names = {row.person.name for row in selectors.team_progress(viewer=staff["manager"]).rows}
    assert names == {"Cara CRP"}
    # An admin picks a team and sees everyone active in it.
    team = staff["crp"].team
    names = {r.person.name for r in selectors.team_progress(viewer=staff["admin"], team=team).rows}
    assert names == {"Cara CRP", "Not Mine", "Max Manager"}
    assert selectors.team_progress(viewer=staff["admin"]).rows == []


def test_team_progress_is_a_few_queries(curriculum, staff, company, django_assert_max_num_queries):
    people = [
        PersonFactory(company=company, team=staff["crp"].team, manager=staff["manager"])
        for _ in range(12)
    ]
    enrollments = assign(curriculum, staff, people)
    for person in people[:6]:
        take_curriculum(enrollments[person.pk])
    with django_assert_max_num_queries(12):
        progress = selectors.team_progress(viewer=staff["manager"])
    assert len(progress.rows) == 13


def test_skill_names_follow_the_published_playbook(company):
    old = PlaybookFactory(company=company, version=1, status="archived")
    CommunicationStepFactory(playbook=old, key="open", name="Old opening", order=1)
    CommunicationStepFactory(playbook=old, key="legacy", name="A retired step", order=9)
    published = PlaybookFactory(company=company, version=2, status="published")
    CommunicationStepFactory(playbook=published, key="discover", name="Discover", order=2)
    CommunicationStepFactory(playbook=published, key="open", name="Open the contact", order=1)
    names = selectors.skill_names(company=company)
    assert list(names.items()) == [
        ("open", "Open the contact"),
        ("discover", "Discover"),
        ("legacy", "A retired step"),
    ]
    order = selectors.skill_order(names)
    assert sorted(["zeta", "legacy", "discover", "open"], key=order) == [
        "open",
        "discover",
        "legacy",
        "zeta",
    ]
    assert selectors.skill_label("hand-over", names) == "Hand over"


def test_the_learners_day_counts_the_streak(curriculum, staff):
    enrollment = assign(curriculum, staff, [staff["crp"]])[staff["crp"].pk]
    take_curriculum(enrollment, lessons=False)
    now = timezone.now()
    questions = Question.objects.filter(
        lesson__module__curriculum=curriculum, audience=Audience.SERVICE
    ).order_by("lesson__module__order", "lesson__order")
    for days_ago, question in zip((3, 1, 0), questions, strict=False):
        services.answer_lesson_question(
            enrollment=enrollment,
            question=question,
            option=question.options.first(),
            confident=None,
            response_ms=None,
            request_id=uuid.uuid4(),
            at=now - datetime.timedelta(days=days_ago),
        )
    day = selectors.learner_day(person=staff["crp"])
    assert day.streak == 2  # today and yesterday; three days ago is cut off by the gap
    assert (day.progress.done, day.progress.total) == (3, 4)
    assert day.step.kind == "lesson" and day.step.lesson.title == "Lesson 2.2"


def test_the_current_enrollment_is_the_open_one_due_first(company, staff):
    later = curriculum_with_lessons(company=company, title="Later")
    sooner = curriculum_with_lessons(company=company, title="Sooner")
    assign(later, staff, [staff["crp"]], due_in=60)
    assign(sooner, staff, [staff["crp"]], due_in=20)
    assert selectors.current_enrollment(person=staff["crp"]).curriculum == sooner


def test_rollout_overview_counts(curriculum, staff, company):
    enrollments = assign(curriculum, staff, [staff["crp"], staff["sales"]], due_in=-1)
    take_curriculum(enrollments[staff["crp"].pk])
    (entry,) = selectors.rollout_overview(company=company)
    assert entry.enrolled == 2
    rows = {row.assignment.person.name: row for row in entry.assignments}
    assert (rows["Cara CRP"].enrolled, rows["Cara CRP"].completed) == (1, 1)
    assert (rows["Sam Sales"].started, rows["Sam Sales"].overdue) == (0, 1)
    assert rows["Cara CRP"].overdue == 0  # completed, even if late
