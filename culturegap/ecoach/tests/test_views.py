"""The eCoach's pages: ask, the header box, your questions, the coach queue; bad input."""

import pytest
from django.urls import reverse

from culturegap.ecoach.models import AskedQuestion, CoachQuestion, EcoachSettings
from culturegap.ecoach.tests.factories import CoachQuestionFactory
from culturegap.org.tests.factories import PersonFactory

ASK = reverse("ecoach:ask")
QUEUE = reverse("ecoach:queue")
MINE = reverse("ecoach:my_questions")


def test_the_question_box_is_in_the_header_of_every_page_for_staff(client, staff):
    assert 'id="ecoach-box-q"' not in client.get(reverse("login")).content.decode()
    client.force_login(staff["crp"])
    for url in (reverse("today"), reverse("language:playbook"), ASK):
        page = client.get(url).content.decode()
        assert 'id="ecoach-box-q"' in page and f'action="{ASK}"' in page, url
        assert 'for="ecoach-box-q"' in page  # labelled


def test_an_answer_shows_confidence_and_linked_sources(client, staff, content):
    client.force_login(staff["crp"])
    response = client.get(ASK, {"q": "What is a need signal?"})
    assert response.status_code == 200
    page = response.content.decode()
    answer = response.context["answer"]
    assert f"{answer.confidence_words.capitalize()} ({answer.confidence:.2f})" in page
    playbook_anchor = reverse("language:playbook") + "#term-need-signal"
    assert answer.passages[0].url == playbook_anchor
    assert f'href="{playbook_anchor}"' in page
    assert 'href="#source-1"' in page and 'id="source-1"' in page
    assert "Not helpful?" in page and f'value="{answer.asked.pk}"' in page


def test_an_unknown_question_is_passed_to_a_coach(client, staff, content):
    client.force_login(staff["crp"])
    page = client.get(ASK, {"q": "What is the wifi password?"}).content.decode()
    assert "I don't know yet" in page and "passed your question to a coach" in page
    assert CoachQuestion.objects.filter(asker=staff["crp"], status="open").count() == 1


@pytest.mark.parametrize(
    "query, message",
    [
        ({"q": ""}, "Type a question"),
        ({"q": "   "}, "Type a question"),
        ({"q": "why " * 600}, "under 1000"),
        ({"q": "null\x00byte"}, "Null characters"),
    ],
)
def test_bad_questions_are_a_400_naming_the_field(client, staff, content, query, message):
    client.force_login(staff["crp"])
    response = client.get(ASK, query)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your question:" in page and message in page
    assert "q" in response.context["form"].errors
    assert not AskedQuestion.objects.exists()


def test_not_helpful_passes_the_question_on(client, staff, content):
    client.force_login(staff["crp"])
    asked = client.get(ASK, {"q": "What is a need signal?"}).context["answer"].asked
    response = client.post(reverse("ecoach:ask_a_coach"), {"asked": asked.pk})
    assert response.status_code == 302 and response.url == MINE
    assert CoachQuestion.objects.get().text == "What is a need signal?"
    # Someone else's question, or none, is refused.
    client.force_login(staff["sales"])
    assert client.post(reverse("ecoach:ask_a_coach"), {"asked": asked.pk}).status_code == 404
    assert client.post(reverse("ecoach:ask_a_coach"), {"asked": "x"}).status_code == 400


def test_your_questions_show_answers_once_as_new(client, staff):
    company = staff["crp"].company
    CoachQuestionFactory(company=company, asker=staff["crp"], text="Open one?")
    CoachQuestionFactory(
        company=company,
        asker=staff["crp"],
        text="Answered one?",
        status="answered",
        answer_text="Here is how.",
        answered_by=staff["manager"],
    )
    CoachQuestionFactory(company=company, asker=staff["sales"], text="Not mine?")
    client.force_login(staff["crp"])
    assert "1 new" in client.get(reverse("today")).content.decode()  # the menu says so
    page = client.get(MINE).content.decode()
    assert "Open one?" in page and "Answered one?" in page and "Here is how." in page
    assert "Not mine?" not in page
    assert ">New<" in page
    assert ">New<" not in client.get(MINE).content.decode()


def test_the_queue_is_for_managers_and_admins(client, staff):
    CoachQuestionFactory(company=staff["crp"].company, asker=staff["crp"], text="Help me?")
    for role in ("crp", "sales", "executive"):
        client.force_login(staff[role])
        assert client.get(QUEUE).status_code == 403
    client.force_login(staff["manager"])
    page = client.get(QUEUE).content.decode()
    assert "Help me?" in page and "Cara CRP" in page
    assert "Quality review" not in page  # for program admins
    client.force_login(staff["admin"])
    assert "Quality review" in client.get(QUEUE).content.decode()
    assert client.get(QUEUE, {"status": "nonsense"}).status_code == 400


def test_a_coach_answers_from_the_queue(client, staff, content, django_capture_on_commit_callbacks):
    question = CoachQuestionFactory(company=staff["crp"].company, asker=staff["crp"])
    url = reverse("ecoach:answer_question", args=[question.pk])
    client.force_login(staff["manager"])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"answer": "Like this.", "publish": "on"})
    assert response.status_code == 302 and response.url == QUEUE
    question.refresh_from_db()
    assert (question.status, question.published, question.answer_text) == (
        "answered",
        True,
        "Like this.",
    )
    client.force_login(staff["sales"])
    answer_page = client.get(reverse("ecoach:coach_answer", args=[question.pk]))
    assert answer_page.status_code == 200 and "Like this." in answer_page.content.decode()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"answer": ""}, "answer", "Your answer: Write the answer."),
        ({"answer": "x" * 5001}, "answer", "Your answer: Ensure this value has at most 5000"),
        (
            {"answer": "Fine.", "published_question": "q" * 301},
            "published_question",
            "The question as others will find it: Ensure",
        ),
    ],
)
def test_bad_answers_are_a_400_naming_the_field(client, staff, data, field, message):
    question = CoachQuestionFactory(company=staff["crp"].company, asker=staff["crp"])
    client.force_login(staff["manager"])
    response = client.post(reverse("ecoach:answer_question", args=[question.pk]), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    question.refresh_from_db()
    assert question.status == "open"


def test_coaches_only_reach_questions_they_may_see(client, company, staff, other_company):
    ours = CoachQuestionFactory(company=company, asker=staff["crp"])
    outsider = PersonFactory(company=other_company, is_manager=True, is_program_admin=True)
    client.force_login(outsider)
    assert client.get(reverse("ecoach:answer_question", args=[ours.pk])).status_code == 404
    assert (
        client.post(
            reverse("ecoach:answer_question", args=[ours.pk]), {"answer": "Hijack."}
        ).status_code
        == 404
    )
    ours.refresh_from_db()
    assert ours.status == "open"


def test_unpublished_answers_are_for_the_asker(client, staff):
    question = CoachQuestionFactory(
        company=staff["crp"].company,
        asker=staff["crp"],
        status="answered",
        answer_text="Just for you.",
        published=False,
    )
    url = reverse("ecoach:coach_answer", args=[question.pk])
    client.force_login(staff["crp"])
    assert client.get(url).status_code == 200
    client.force_login(staff["sales"])
    assert client.get(url).status_code == 404


def test_admins_set_the_threshold_and_bad_values_are_a_400(client, company, staff):
    client.force_login(staff["admin"])
    url = reverse("ecoach:threshold")
    assert client.post(url, {"threshold": "0.55"}).status_code == 302
    assert EcoachSettings.objects.get(company=company).confidence_threshold == 0.55
    for bad in ("", "1.5", "-1", "nan", "abc"):
        response = client.post(url, {"threshold": bad})
        assert response.status_code == 400, bad
        assert "threshold:" in response.content.decode()
    assert EcoachSettings.objects.get(company=company).confidence_threshold == 0.55
    client.force_login(staff["manager"])
    assert client.post(url, {"threshold": "0.1"}).status_code == 403
