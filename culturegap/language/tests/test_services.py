"""Starting and publishing playbook drafts."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from culturegap.language import services
from culturegap.language.models import Playbook, PlaybookStatus
from culturegap.language.tests.factories import PlaybookFactory, playbook_with_content


@pytest.fixture
def published(company):
    return playbook_with_content(company=company, version=3)


def test_start_draft_copies_the_published_version_one_above_the_highest(published, staff):
    PlaybookFactory(company=published.company, version=1, status=PlaybookStatus.ARCHIVED)
    draft = services.start_draft(company=published.company, actor=staff["admin"])
    assert (draft.version, draft.status, draft.title) == (4, "draft", published.title)
    assert draft.value_propositions.count() == published.value_propositions.count() == 3
    assert sorted(draft.steps.values_list("key", flat=True)) == ["discover", "hand-over", "open"]
    assert draft.glossary.count() == 3
    step = draft.steps.get(key="open")
    assert step.crp_phrases == published.steps.get(key="open").crp_phrases


def test_the_copy_is_deep_and_independent(published, staff):
    draft = services.start_draft(company=published.company, actor=staff["admin"])
    step = draft.steps.get(key="open")
    step.crp_phrases.append("Hello!")
    step.name = "Greet"
    step.save()
    proposition = draft.value_propositions.get(key="services-fit-together")
    proposition.proof_points = []
    proposition.save()
    draft.glossary.filter(term="Rapport").delete()

    original = published.steps.get(key="open")
    assert original.name == "Open the contact"
    assert "Hello!" not in original.crp_phrases
    assert published.value_propositions.get(key="services-fit-together").proof_points != []
    assert published.glossary.filter(term="Rapport").exists()
    assert step.pk != original.pk


def test_start_draft_returns_the_existing_draft(published, staff):
    first = services.start_draft(company=published.company, actor=staff["admin"])
    second = services.start_draft(company=published.company, actor=staff["admin"])
    assert first.pk == second.pk
    assert Playbook.objects.filter(company=published.company, status="draft").count() == 1


def test_start_draft_without_a_published_version_is_empty(company, staff):
    draft = services.start_draft(company=company, actor=staff["admin"])
    assert draft.version == 1 and draft.status == "draft"
    assert services.is_empty(draft)


@pytest.mark.parametrize("role", ["executive", "manager", "crp", "sales"])
def test_only_a_program_admin_may_start_or_publish(published, staff, role):
    with pytest.raises(PermissionDenied):
        services.start_draft(company=published.company, actor=staff[role])
    with pytest.raises(PermissionDenied):
        services.publish_draft(company=published.company, actor=staff[role])


def test_an_admin_of_another_company_may_not_start_a_draft(published, other_company):
    from culturegap.org.tests.factories import PersonFactory

    outsider = PersonFactory(company=other_company, is_program_admin=True)
    with pytest.raises(PermissionDenied):
        services.start_draft(company=published.company, actor=outsider)


def test_publish_archives_the_old_version(published, staff):
    draft = services.start_draft(company=published.company, actor=staff["admin"])
    result = services.publish_draft(company=published.company, actor=staff["admin"])
    published.refresh_from_db()
    draft.refresh_from_db()
    assert result.pk == draft.pk
    assert draft.status == "published"
    assert draft.published_by == staff["admin"] and draft.published_at is not None
    assert published.status == "archived"
    statuses = Playbook.objects.filter(company=published.company).values_list("status", flat=True)
    assert sorted(statuses) == ["archived", "published"]


def test_publish_refuses_an_empty_draft_and_changes_nothing(published, staff):
    draft = services.start_draft(company=published.company, actor=staff["admin"])
    draft.value_propositions.all().delete()
    draft.steps.all().delete()
    draft.glossary.all().delete()
    with pytest.raises(services.PlaybookError, match="empty"):
        services.publish_draft(company=published.company, actor=staff["admin"])
    published.refresh_from_db()
    draft.refresh_from_db()
    assert (published.status, draft.status) == ("published", "draft")


def test_publish_without_a_draft_is_a_clear_error(published, staff):
    with pytest.raises(services.PlaybookError, match="no draft"):
        services.publish_draft(company=published.company, actor=staff["admin"])


def test_the_first_publish_needs_no_previous_version(company, staff):
    draft = services.start_draft(company=company, actor=staff["admin"])
    draft.glossary.create(term="Rapport", definition="Trust.")
    services.publish_draft(company=company, actor=staff["admin"])
    draft.refresh_from_db()
    assert draft.status == "published"


def test_the_database_allows_one_published_and_one_draft_per_company(published, other_company):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaybookFactory(company=published.company, version=10, status="published")
    PlaybookFactory(company=published.company, version=11, status="draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaybookFactory(company=published.company, version=12, status="draft")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlaybookFactory(company=published.company, version=3, status="archived")
    # Other companies are independent.
    PlaybookFactory(company=other_company, version=3, status="published")
    PlaybookFactory(company=other_company, version=4, status="draft")
