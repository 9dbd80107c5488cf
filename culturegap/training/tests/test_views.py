"""The learner's pages, the team page and the rollout pages, through the test client."""

import csv
import datetime
import io
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from culturegap.org.tests.factories import PersonFactory, TeamFactory
from culturegap.training import services
from culturegap.training.models import (
    Answer,
    AnswerContext,
    Assessment,
    AssessmentKind,
    Assignment,
    Audience,
    Enrollment,
    Lesson,
    LessonProgress,
    Option,
    Question,
)
from culturegap.training.tests.factories import curriculum_with_lessons

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def curriculum(company):
    return curriculum_with_lessons(company=company, title="Customer conversations", pass_mark=75)


def enroll_people(curriculum, staff, *people, teams=()):
    today = timezone.localdate()
    return services.assign_curriculum(
        curriculum=curriculum,
        teams=teams,
        people=people,
        wave=1,
        starts_on=today - datetime.timedelta(days=7),
        due_on=today + datetime.timedelta(days=30),
        actor=staff["admin"],
    )


@pytest.fixture
def enrolled(curriculum, staff):
    enroll_people(curriculum, staff, teams=[staff["crp"].team])  # the CRP and their manager
    return Enrollment.objects.get(person=staff["crp"])


def finish_pre(enrollment, *, right=True):
    assessment = services.open_assessment(enrollment=enrollment, kind=AssessmentKind.PRE)
    choices = {
        item.pk: item.question.options.filter(is_correct=right).first()
        for item in assessment.items.select_related("question")
    }
    services.submit_assessment(assessment=assessment, choices=choices, request_id=uuid.uuid4())


def first_lesson(curriculum) -> Lesson:
    return Lesson.objects.filter(module__curriculum=curriculum).order_by("module__order", "order")[
        0
    ]


def service_question(lesson) -> Question:
    return lesson.questions.get(audience=Audience.SERVICE)


def post_answer(client, lesson, question, option, *, request_id=None, htmx=True, **extra):
    data = {
        "question": question.pk,
        "option": option.pk,
        "request_id": str(request_id or uuid.uuid4()),
        "response_ms": "4200",
        **extra,
    }
    headers = HTMX if htmx else {}
    return client.post(reverse("training:answer", args=[lesson.pk]), data, **headers)


@pytest.fixture
def learner(client, enrolled, staff):
    """The CRP signed in, the starting check done."""
    finish_pre(enrolled)
    client.force_login(staff["crp"])
    return client


# --- Today and my learning -----------------------------------------------------------------------


def test_today_sends_a_new_learner_to_the_starting_check(client, enrolled, staff):
    client.force_login(staff["crp"])
    body = client.get(reverse("today")).content.decode()
    assert "Take the starting check: Customer conversations" in body
    assert reverse("training:pre_assessment", args=[enrolled.curriculum_id]) in body


def test_today_shows_next_lesson_progress_streak_and_due_date(learner, enrolled):
    body = learner.get(reverse("today")).content.decode()
    assert "Next lesson: Lesson 1.1 (3 min)" in body
    assert "0 / 4" in body and "0 days" in body
    assert enrolled.due_on.strftime("%b") in body


def test_today_says_overdue(learner, enrolled):
    Enrollment.objects.filter(pk=enrolled.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert "overdue" in learner.get(reverse("today")).content.decode()


def test_today_is_a_few_queries(learner, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        learner.get(reverse("today"))


def test_today_of_a_salesperson_in_training(client, curriculum, staff):
    enroll_people(curriculum, staff, staff["sales"])
    client.force_login(staff["sales"])
    assert "Take the starting check" in client.get(reverse("today")).content.decode()


def test_a_wave_not_started_waits(client, curriculum, staff):
    later = timezone.localdate() + datetime.timedelta(days=14)
    services.assign_curriculum(
        curriculum=curriculum,
        teams=[],
        people=[staff["crp"]],
        wave=2,
        starts_on=later,
        due_on=later + datetime.timedelta(days=30),
        actor=staff["admin"],
    )
    client.force_login(staff["crp"])
    assert "starts on" in client.get(reverse("today")).content.decode()
    response = client.get(reverse("training:pre_assessment", args=[curriculum.pk]))
    assert response.status_code == 302
    assert not Assessment.objects.exists()


def test_my_learning_lists_the_curricula_with_progress(learner, enrolled):
    body = learner.get(reverse("training:my_learning")).content.decode()
    assert "Customer conversations" in body and "0 of 4 lessons done" in body
    assert "Next lesson: Lesson 1.1" in body


def test_curriculum_page_marks_done_and_next(learner, enrolled, curriculum):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    post_answer(learner, lesson, question, question.options.get(is_correct=True))
    body = learner.get(reverse("training:curriculum", args=[curriculum.pk])).content.decode()
    assert "1 of 4 lessons done" in body
    assert body.index("Lesson 1.1") < body.index("done", body.index("Lesson 1.1"))
    assert '<span class="tag next">next</span>' in body


# --- The lesson ----------------------------------------------------------------------------------


def test_lessons_wait_for_the_starting_check(client, enrolled, staff, curriculum):
    client.force_login(staff["crp"])
    response = client.get(reverse("training:lesson", args=[first_lesson(curriculum).pk]))
    assert response.status_code == 302
    assert response.url == reverse("training:curriculum", args=[curriculum.pk])


@pytest.mark.parametrize(
    ("team_kind", "is_salesperson", "audience"),
    [
        ("service", False, Audience.SERVICE),
        ("professional", False, Audience.PROFESSIONAL),
        ("sales", True, Audience.SALES),
    ],
)
def test_the_learner_gets_their_own_roles_scenario(
    client, company, staff, curriculum, team_kind, is_salesperson, audience
):
    team = TeamFactory(company=company, kind=team_kind)
    person = PersonFactory(
        company=company, team=team, is_crp=not is_salesperson, is_salesperson=is_salesperson
    )
    enroll_people(curriculum, staff, person)
    finish_pre(Enrollment.objects.get(person=person))
    client.force_login(person)
    lesson = first_lesson(curriculum)
    body = client.get(reverse("training:lesson", args=[lesson.pk])).content.decode()
    assert f"{audience} scenario: open in Lesson 1.1" in body
    others = set(Audience.values) - {audience}
    assert not any(f"{other} scenario" in body for other in others)


def test_lesson_page_shows_the_body_safely_with_reading_time(learner, curriculum):
    lesson = first_lesson(curriculum)
    lesson.body = "## Names\n\nUse the **name**.\n\n<script>alert(1)</script>"
    lesson.save()
    body = learner.get(reverse("training:lesson", args=[lesson.pk])).content.decode()
    assert "<strong>name</strong>" in body and "<script>alert" not in body
    assert "1 min read" in body and "About 3 min" in body
    assert 'name="request_id"' in body and "<fieldset" in body and "<legend>" in body


def test_a_right_answer_gets_its_feedback_inline(learner, curriculum):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    right = question.options.get(is_correct=True)
    response = post_answer(learner, lesson, question, right, confident="sure")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Right" in body and right.feedback in body and "The better answer" not in body
    assert "<html" not in body  # a partial
    answer = Answer.objects.get(context=AnswerContext.LESSON)
    assert answer.is_correct and answer.confident is True and answer.response_ms == 4200


def test_a_wrong_answer_shows_why_and_the_better_answer(learner, curriculum):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    wrong = question.options.filter(is_correct=False).first()
    right = question.options.get(is_correct=True)
    body = post_answer(learner, lesson, question, wrong, confident="guessed").content.decode()
    assert "Not quite" in body and wrong.feedback in body
    assert "The better answer" in body and right.text in body and right.feedback in body
    assert Answer.objects.get(context=AnswerContext.LESSON).confident is False


def test_answering_the_last_question_completes_the_lesson_and_offers_the_next(
    learner, curriculum, enrolled
):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    body = post_answer(learner, lesson, question, question.options.first()).content.decode()
    assert 'hx-swap-oob="true"' in body and "Next lesson: Lesson 1.2" in body
    assert LessonProgress.objects.get(enrollment=enrolled, lesson=lesson).completed_at
    enrolled.refresh_from_db()
    assert enrolled.started_at is not None


def test_without_javascript_the_answer_redirects_to_its_feedback(learner, curriculum):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    right = question.options.get(is_correct=True)
    response = post_answer(learner, lesson, question, right, htmx=False)
    assert response.status_code == 302
    assert response.url.endswith(f"#question-{question.pk}")
    body = learner.get(response.url.split("#")[0]).content.decode()
    assert right.feedback in body and "Next lesson: Lesson 1.2" in body
    assert "response_ms" not in body.split(f'id="question-{question.pk}"')[1].split("</section>")[0]


def test_the_same_submission_twice_records_one_answer_with_the_same_feedback(learner, curriculum):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    wrong = question.options.filter(is_correct=False).first()
    request_id = uuid.uuid4()
    first = post_answer(learner, lesson, question, wrong, request_id=request_id)
    again = post_answer(learner, lesson, question, wrong, request_id=request_id)
    assert first.status_code == again.status_code == 200
    assert Answer.objects.filter(context=AnswerContext.LESSON).count() == 1
    assert wrong.feedback in again.content.decode()


def test_the_lesson_answer_url_redirects_a_get_to_the_lesson(learner, curriculum):
    lesson = first_lesson(curriculum)
    response = learner.get(reverse("training:answer", args=[lesson.pk]))
    assert response.status_code == 302 and response.url == reverse(
        "training:lesson", args=[lesson.pk]
    )


def other_question(curriculum, lesson):
    return Question.objects.filter(
        lesson__module__curriculum=curriculum, audience=Audience.SERVICE
    ).exclude(lesson=lesson)[0]


@pytest.mark.parametrize(
    "case",
    [
        "unknown option",
        "option of another question",
        "missing option",
        "missing request id",
        "bad request id",
        "bad response time",
        "unknown question",
        "question of another lesson",
        "question of another audience",
        "bad confidence",
    ],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_bad_answers_are_400_and_write_nothing(learner, curriculum, case, htmx):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    data = {
        "question": str(question.pk),
        "option": str(question.options.first().pk),
        "request_id": str(uuid.uuid4()),
        "response_ms": "1500",
    }
    if case == "unknown option":
        data["option"] = str(Option.objects.order_by("-pk")[0].pk + 100)
    elif case == "option of another question":
        data["option"] = str(other_question(curriculum, lesson).options.first().pk)
    elif case == "missing option":
        del data["option"]
    elif case == "missing request id":
        del data["request_id"]
    elif case == "bad request id":
        data["request_id"] = "not-a-uuid"
    elif case == "bad response time":
        data["response_ms"] = "-5"
    elif case == "unknown question":
        data["question"] = "999999"
    elif case == "question of another lesson":
        data["question"] = str(other_question(curriculum, lesson).pk)
    elif case == "question of another audience":
        sales = lesson.questions.get(audience=Audience.SALES)
        data["question"], data["option"] = str(sales.pk), str(sales.options.first().pk)
    elif case == "bad confidence":
        data["confident"] = "very"
    response = learner.post(
        reverse("training:answer", args=[lesson.pk]), data, **(HTMX if htmx else {})
    )
    assert response.status_code == 400
    assert not Answer.objects.filter(context=AnswerContext.LESSON).exists()
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()


def test_a_missing_option_is_named_next_to_the_question(learner, curriculum):
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    response = learner.post(
        reverse("training:answer", args=[lesson.pk]),
        {"question": question.pk, "request_id": str(uuid.uuid4())},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 400 and "Choose an answer." in body
    assert f'id="question-{question.pk}"' in body and "<form" in body


def test_answering_before_the_starting_check_is_400(client, enrolled, staff, curriculum):
    client.force_login(staff["crp"])
    lesson = first_lesson(curriculum)
    question = service_question(lesson)
    response = post_answer(client, lesson, question, question.options.first())
    assert response.status_code == 400 and not Answer.objects.exists()


# --- Assessments and results ---------------------------------------------------------------------


def test_taking_the_starting_check(client, enrolled, staff, curriculum):
    client.force_login(staff["crp"])
    url = reverse("training:pre_assessment", args=[curriculum.pk])
    page = client.get(url)
    body = page.content.decode()
    assessment = Assessment.objects.get(enrollment=enrolled, kind=AssessmentKind.PRE)
    items = list(assessment.items.select_related("question"))
    assert page.status_code == 200 and len(items) == 2  # one per skill
    assert body.count("<fieldset") == 2 and "service scenario" in body
    data = {"request_id": str(uuid.uuid4())}
    for item in items:
        data[f"item-{item.pk}"] = item.question.options.get(is_correct=True).pk
    response = client.post(url, data)
    assert response.status_code == 302
    assert response.url == reverse("training:curriculum", args=[curriculum.pk])
    assessment.refresh_from_db()
    assert assessment.score == 100
    # A retry of the same submission goes to the results and records nothing more.
    again = client.post(url, data)
    assert again.status_code == 302 and again.url.endswith("/results/")
    assert Answer.objects.count() == 2


@pytest.mark.parametrize("case", ["missing", "foreign option", "garbage", "no request id"])
def test_a_bad_assessment_submission_is_400_and_writes_nothing(
    client, enrolled, staff, curriculum, case
):
    client.force_login(staff["crp"])
    url = reverse("training:pre_assessment", args=[curriculum.pk])
    client.get(url)
    items = list(Assessment.objects.get().items.select_related("question"))
    data = {"request_id": str(uuid.uuid4())}
    for item in items:
        data[f"item-{item.pk}"] = item.question.options.first().pk
    if case == "missing":
        del data[f"item-{items[0].pk}"]
    elif case == "foreign option":
        data[f"item-{items[0].pk}"] = items[1].question.options.first().pk
    elif case == "garbage":
        data[f"item-{items[0].pk}"] = "abc"
    else:
        del data["request_id"]
    response = client.post(url, data)
    assert response.status_code == 400
    assert not Answer.objects.exists()
    assert Assessment.objects.get().completed_at is None


def test_the_final_check_waits_for_the_lessons(learner, curriculum):
    response = learner.get(reverse("training:post_assessment", args=[curriculum.pk]))
    assert response.status_code == 302
    assert not Assessment.objects.filter(kind=AssessmentKind.POST).exists()


def _submit_final_check(client, enrollment, *, right: bool):
    url = reverse("training:post_assessment", args=[enrollment.curriculum_id])
    assert client.get(url).status_code == 200
    post = Assessment.objects.get(enrollment=enrollment, kind=AssessmentKind.POST)
    data = {"request_id": str(uuid.uuid4())}
    for item in post.items.select_related("question"):
        data[f"item-{item.pk}"] = item.question.options.filter(is_correct=right)[0].pk
    return client.post(url, data)


def complete_everything(client, enrollment, *, post_right=True):
    """All lessons answered through the pages, then the final check."""
    for question in Question.objects.filter(
        lesson__module__curriculum=enrollment.curriculum, audience=Audience.SERVICE
    ):
        post_answer(client, question.lesson, question, question.options.get(is_correct=True))
    return _submit_final_check(client, enrollment, right=post_right)


def test_last_lesson_then_final_check_then_results_and_certificate(learner, enrolled):
    lessons = list(Lesson.objects.filter(module__curriculum=enrolled.curriculum))
    last = lessons[-1]
    for lesson in lessons[:-1]:
        question = service_question(lesson)
        post_answer(learner, lesson, question, question.options.first())
    question = service_question(last)
    body = post_answer(learner, last, question, question.options.first()).content.decode()
    assert "Take the final check" in body
    response = complete_everything(learner, enrolled)
    assert response.status_code == 302 and response.url.endswith("/results/")
    results = learner.get(response.url).content.decode()
    assert "Open your certificate" in results
    enrolled.refresh_from_db()
    assert enrolled.certified_at is not None
    page = learner.get(reverse("training:certificate", args=[enrolled.certificate_code]))
    body = page.content.decode()
    assert page.status_code == 200 and "Cara CRP" in body and "Customer conversations" in body
    assert "100%" in body and "certificate.css" in body


def test_results_show_each_skill_before_and_after(learner, enrolled):
    complete_everything(learner, enrolled, post_right=False)
    body = learner.get(reverse("training:results", args=[enrolled.curriculum_id])).content.decode()
    # Starting check all right, final check all wrong: each skill 100% → 0%, change -100.
    assert body.count("-100") == 2 and "Open your certificate" not in body
    assert "75% right on the final check earns the certificate" in body


def test_a_failed_final_check_is_retaken_from_the_results_page(learner, enrolled):
    complete_everything(learner, enrolled, post_right=False)
    results_url = reverse("training:results", args=[enrolled.curriculum_id])
    retake_url = reverse("training:retake_final_check", args=[enrolled.curriculum_id])
    body = learner.get(results_url).content.decode()
    assert f'action="{retake_url}"' in body and "Attempt 2 of 3" in body
    assert learner.get(retake_url).url == results_url  # retaking is a POST
    response = learner.post(retake_url)
    assert response.status_code == 302
    assert response.url == reverse("training:post_assessment", args=[enrolled.curriculum_id])
    # Until it is taken, the results page and the curriculum lead back to the retake.
    assert "Your retake of the final check is open" in learner.get(results_url).content.decode()
    curriculum_page = learner.get(reverse("training:curriculum", args=[enrolled.curriculum_id]))
    assert "Retake the final check (attempt 2)" in curriculum_page.content.decode()
    final_check = learner.get(response.url).content.decode()
    assert "Final check <small>(attempt 2 of 3)</small>" in final_check
    response = _submit_final_check(learner, enrolled, right=True)
    assert response.status_code == 302 and response.url == results_url
    body = learner.get(results_url).content.decode()
    assert "Open your certificate" in body and "Retake the final check" not in body
    assert "Earlier attempts at the final check" in body and "Attempt 1," in body
    enrolled.refresh_from_db()
    assert enrolled.certified_at is not None
    # Passed: another retake is refused with a message, nothing changes.
    response = learner.post(retake_url, follow=True)
    assert "You passed the final check already." in response.content.decode()
    assert Assessment.objects.get(enrollment=enrolled, kind=AssessmentKind.POST).attempt == 2


def test_the_last_allowed_attempt_offers_no_retake(learner, enrolled):
    complete_everything(learner, enrolled, post_right=False)
    retake_url = reverse("training:retake_final_check", args=[enrolled.curriculum_id])
    for _ in range(2):
        assert learner.post(retake_url).status_code == 302
        _submit_final_check(learner, enrolled, right=False)
    body = learner.get(reverse("training:results", args=[enrolled.curriculum_id])).content
    assert b"Retake the final check" not in body
    assert "taken the final check 3 times, the most allowed" in body.decode()
    response = learner.post(retake_url, follow=True)
    assert "may be taken 3 times" in response.content.decode()


def test_nobody_retakes_a_check_of_a_curriculum_they_are_not_enrolled_in(client, staff, curriculum):
    client.force_login(staff["sales"])
    url = reverse("training:retake_final_check", args=[curriculum.pk])
    assert client.post(url).status_code == 404


def test_skill_names_come_from_the_playbook(learner, enrolled, company):
    from culturegap.language.tests.factories import playbook_with_content

    playbook_with_content(company=company)
    body = learner.get(reverse("training:results", args=[enrolled.curriculum_id])).content.decode()
    assert "Open the contact" in body and "Discover what matters" in body


# --- Who may see what ----------------------------------------------------------------------------


@pytest.fixture
def certified(client, enrolled, staff):
    finish_pre(enrolled)
    client.force_login(staff["crp"])
    complete_everything(client, enrolled)
    client.logout()
    enrolled.refresh_from_db()
    assert enrolled.certified_at
    return enrolled


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("crp", 200),
        ("manager", 200),
        ("admin", 200),
        ("executive", 200),
        ("sales", 404),
        ("other crp", 404),
        ("other manager", 404),
        ("outsider admin", 404),
    ],
)
def test_who_may_open_a_certificate(client, certified, staff, company, other_company, who, status):
    people = {
        "other crp": lambda: PersonFactory(company=company, team=staff["crp"].team),
        "other manager": lambda: PersonFactory(company=company, is_crp=False, is_manager=True),
        "outsider admin": lambda: PersonFactory(
            company=other_company, is_crp=False, is_program_admin=True
        ),
    }
    person = people[who]() if who in people else staff[who]
    client.force_login(person)
    url = reverse("training:certificate", args=[certified.certificate_code])
    assert client.get(url).status_code == status


def test_no_certificate_before_it_is_earned(client, enrolled, staff):
    client.force_login(staff["crp"])
    url = reverse("training:certificate", args=[enrolled.certificate_code])
    assert client.get(url).status_code == 404
    assert client.get(f"/learn/certificates/{uuid.uuid4()}/").status_code == 404
    assert client.get("/learn/certificates/not-a-code/").status_code == 404


def test_another_persons_curriculum_pages_are_404(client, enrolled, staff, company, curriculum):
    stranger = PersonFactory(company=company, team=staff["crp"].team)
    client.force_login(stranger)
    lesson = first_lesson(curriculum)
    for url in (
        reverse("training:curriculum", args=[curriculum.pk]),
        reverse("training:lesson", args=[lesson.pk]),
        reverse("training:pre_assessment", args=[curriculum.pk]),
        reverse("training:results", args=[curriculum.pk]),
        "/learn/curricula/999999/",
        "/learn/lessons/999999/",
    ):
        assert client.get(url).status_code == 404, url
    assert not Assessment.objects.exists()


def test_another_companys_lesson_is_404(client, enrolled, other_company):
    theirs = curriculum_with_lessons(company=other_company)
    outsider = PersonFactory(company=other_company)
    services.assign_curriculum(
        curriculum=theirs,
        teams=[],
        people=[outsider],
        wave=1,
        starts_on=timezone.localdate(),
        due_on=timezone.localdate(),
        actor=PersonFactory(company=other_company, is_program_admin=True),
    )
    client.force_login(outsider)
    ours = first_lesson(enrolled.curriculum)
    assert client.get(reverse("training:lesson", args=[ours.pk])).status_code == 404
    question = service_question(ours)
    response = post_answer(client, ours, question, question.options.first())
    assert response.status_code == 404 and not Answer.objects.exists()


# --- The team page -------------------------------------------------------------------------------


@pytest.fixture
def team_world(client, enrolled, staff, company, curriculum):
    """The CRP has finished (pre all right, post all wrong); Tara in Tax, outside the manager's
    line, has only started."""
    finish_pre(enrolled)
    client.force_login(staff["crp"])
    complete_everything(client, enrolled, post_right=False)
    client.logout()
    tax = TeamFactory(company=company, name="Tax", kind="professional")
    tara = PersonFactory(company=company, team=tax, name="Tara Tax")
    enroll_people(curriculum, staff, tara)
    return {"tax": tax, "tara": tara}


def test_the_manager_sees_their_reporting_line(client, team_world, staff):
    client.force_login(staff["manager"])
    response = client.get(reverse("training:team"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Cara CRP" in body and "Tara Tax" not in body
    assert "data-figure" in body and "Weakest skills" in body


def test_the_manager_cannot_pick_another_team(client, team_world, staff):
    client.force_login(staff["manager"])
    url = reverse("training:team")
    assert client.get(url, {"team": team_world["tax"].pk}).status_code == 404
    assert client.get(url, {"team": "abc"}).status_code == 404
    assert client.get(url, {"curriculum": "999999"}).status_code == 404
    assert client.get(reverse("training:team_csv"), {"team": "abc"}).status_code == 404


def test_an_admin_picks_any_team(client, team_world, staff):
    client.force_login(staff["admin"])
    url = reverse("training:team")
    assert "Pick a team" in client.get(url).content.decode()
    body = client.get(url, {"team": team_world["tax"].pk}).content.decode()
    assert "Tara Tax" in body and "Cara CRP" not in body


def test_a_crp_may_not_open_the_team_page(client, team_world, staff):
    client.force_login(staff["crp"])
    assert client.get(reverse("training:team")).status_code == 403


def test_team_csv_matches_the_page(client, team_world, staff):
    client.force_login(staff["manager"])
    response = client.get(reverse("training:team_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["person", "email", "team"]
    cara = next(row for row in rows if row[0] == "Cara CRP")
    header = rows[0]
    assert cara[header.index("status")] == "completed"
    assert cara[header.index("lessons_done")] == "4" and cara[header.index("lessons_total")] == "4"
    assert (cara[header.index("pre_score")], cara[header.index("post_score")]) == ("100", "0")
    assert cara[header.index("gain")] == "-100"
    assert not any(row[0] == "Tara Tax" for row in rows)
    # The manager is enrolled too (same team) but is not in their own reporting line.
    assert len(rows) == 2


def test_csv_cells_that_look_like_formulas_are_quoted(client, enrolled, staff, company):
    staff["crp"].name = "=HYPERLINK(1)"
    staff["crp"].save()
    client.force_login(staff["manager"])
    body = client.get(reverse("training:team_csv")).content.decode()
    assert "'=HYPERLINK(1)" in body


# --- Rollout -------------------------------------------------------------------------------------


def assign_data(curriculum, **changes):
    data = {
        "curriculum": curriculum.pk,
        "teams": [],
        "people": "",
        "wave": "1",
        "starts_on": "2025-02-03",
        "due_on": "2025-03-31",
    }
    data.update(changes)
    return data


def test_rollout_lists_assignments_with_counts(client, enrolled, staff, curriculum):
    client.force_login(staff["admin"])
    body = client.get(reverse("training:rollout")).content.decode()
    assert "Customer conversations" in body and "Client Service" in body
    assert "2 enrolled" in body


def test_assigning_through_the_page(client, curriculum, staff):
    client.force_login(staff["admin"])
    data = assign_data(
        curriculum, teams=[staff["crp"].team.pk], people="sales@acme.test, SALES@acme.test"
    )
    response = client.post(reverse("training:assign"), data)
    assert response.status_code == 302
    assert Enrollment.objects.filter(curriculum=curriculum).count() == 3
    again = client.post(reverse("training:assign"), data, follow=True)
    assert "0 people enrolled, 3 already enrolled" in again.content.decode()
    assert Enrollment.objects.count() == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"due_on": "2025-01-01"}, "due_on"),
        ({}, "teams"),
        ({"people": "nobody@acme.test"}, "people"),
        ({"wave": "0"}, "wave"),
        ({"starts_on": "yesterday"}, "starts_on"),
        ({"curriculum": "999999"}, "curriculum"),
    ],
)
def test_bad_assignments_are_400_naming_the_field(client, curriculum, staff, changes, field):
    client.force_login(staff["admin"])
    data = assign_data(curriculum, people="crp@acme.test")
    data.update(changes)
    if field == "teams":
        data["people"] = ""
    response = client.post(reverse("training:assign"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Enrollment.objects.exists() and not Assignment.objects.exists()


def test_another_companys_team_or_curriculum_is_refused(client, curriculum, staff, other_company):
    client.force_login(staff["admin"])
    their_team = TeamFactory(company=other_company)
    their_curriculum = curriculum_with_lessons(company=other_company)
    response = client.post(
        reverse("training:assign"), assign_data(curriculum, teams=[their_team.pk])
    )
    assert response.status_code == 400 and "teams" in response.context["form"].errors
    response = client.post(
        reverse("training:assign"),
        assign_data(their_curriculum, people="crp@acme.test"),
    )
    assert response.status_code == 400 and "curriculum" in response.context["form"].errors
    PersonFactory(company=other_company, email="them@other.test")
    response = client.post(
        reverse("training:assign"), assign_data(curriculum, people="them@other.test")
    )
    assert response.status_code == 400 and "people" in response.context["form"].errors
    assert not Enrollment.objects.exists()
