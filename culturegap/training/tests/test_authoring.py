"""The authoring site at /author/: who gets in, company scoping, validation, lesson preview."""

import pytest
from django.urls import reverse

from culturegap.language.models import Playbook
from culturegap.language.tests.factories import playbook_with_content
from culturegap.org.models import Role
from culturegap.org.tests.factories import PersonFactory
from culturegap.training.authoring import LinesField
from culturegap.training.models import Lesson, Option, Question
from culturegap.training.tests.factories import (
    LessonFactory,
    ModuleFactory,
    question_with_options,
)

LOGIN = "/author/login/"


@pytest.fixture
def playbook(company):
    return playbook_with_content(company=company, version=1)


@pytest.fixture
def lesson(company, playbook):
    return LessonFactory(
        module=ModuleFactory(curriculum__company=company), title="Ask before you fix"
    )


@pytest.fixture
def their_lesson(other_company):
    return LessonFactory(
        module=ModuleFactory(curriculum__company=other_company), title="Their private lesson"
    )


@pytest.fixture
def their_admin(other_company):
    return PersonFactory(
        company=other_company, email="admin@other.test", is_crp=False, is_program_admin=True
    )


def urls(lesson):
    return {
        "index": "/author/",
        "changelist": "/author/training/lesson/",
        "change": f"/author/training/lesson/{lesson.pk}/change/",
        "preview": f"/author/training/lesson/{lesson.pk}/preview/",
    }


def post_data(response) -> dict:
    """The data a browser would post back from an admin change form, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms.extend(formset.forms)
    for form in forms:
        for bound in form:
            value = bound.field.prepare_value(bound.value())
            if value is True:
                data[bound.html_name] = "on"
            elif value is not None and value is not False:
                data[bound.html_name] = value
    return data


# --- who gets in --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["index", "changelist", "change", "preview"])
@pytest.mark.parametrize("role", Role.values)
def test_role_matrix(client, staff, lesson, role, name):
    client.force_login(staff[role])
    response = client.get(urls(lesson)[name])
    if role == Role.ADMIN:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize("name", ["index", "changelist", "change", "preview"])
def test_anonymous_visitors_go_to_the_authoring_login(client, lesson, name):
    response = client.get(urls(lesson)[name])
    assert response.status_code == 302 and response.url.startswith(LOGIN)


@pytest.mark.parametrize("name", ["index", "changelist", "change"])
def test_platform_superusers_get_nothing_here(client, lesson, name):
    operator = PersonFactory(
        company=None, team=None, email="ops@platform.test", is_staff=True, is_superuser=True
    )
    client.force_login(operator)
    response = client.get(urls(lesson)[name])
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_an_inactive_admin_is_refused(client, staff, lesson):
    staff["admin"].is_active = False
    staff["admin"].save()
    client.force_login(staff["admin"])
    assert client.get("/author/").status_code == 302


def test_program_admin_signs_in_on_the_authoring_login_page(client, staff):
    response = client.post(
        LOGIN, {"username": "admin@acme.test", "password": "a-long-test-password"}
    )
    assert response.status_code == 302
    assert client.get("/author/").status_code == 200


def test_a_crp_cannot_sign_in_to_authoring(client, staff):
    response = client.post(LOGIN, {"username": "crp@acme.test", "password": "a-long-test-password"})
    assert response.status_code == 200
    assert "program admins" in response.content.decode()


def test_index_lists_the_content_models(client, staff):
    client.force_login(staff["admin"])
    body = client.get("/author/").content.decode()
    assert "culturegap authoring" in body
    for name in ("Playbooks", "Curricula", "Modules", "Lessons", "Questions"):
        assert name in body


# --- company scoping ----------------------------------------------------------------------


def test_changelist_shows_only_the_companys_lessons(client, staff, lesson, their_lesson):
    client.force_login(staff["admin"])
    body = client.get("/author/training/lesson/").content.decode()
    assert "Ask before you fix" in body and "Their private lesson" not in body


@pytest.mark.parametrize("suffix", ["change/", "delete/", "history/", "preview/"])
def test_another_companys_lesson_does_not_exist(client, staff, their_lesson, suffix):
    client.force_login(staff["admin"])
    response = client.get(f"/author/training/lesson/{their_lesson.pk}/{suffix}")
    assert response.status_code in {302, 404}
    if response.status_code == 302:
        assert response.url == "/author/"
    assert "Their private lesson" not in response.content.decode()


def test_posting_to_another_companys_lesson_changes_nothing(client, staff, their_lesson):
    client.force_login(staff["admin"])
    response = client.post(
        f"/author/training/lesson/{their_lesson.pk}/change/", {"title": "Mine now"}
    )
    assert response.status_code in {302, 404}
    their_lesson.refresh_from_db()
    assert their_lesson.title == "Their private lesson"


def test_the_other_companys_admin_sees_none_of_ours(client, their_admin, lesson, playbook):
    client.force_login(their_admin)
    for url in ("/author/training/lesson/", "/author/language/playbook/", "/author/"):
        body = client.get(url).content.decode()
        assert "Ask before you fix" not in body and "Our customer conversation" not in body
    response = client.get(f"/author/language/playbook/{playbook.pk}/change/")
    assert response.status_code == 302 and response.url == "/author/"


def test_foreign_key_choices_are_the_companys_own(client, staff, lesson, their_lesson):
    client.force_login(staff["admin"])
    body = client.get("/author/training/question/add/").content.decode()
    assert "Ask before you fix" in body and "Their private lesson" not in body


# --- adding content -----------------------------------------------------------------------


def _question_data(lesson, options, **fields):
    data = {
        "lesson": lesson if isinstance(lesson, int) else lesson.pk,
        "audience": "service",
        "skill": "discover",
        "scenario": "A customer rings about a late invoice and sounds annoyed.",
        "key": "",
        "order": "1",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    for index, (text, correct) in enumerate(options):
        data |= {
            f"options-{index}-text": text,
            f"options-{index}-feedback": f"Because {text.lower()}.",
            f"options-{index}-order": str(index),
        }
        if correct:
            data[f"options-{index}-is_correct"] = "on"
    return data | fields


def test_admin_adds_a_lesson_with_a_question(client, staff, lesson, company):
    client.force_login(staff["admin"])
    response = client.post(
        "/author/training/lesson/add/",
        {
            "module": lesson.module_id,
            "title": "Close so they stay",
            "objective": "End each contact with a clear next step.",
            "minutes": "4",
            "body": "Say **what happens next**.",
            "key": "",
            "order": "2",
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "0",
            "questions-MIN_NUM_FORMS": "0",
            "questions-MAX_NUM_FORMS": "1000",
            "questions-0-audience": "professional",
            "questions-0-skill": "open",
            "questions-0-scenario": "A client ends the meeting abruptly.",
            "questions-0-key": "",
            "questions-0-order": "1",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    added = Lesson.objects.get(title="Close so they stay")
    assert (added.company, added.key) == (company, "close-so-they-stay")
    question = added.questions.get()
    assert (question.company, question.key, question.skill) == (
        company,
        "open-professional",
        "open",
    )


def test_admin_adds_a_question_with_options(client, staff, lesson, company):
    client.force_login(staff["admin"])
    options = [("Offer a refund", False), ("Ask what happened", True), ("Escalate", False)]
    response = client.post("/author/training/question/add/", _question_data(lesson, options))
    assert response.status_code == 302
    question = Question.objects.get(lesson=lesson)
    assert question.company == company and question.key == "discover-service"
    assert list(question.options.values_list("text", "is_correct")) == options


def test_two_correct_options_are_refused_and_nothing_is_saved(client, staff, lesson):
    client.force_login(staff["admin"])
    options = [("Offer a refund", True), ("Ask what happened", True)]
    response = client.post("/author/training/question/add/", _question_data(lesson, options))
    assert response.status_code == 200
    assert "Mark exactly one option as correct (2 are marked now)." in response.content.decode()
    assert not Question.objects.exists() and not Option.objects.exists()


def test_no_correct_option_is_refused(client, staff, lesson):
    client.force_login(staff["admin"])
    options = [("Offer a refund", False), ("Ask what happened", False)]
    response = client.post("/author/training/question/add/", _question_data(lesson, options))
    assert "Mark exactly one option as correct (0 are marked now)." in response.content.decode()
    assert not Question.objects.exists()


def test_a_question_needs_two_options(client, staff, lesson):
    client.force_login(staff["admin"])
    response = client.post(
        "/author/training/question/add/", _question_data(lesson, [("Ask", True)])
    )
    assert "at least two options" in response.content.decode()
    assert not Question.objects.exists()


def test_the_skill_must_be_a_step_of_the_playbook(client, staff, lesson):
    client.force_login(staff["admin"])
    options = [("Offer a refund", False), ("Ask what happened", True)]
    data = _question_data(lesson, options, skill="juggling")
    response = client.post("/author/training/question/add/", data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Question.objects.exists()


def test_skill_choices_come_from_the_playbook(client, staff, lesson):
    client.force_login(staff["admin"])
    body = client.get("/author/training/question/add/").content.decode()
    assert '<option value="hand-over">Hand over to a colleague (hand-over)</option>' in body


def test_a_question_whose_skill_left_the_playbook_keeps_showing_it(client, staff, lesson):
    question = question_with_options(lesson=lesson, skill="retired-skill")
    client.force_login(staff["admin"])
    response = client.get(f"/author/training/question/{question.pk}/change/")
    assert "retired-skill (not in the playbook)" in response.content.decode()
    response = client.post(f"/author/training/question/{question.pk}/change/", post_data(response))
    assert response.status_code == 200 and "Choose a step" in response.content.decode()


def test_another_companys_lesson_cannot_be_chosen(client, staff, lesson, their_lesson):
    client.force_login(staff["admin"])
    options = [("Offer a refund", False), ("Ask what happened", True)]
    data = _question_data(their_lesson.pk, options)
    response = client.post("/author/training/question/add/", data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Question.objects.exists()


def test_a_duplicate_curriculum_key_is_a_form_error(client, staff, lesson):
    client.force_login(staff["admin"])
    taken = lesson.module.curriculum.key
    response = client.post(
        "/author/training/curriculum/add/",
        {
            "title": "Again",
            "description": "",
            "pass_mark": "80",
            "key": taken,
            "modules-TOTAL_FORMS": "0",
            "modules-INITIAL_FORMS": "0",
            "modules-MIN_NUM_FORMS": "0",
            "modules-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "Another curriculum already has this key." in response.content.decode()


def test_a_lesson_with_learner_answers_cannot_be_deleted(client, staff, lesson):
    from culturegap.training.models import Answer

    question = question_with_options(lesson=lesson)
    Answer.objects.create(
        company=lesson.company,
        person=staff["crp"],
        question=question,
        option=question.options.first(),
        is_correct=False,
        context="lesson",
    )
    client.force_login(staff["admin"])
    response = client.post(f"/author/training/lesson/{lesson.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk).exists()


# --- the playbook -------------------------------------------------------------------------


def test_a_published_playbook_is_read_only(client, staff, playbook):
    client.force_login(staff["admin"])
    url = f"/author/language/playbook/{playbook.pk}/change/"
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200 and 'name="_save"' not in body
    assert "cannot be changed" in body
    assert client.post(url, {"title": "Changed"}).status_code == 403
    playbook.refresh_from_db()
    assert playbook.title == "Our customer conversation"


def test_a_draft_is_edited_with_one_item_per_line(client, staff, playbook):
    client.force_login(staff["admin"])
    client.post(reverse("language:start_draft"))
    draft = Playbook.objects.get(status="draft")
    url = f"/author/language/playbook/{draft.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    data = post_data(response)
    step_prefix = next(k for k, v in data.items() if v == "open" and k.startswith("steps-"))
    prefix = step_prefix.removesuffix("-key")
    assert data[f"{prefix}-crp_phrases"] == (
        "Good morning Ms Patel, this is Cara from the service desk."
    )
    data[f"{prefix}-crp_phrases"] = "  Hello, Ms Patel.\r\n\r\nHow can I help?  \r\n"
    data["title"] = "Our conversation, second edition"
    response = client.post(url, data)
    assert response.status_code == 302, [
        (f.prefix, f.errors) for i in response.context["inline_admin_formsets"] for f in i.formset
    ]
    draft.refresh_from_db()
    assert draft.title == "Our conversation, second edition"
    assert draft.steps.get(key="open").crp_phrases == ["Hello, Ms Patel.", "How can I help?"]
    assert playbook.steps.get(key="open").crp_phrases[0].startswith("Good morning")


def test_adding_a_playbook_asks_to_start_a_draft(client, staff, playbook):
    client.force_login(staff["admin"])
    body = client.get("/author/language/playbook/add/").content.decode()
    assert "starts as a copy of version 1" in body and 'action="/playbook/draft/"' in body
    client.post(reverse("language:start_draft"))
    assert client.get("/author/language/playbook/add/").status_code == 403


def test_lines_field_round_trip():
    field = LinesField(required=False)
    assert field.clean("a\n\n  b  \r\nc") == ["a", "b", "c"]
    assert field.clean("") == []
    assert field.prepare_value(["a", "b"]) == "a\nb"
    assert not field.has_changed(["a", "b"], "a\r\nb\r\n")
    assert field.has_changed(["a"], "a\nb")


def test_lines_field_limits_line_length():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Line 2"):
        LinesField(max_line_length=5).clean("short\nmuch too long")


# --- preview ------------------------------------------------------------------------------


def test_preview_shows_the_chosen_audiences_questions(client, staff, lesson):
    question_with_options(lesson=lesson, audience="service", scenario="A caller is cross.")
    question_with_options(lesson=lesson, audience="professional", scenario="A client is cross.")
    client.force_login(staff["admin"])
    url = f"/author/training/lesson/{lesson.pk}/preview/"
    body = client.get(url, {"audience": "professional"}).content.decode()
    assert "A client is cross." in body and "A caller is cross." not in body
    assert "Ask what happened" in body and "An open question lets them explain." in body
    assert "Discover what matters" in body  # the skill's name from the playbook
    default = client.get(url, {"audience": "nonsense"}).content.decode()
    assert "A caller is cross." in default and "A client is cross." not in default


def test_preview_renders_sanitised_markdown(client, staff, lesson):
    lesson.body = "Use **open** questions.\n\n<script>alert('x')</script>\n\n" + "word " * 600
    lesson.save()
    client.force_login(staff["admin"])
    body = client.get(f"/author/training/lesson/{lesson.pk}/preview/").content.decode()
    assert "<strong>open</strong>" in body
    assert "<script>alert" not in body and "&lt;script&gt;" in body
    assert "3 min read" in body


def test_lesson_change_page_links_to_the_preview(client, staff, lesson):
    client.force_login(staff["admin"])
    body = client.get(f"/author/training/lesson/{lesson.pk}/change/").content.decode()
    assert f"/author/training/lesson/{lesson.pk}/preview/?audience=service" in body
    assert "Preview as a learner" in body


def test_a_made_key_never_clashes_with_a_key_typed_in_the_same_form(client, staff, lesson):
    """Two new modules: one left blank (its key made from "Intro"), one typed as "intro"."""
    client.force_login(staff["admin"])
    curriculum = lesson.module.curriculum
    existing = curriculum.modules.get()
    data = {
        "title": curriculum.title,
        "description": "",
        "pass_mark": "80",
        "key": curriculum.key,
        "modules-TOTAL_FORMS": "3",
        "modules-INITIAL_FORMS": "1",
        "modules-MIN_NUM_FORMS": "0",
        "modules-MAX_NUM_FORMS": "1000",
        "modules-0-id": existing.pk,
        "modules-0-curriculum": curriculum.pk,
        "modules-0-title": existing.title,
        "modules-0-key": existing.key,
        "modules-0-order": existing.order,
        "modules-1-title": "Intro",
        "modules-1-key": "",
        "modules-1-order": "5",
        "modules-2-title": "Another",
        "modules-2-key": "intro",
        "modules-2-order": "6",
    }
    response = client.post(f"/author/training/curriculum/{curriculum.pk}/change/", data)
    assert response.status_code == 302
    keys = dict(curriculum.modules.values_list("title", "key"))
    assert keys["Another"] == "intro" and keys["Intro"] == "intro-2"
    assert all(module.company_id == curriculum.company_id for module in curriculum.modules.all())


def test_lines_field_refuses_null_characters():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Line 1 contains a null character"):
        LinesField().clean("bad\x00line")


@pytest.mark.parametrize("query", ["\x00", "%", "' OR 1=1", "x" * 3000])
def test_odd_changelist_searches_never_fail(client, staff, lesson, query):
    client.force_login(staff["admin"])
    for url in ("/author/training/lesson/", "/author/training/question/"):
        assert client.get(url, {"q": query}).status_code in {200, 400}
