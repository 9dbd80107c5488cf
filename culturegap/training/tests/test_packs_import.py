"""Tests of importing and exporting content packs: lossless round trips, idempotent re-imports,
updates in place that keep learners' answers, and the playbook's versions."""

from collections import Counter

import pytest
import yaml

from culturegap.ecoach.models import KnowledgeIndexVersion
from culturegap.language.models import Playbook, PlaybookStatus
from culturegap.org.tests.factories import PersonFactory
from culturegap.training.models import (
    Answer,
    AnswerContext,
    ContentPack,
    Curriculum,
    Enrollment,
    Lesson,
    LessonProgress,
    Module,
    Option,
    Question,
)
from culturegap.training.packs import (
    STARTER_PACK,
    UnknownCurriculum,
    dump_pack,
    export_pack,
    import_pack,
    import_starter_pack,
    read_pack,
)
from culturegap.training.tests.pack_samples import as_yaml, small_pack


def load(company, pack: dict, **kwargs):
    result = import_pack(company=company, data=as_yaml(pack), filename="small.yaml", **kwargs)
    assert result.ok, result.errors
    return result


def content_ids(company) -> dict:
    """Every content row's id and fields: equal before and after means nothing was written."""
    return {
        model.__name__: sorted(model.objects.filter(**{lookup: company}).values_list())
        for model, lookup in (
            (Curriculum, "company"),
            (Module, "company"),
            (Lesson, "company"),
            (Question, "company"),
            (Option, "question__company"),
            (Playbook, "company"),
        )
    }


@pytest.fixture
def starter(db):
    pack, errors = read_pack(STARTER_PACK.read_bytes(), filename=STARTER_PACK.name)
    assert errors == []
    return pack


def test_starter_pack_round_trip_is_lossless(company, other_company, starter):
    assert import_starter_pack(company=company).ok

    exported = export_pack(company=company)
    assert exported == starter

    # Through the file, into another company: the same export again.
    result = import_pack(company=other_company, data=dump_pack(exported), filename="export.yaml")
    assert result.ok, result.errors
    assert export_pack(company=other_company) == starter


def test_round_trip_twice_through_json_and_yaml(company, other_company):
    load(company, small_pack())
    first = export_pack(company=company)
    as_json = dump_pack(first, filename="pack.json")
    assert import_pack(company=other_company, data=as_json, filename="pack.json").ok
    second = export_pack(company=other_company)
    assert first == second == small_pack()

    again = import_pack(company=company, data=dump_pack(second), filename="pack.yaml")
    assert again.ok and not again.changed
    assert export_pack(company=company) == small_pack()


def test_exported_yaml_keeps_lesson_bodies_as_blocks(company, starter):
    import_starter_pack(company=company)

    text = dump_pack(export_pack(company=company)).decode()

    assert "body: |" in text
    assert yaml.safe_load(text) == starter


def test_reimport_changes_nothing(company, starter):
    first = import_starter_pack(company=company)
    before = content_ids(company)

    second = import_starter_pack(company=company)

    assert second.ok and not second.changed
    assert second.created == second.updated == second.deleted == 0
    assert second.unchanged == first.created
    modules = len(starter["curricula"][0]["modules"])
    assert second.counts["module"]["unchanged"] == modules
    assert "unchanged" in second.playbook
    assert content_ids(company) == before


def test_first_import_counts_what_it_created(company):
    result = load(company, small_pack())

    assert result.counts["curriculum"]["created"] == 1
    assert result.counts["module"]["created"] == 2
    assert result.counts["lesson"]["created"] == 3
    assert result.counts["question"]["created"] == 4
    assert result.playbook == "published as version 1"
    assert result.curricula == ["basics"]
    assert ContentPack.objects.get(company=company).curriculum_keys == ["basics"]


def _answer(person, question, option):
    return Answer.objects.create(
        company=person.company,
        person=person,
        question=question,
        option=option,
        is_correct=option.is_correct,
        context=AnswerContext.LESSON,
    )


def test_an_updated_lesson_is_applied_and_answers_survive(company):
    load(company, small_pack())
    learner = PersonFactory(company=company)
    question = Question.objects.get(company=company, key="q1")
    lesson_id = question.lesson_id
    answer = _answer(learner, question, question.options.get(is_correct=True))

    pack = small_pack()
    lesson = pack["curricula"][0]["modules"][0]["lessons"][0]
    lesson["title"] = "Greet every customer by name"
    lesson["body"] = "A new body.\n"
    lesson["questions"][0]["scenario"] = "A customer rings about a late refund."
    result = load(company, pack)

    assert result.counts["lesson"] == Counter(updated=1, unchanged=2)
    assert result.counts["question"] == Counter(updated=1, unchanged=3)
    assert result.counts["module"] == Counter(unchanged=2)
    updated = Lesson.objects.get(pk=lesson_id)
    assert (updated.title, updated.body) == ("Greet every customer by name", "A new body.\n")
    answer.refresh_from_db()
    assert answer.question_id == question.pk
    assert answer.option.text == "Ask what happened"
    assert export_pack(company=company) == pack


def test_changed_feedback_keeps_the_option(company):
    load(company, small_pack())
    question = Question.objects.get(company=company, key="q1")
    option_ids = list(question.options.values_list("pk", flat=True))

    pack = small_pack()
    pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]["options"][0]["feedback"] = (
        "Too early: you do not know the problem yet."
    )
    result = load(company, pack)

    assert result.counts["question"]["updated"] == 1
    assert list(question.options.values_list("pk", flat=True)) == option_ids
    assert question.options.get(order=0).feedback.startswith("Too early: you")


def test_a_removed_option_leaves_the_answer_as_recorded(company):
    load(company, small_pack())
    learner = PersonFactory(company=company)
    question = Question.objects.get(company=company, key="q1")
    wrong = question.options.get(text="Transfer the call")
    answer = _answer(learner, question, wrong)

    pack = small_pack()
    options = pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]["options"]
    options[2] = {"text": "Promise a call back", "correct": False, "feedback": "Vague."}
    load(company, pack)

    answer.refresh_from_db()
    assert answer.option is None and answer.is_correct is False
    assert list(question.options.values_list("text", flat=True)) == [
        "Offer a discount",
        "Ask what happened",
        "Promise a call back",
    ]


def test_a_lesson_moved_to_another_module_keeps_its_id_and_progress(company):
    load(company, small_pack())
    learner = PersonFactory(company=company)
    curriculum = Curriculum.objects.get(company=company)
    lesson = Lesson.objects.get(company=company, key="l2")
    enrollment = Enrollment.objects.create(
        company=company,
        person=learner,
        curriculum=curriculum,
        starts_on="2026-01-05",
        due_on="2026-03-05",
    )
    LessonProgress.objects.create(company=company, enrollment=enrollment, lesson=lesson)

    pack = small_pack()
    moved = pack["curricula"][0]["modules"][0]["lessons"].pop(1)
    pack["curricula"][0]["modules"][1]["lessons"].insert(0, moved)
    result = load(company, pack)

    lesson.refresh_from_db()
    assert lesson.module.key == "m2" and lesson.order == 0
    assert LessonProgress.objects.filter(lesson=lesson).count() == 1
    assert result.counts["lesson"]["updated"] == 2  # l2 moved, l3 one place down
    assert export_pack(company=company) == pack


def test_content_missing_from_the_pack_is_deleted_unless_answered(company):
    load(company, small_pack())
    learner = PersonFactory(company=company)
    answered = Question.objects.get(company=company, key="q2")
    _answer(learner, answered, answered.options.first())

    pack = small_pack()
    lesson = pack["curricula"][0]["modules"][0]["lessons"][0]
    del lesson["questions"][:2]  # q1 never answered, q2 answered
    del pack["curricula"][0]["modules"][1]  # m2 with l3 and q4, never answered
    result = load(company, pack)

    assert not Question.objects.filter(key__in=["q1", "q4"]).exists()
    assert not Module.objects.filter(key="m2").exists()
    assert Question.objects.filter(pk=answered.pk).exists()
    assert result.retired == ["basics: question q2"]
    assert result.counts["question"]["deleted"] == 2
    assert result.counts["lesson"]["deleted"] == 1
    assert result.counts["module"]["deleted"] == 1
    assert "kept" in result.summary()
    # Kept, and reported again next time, but nothing else changes.
    again = load(company, pack)
    assert not again.changed and again.retired == ["basics: question q2"]


def test_a_changed_playbook_becomes_the_draft_then_is_published(company):
    load(company, small_pack())
    pack = small_pack()
    pack["playbook"]["summary"] = "Two steps, revised."

    as_draft = load(company, pack)

    published = Playbook.objects.get(company=company, status=PlaybookStatus.PUBLISHED)
    draft = Playbook.objects.get(company=company, status=PlaybookStatus.DRAFT)
    assert (published.version, draft.version) == (1, 2)
    assert draft.summary == "Two steps, revised." and published.summary == "Two steps."
    assert as_draft.playbook == "saved as draft version 2"
    assert export_pack(company=company, draft=True)["playbook"] == pack["playbook"]
    assert export_pack(company=company)["playbook"] == small_pack()["playbook"]

    pack["playbook"]["summary"] = "Two steps, revised again."
    replaced = load(company, pack)
    assert replaced.playbook == "replaced the draft (version 2)"
    assert Playbook.objects.filter(company=company).count() == 2

    admin = PersonFactory(company=company, is_program_admin=True)
    pack["playbook"]["summary"] = "Final."
    published_now = load(company, pack, publish=True, actor=admin)
    statuses = dict(Playbook.objects.filter(company=company).values_list("version", "status"))
    assert statuses == {1: "archived", 2: "draft", 3: "published"}
    assert published_now.playbook == "published as version 3 (version 1 archived)"
    assert Playbook.objects.get(version=3, company=company).published_by == admin


def test_publishing_a_pack_equal_to_the_draft_publishes_the_draft(company):
    load(company, small_pack())
    pack = small_pack()
    pack["playbook"]["title"] = "Our conversation, v2"
    load(company, pack)  # the draft

    result = load(company, pack, publish=True)

    assert result.playbook == "published the matching draft as version 2"
    assert not Playbook.objects.filter(company=company, status=PlaybookStatus.DRAFT).exists()


def test_publish_false_keeps_a_first_playbook_as_draft(company):
    result = load(company, small_pack(), publish=False)

    assert result.playbook == "saved as draft version 1"
    assert "playbook" not in export_pack(company=company)


def test_export_of_some_curricula_in_the_order_asked(company):
    load(company, small_pack())
    other = small_pack()
    other["key"] = "second"
    other["curricula"][0]["key"] = "advanced"
    load(company, other)

    pack = export_pack(company=company, curriculum_keys=["advanced", "basics"])
    assert [c["key"] for c in pack["curricula"]] == ["advanced", "basics"]
    assert pack["key"] == company.slug  # no pack brought exactly these two

    only = export_pack(company=company, curriculum_keys=["advanced"], include_playbook=False)
    assert only["key"] == "second" and "playbook" not in only

    with pytest.raises(UnknownCurriculum, match="nope"):
        export_pack(company=company, curriculum_keys=["nope"])


def test_the_same_key_in_two_companies_stays_apart(company, other_company):
    load(company, small_pack())
    pack = small_pack()
    pack["curricula"][0]["title"] = "Their basics"
    load(other_company, pack)

    assert Curriculum.objects.get(company=company).title == "Basics"
    assert Curriculum.objects.get(company=other_company).title == "Their basics"
    assert Question.objects.filter(company=company).count() == 4


def test_an_import_that_changes_content_tells_the_ecoach(company):
    version = KnowledgeIndexVersion.objects.filter(company=company)

    load(company, small_pack())
    first = version.get().version
    load(company, small_pack())  # nothing changed
    assert version.get().version == first

    pack = small_pack()
    pack["curricula"][0]["modules"][0]["lessons"][0]["body"] = "Changed."
    load(company, pack)
    assert version.get().version == first + 1

    pack["playbook"]["title"] = "A draft nobody reads yet"
    load(company, pack)
    assert version.get().version == first + 1
