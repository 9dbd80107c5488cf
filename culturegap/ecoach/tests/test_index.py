"""The knowledge index stays fresh: versions, the rebuild task, the stored index, the cache."""

import pytest
from django.db import connection, transaction

from culturegap.ecoach import index as knowledge
from culturegap.ecoach import tasks
from culturegap.ecoach.models import KnowledgeIndexVersion
from culturegap.language import services as language_services
from culturegap.language.tests.factories import GlossaryTermFactory
from culturegap.training.packs import STARTER_PACK, import_pack
from culturegap.training.tests.factories import LessonFactory


def version_of(company) -> KnowledgeIndexVersion:
    return KnowledgeIndexVersion.objects.get(company=company)


def test_a_change_bumps_the_version_and_the_task_builds_and_stores_it(
    company, content, immediate_tasks, django_capture_on_commit_callbacks
):
    before = knowledge.current_index(company=company)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        knowledge.content_changed(company=company)
    row = version_of(company)
    assert row.version == before.version + 1 and row.token != before.token
    assert len(callbacks) == 1  # the rebuild, enqueued once the change committed
    assert row.built_version == row.version
    assert row.built_at is not None and row.passage_count == len(before.index)
    assert bytes(row.index)


def test_the_rebuild_task_bumps_the_built_version(company, content, immediate_tasks):
    knowledge.content_changed(company=company)  # no commit here: the task is run by hand
    row = version_of(company)
    assert row.built_version < row.version
    result = tasks.rebuild_index.enqueue(company_id=company.pk)
    assert result.return_value == row.version
    assert version_of(company).built_version == row.version
    # Run again, it finds the index built and stops.
    assert tasks.rebuild_index.enqueue(company_id=company.pk).return_value == row.version
    assert tasks.rebuild_index.enqueue(company_id=987654).return_value is None


def test_another_process_loads_the_stored_index_instead_of_building(company, content, monkeypatch):
    version = knowledge.rebuild_index(company=company)
    knowledge.clear_cache()  # as in a fresh app server

    def no_build(**kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(knowledge, "company_passages", no_build)
    current = knowledge.current_index(company=company)
    assert current.version == version
    assert current.index.search("rapport").hits[0].passage.id == "glossary:rapport"


def test_without_a_worker_the_next_question_still_sees_the_change(company, content):
    assert knowledge.current_index(company=company).index.search("onboarding").hits == []
    LessonFactory(
        module=content["lesson"].module,
        key="onboarding",
        title="Welcome a new customer",
        body="## Onboarding\nCall in the first week.",
    )  # saving a lesson (as on the authoring site) is a change
    hits = knowledge.current_index(company=company).index.search("onboarding").hits
    assert hits[0].passage.id == "lesson:onboarding#onboarding"


def test_publishing_a_playbook_changes_the_content(company, staff, content):
    version = knowledge.current_index(company=company).version
    draft = language_services.start_draft(company=company, actor=staff["admin"])
    GlossaryTermFactory(playbook=draft, term="Onboarding", definition="The first weeks.")
    assert knowledge.current_index(company=company).version == version  # drafts are not read
    language_services.publish_draft(company=company, actor=staff["admin"])
    current = knowledge.current_index(company=company)
    assert current.version == version + 1
    assert current.index.search("onboarding").hits[0].passage.id == "glossary:onboarding"


def test_importing_a_pack_changes_the_content(company):
    version = knowledge.current_index(company=company).version
    assert len(knowledge.current_index(company=company).index) == 0
    result = import_pack(company=company, data=STARTER_PACK.read_bytes(), filename="starter.yaml")
    assert result.ok
    current = knowledge.current_index(company=company)
    assert current.version > version
    assert len(current.index) > 150


def test_a_failed_import_changes_nothing(company):
    version = knowledge.current_index(company=company).version
    result = import_pack(company=company, data=b"format: nonsense", filename="bad.yaml")
    assert not result.ok
    assert version_of(company).version == version


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_enqueues_nothing(company, content, immediate_tasks, monkeypatch):
    enqueued = []
    monkeypatch.setattr(knowledge, "_enqueue_rebuild", enqueued.append)
    version = knowledge.current_index(company=company).version
    with pytest.raises(RuntimeError), transaction.atomic():
        knowledge.content_changed(company=company)
        raise RuntimeError
    assert enqueued == [] and version_of(company).version == version
    knowledge.content_changed(company=company)
    assert enqueued == [company.pk]


def test_a_process_keeps_the_indexes_of_the_busiest_companies_only(
    company, other_company, content, monkeypatch
):
    monkeypatch.setattr(knowledge, "CACHED_COMPANIES", 1)
    knowledge.current_index(company=company)
    assert list(knowledge._cache) == [company.pk]
    knowledge.current_index(company=other_company)
    assert list(knowledge._cache) == [other_company.pk]


def test_deleting_a_company_with_lessons_and_an_index_leaves_nothing_behind(company, content):
    knowledge.current_index(company=company)
    before = version_of(company).version
    LessonFactory(module=content["lesson"].module, key="second")
    content["lesson"].delete()  # a lesson deleted on its own makes the index stale
    assert version_of(company).version == before + 2  # one save, one deletion
    company.delete()  # the remaining lesson's signal comes after the version row is gone
    connection.check_constraints()
    assert not KnowledgeIndexVersion.objects.exists()
