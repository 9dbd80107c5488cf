"""Asking, routing to a coach, answering and publishing: the eCoach's services."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from culturegap.ecoach import selectors, services
from culturegap.ecoach.models import AskedQuestion, CoachQuestion
from culturegap.ecoach.tests.factories import CoachQuestionFactory
from culturegap.language.tests.factories import playbook_with_content
from culturegap.org.tests.factories import PersonFactory, TeamFactory

UNKNOWN = "What is the wifi password in the office?"


def test_an_answer_cites_and_links_the_passages_it_used(staff, content):
    answer = services.ask(person=staff["crp"], question="What is a need signal?")
    assert answer.answered and answer.confidence >= answer.threshold
    first = answer.passages[0]
    assert (first.number, first.id) == (1, "glossary:need-signal")
    assert first.url.endswith("#term-need-signal") and first.score > 0
    assert first.quoted == ["Something a customer says that suggests a need we could serve."]
    assert answer.text.startswith("Something a customer says") and "[1]" in answer.text
    assert 1 <= len(answer.passages) <= 3
    assert answer.confidence_words in {"sure", "fairly sure", "not very sure"}


def test_quoted_list_items_read_as_sentences(staff, content):
    answer = services.ask(person=staff["crp"], question="explain who will call them and when")
    assert answer.passages[0].id == "step:hand-over"
    assert "Explain who will call and when." in answer.passages[0].quoted
    assert all(s[-1] in ".!?…:”" for p in answer.passages for s in p.quoted)


def test_every_question_is_logged_with_its_confidence(staff, content):
    answer = services.ask(person=staff["crp"], question="What is a need signal?")
    logged = AskedQuestion.objects.get()
    assert logged == answer.asked
    assert (logged.person, logged.text, logged.answered, logged.routed) == (
        staff["crp"],
        "What is a need signal?",
        True,
        False,
    )
    assert logged.confidence == answer.confidence
    assert logged.passages[0][0] == "glossary:need-signal"


def test_below_the_threshold_it_says_so_and_routes_the_question(staff, content):
    answer = services.ask(person=staff["crp"], question=UNKNOWN)
    assert not answer.answered
    assert answer.text.startswith("I don't know")
    queued = CoachQuestion.objects.get()
    assert (queued.asker, queued.text, queued.status) == (staff["crp"], UNKNOWN, "open")
    assert answer.coach_question == queued
    assert AskedQuestion.objects.get().routed
    # Asking again (or reloading the page) does not queue it twice.
    services.ask(person=staff["crp"], question=UNKNOWN)
    assert CoachQuestion.objects.count() == 1 and AskedQuestion.objects.count() == 2


def test_the_threshold_is_the_companys(company, staff, content):
    question = "What is a need signal?"
    assert services.ask(person=staff["crp"], question=question).answered
    services.set_confidence_threshold(company=company, actor=staff["admin"], threshold=1.0)
    assert not services.ask(person=staff["crp"], question=question).answered
    with pytest.raises(PermissionDenied):
        services.set_confidence_threshold(company=company, actor=staff["manager"], threshold=0.1)
    with pytest.raises(ValidationError):
        services.set_confidence_threshold(company=company, actor=staff["admin"], threshold=1.5)


def test_a_published_coach_answer_answers_the_next_person(
    staff, content, django_capture_on_commit_callbacks
):
    services.ask(person=staff["crp"], question=UNKNOWN)
    queued = CoachQuestion.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(
            coach=staff["manager"],
            question=queued,
            answer="It is on the card by the kitchen door; ask reception for a guest code.",
        )
    queued.refresh_from_db()
    assert (queued.status, queued.published, queued.answered_by) == (
        "answered",
        True,
        staff["manager"],
    )
    # The asker is told.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [staff["crp"].email]
    assert "kitchen door" in mail.outbox[0].body and "/ecoach/questions/" in mail.outbox[0].body
    assert selectors.unseen_answers(person=staff["crp"]) == 1

    # The same question, from someone else: answered from the coach's answer, cited.
    again = services.ask(person=staff["sales"], question=UNKNOWN)
    assert again.answered
    assert again.passages[0].id == f"coach:{queued.pk}"
    assert again.passages[0].url == f"/ecoach/answers/{queued.pk}/"
    assert again.passages[0].kind == "coach answer"
    assert "kitchen door" in again.text and "[1]" in again.text
    # A similar question, in other words, finds it too.
    similar = services.ask(person=staff["manager"], question="whats the wifi password?")
    assert similar.answered and similar.passages[0].id == f"coach:{queued.pk}"
    assert CoachQuestion.objects.count() == 1


def test_an_unpublished_answer_goes_to_the_asker_only(staff, content):
    services.ask(person=staff["crp"], question=UNKNOWN)
    queued = CoachQuestion.objects.get()
    services.answer_question(
        coach=staff["manager"], question=queued, answer="Ask reception.", publish=False
    )
    assert not services.ask(person=staff["sales"], question=UNKNOWN).answered


def test_a_coach_answer_of_one_company_never_answers_another(
    company, other_company, staff, content
):
    services.ask(person=staff["crp"], question=UNKNOWN)
    services.answer_question(
        coach=staff["admin"], question=CoachQuestion.objects.get(), answer="Card by the door."
    )
    playbook_with_content(company=other_company, version=1)
    outsider = PersonFactory(company=other_company, email="crp@other.test")
    theirs = services.ask(person=outsider, question=UNKNOWN)
    assert not theirs.answered
    assert all(not p.id.startswith("coach:") for p in theirs.passages)
    assert CoachQuestion.objects.filter(company=other_company).count() == 1


def test_a_person_may_pass_an_answered_question_to_a_coach(staff, content):
    answer = services.ask(person=staff["crp"], question="What is a need signal?")
    assert answer.answered and not CoachQuestion.objects.exists()
    passed = services.ask_a_coach(person=staff["crp"], asked=answer.asked)
    assert (passed.text, passed.asker, passed.status) == (answer.question, staff["crp"], "open")
    assert AskedQuestion.objects.get().routed
    with pytest.raises(PermissionDenied):
        services.ask_a_coach(person=staff["sales"], asked=answer.asked)


@pytest.mark.parametrize(
    "question, message",
    [
        ("", "Type a question"),
        ("   ", "Type a question"),
        ("x" * 2500, "under 1000"),
        ("a\x00b", "not text"),
    ],
)
def test_bad_questions_are_refused_naming_the_field(staff, content, question, message):
    with pytest.raises(ValidationError) as refused:
        services.ask(person=staff["crp"], question=question)
    assert message in refused.value.message_dict["q"][0]
    assert not AskedQuestion.objects.exists()


def test_bad_answers_are_refused_naming_the_field(staff, content):
    queued = CoachQuestionFactory(company=staff["crp"].company, asker=staff["crp"])
    with pytest.raises(ValidationError) as refused:
        services.answer_question(coach=staff["manager"], question=queued, answer="  ")
    assert "answer" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.answer_question(
            coach=staff["manager"], question=queued, answer="Yes.", published_question="x" * 301
        )
    assert "published_question" in refused.value.message_dict
    queued.refresh_from_db()
    assert queued.status == "open"


def test_who_sees_which_questions_in_the_coach_queue(company, staff):
    elsewhere = TeamFactory(company=company, name="Tax")
    other_manager = PersonFactory(company=company, team=elsewhere, is_manager=True, is_crp=False)
    loner = PersonFactory(company=company, team=elsewhere, manager=None, email="loner@acme.test")
    from_crp = CoachQuestionFactory(company=company, asker=staff["crp"])
    from_sales = CoachQuestionFactory(company=company, asker=staff["sales"])  # reports to exec
    from_loner = CoachQuestionFactory(company=company, asker=loner)
    from_leaver = CoachQuestionFactory(company=company, asker=None)

    def queue(viewer):
        return set(selectors.coach_queue(viewer=viewer))

    assert queue(staff["admin"]) == {from_crp, from_sales, from_loner, from_leaver}
    assert queue(staff["manager"]) == {from_crp, from_loner, from_leaver}
    assert queue(other_manager) == {from_loner, from_leaver}
    for role in ("crp", "sales", "executive"):
        assert queue(staff[role]) == set()
    with pytest.raises(PermissionDenied):
        services.answer_question(coach=other_manager, question=from_crp, answer="Hello.")


def test_answering_again_corrects_without_telling_the_asker_twice(
    staff, content, django_capture_on_commit_callbacks
):
    queued = CoachQuestionFactory(company=staff["crp"].company, asker=staff["crp"], text=UNKNOWN)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_question(coach=staff["manager"], question=queued, answer="First.")
        services.answer_question(coach=staff["admin"], question=queued, answer="Better.")
    assert len(mail.outbox) == 1
    queued.refresh_from_db()
    assert (queued.answer_text, queued.answered_by) == ("Better.", staff["admin"])
    assert services.ask(person=staff["sales"], question=UNKNOWN).passages[0].quoted == ["Better."]


def test_seeing_the_answers_clears_the_notice(staff):
    CoachQuestionFactory(
        company=staff["crp"].company, asker=staff["crp"], status="answered", answer_text="A."
    )
    assert selectors.unseen_answers(person=staff["crp"]) == 1
    assert services.mark_answers_seen(person=staff["crp"]) == 1
    assert selectors.unseen_answers(person=staff["crp"]) == 0
