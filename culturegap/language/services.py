"""Changing the playbook: start a draft from the published version, publish the draft.

Only a program admin of the company may do either. A company has at most one draft and one
published version (database constraints); publishing archives the version it replaces, so
every earlier version stays readable.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from culturegap.language import events
from culturegap.language.models import (
    CommunicationStep,
    GlossaryTerm,
    Playbook,
    PlaybookStatus,
    ValueProposition,
)
from culturegap.org.models import Company, Person

DEFAULT_TITLE = "Our customer conversation"


class PlaybookError(Exception):
    """A playbook action that cannot be done, with a message for the admin."""


def _check_admin(*, company: Company, actor: Person) -> None:
    if not (actor.is_active and actor.is_program_admin and actor.company_id == company.pk):
        raise PermissionDenied("Only a program admin of the company may change its playbook.")


def next_version(*, company: Company) -> int:
    highest = Playbook.objects.filter(company=company).aggregate(top=Max("version"))["top"]
    return (highest or 0) + 1


def copy_contents(*, source: Playbook, target: Playbook) -> None:
    """Copy every value proposition, glossary term and step of ``source`` into ``target``.

    New rows are created (lists are copied), so editing the copy never touches the source."""
    ValueProposition.objects.bulk_create(
        ValueProposition(
            playbook=target,
            key=item.key,
            about=item.about,
            title=item.title,
            statement=item.statement,
            proof_points=list(item.proof_points),
            order=item.order,
        )
        for item in source.value_propositions.all()
    )
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(playbook=target, term=item.term, definition=item.definition, order=item.order)
        for item in source.glossary.all()
    )
    CommunicationStep.objects.bulk_create(
        CommunicationStep(
            playbook=target,
            key=item.key,
            name=item.name,
            purpose=item.purpose,
            what_to_do=list(item.what_to_do),
            crp_phrases=list(item.crp_phrases),
            sales_phrases=list(item.sales_phrases),
            observable_behaviour=item.observable_behaviour,
            order=item.order,
        )
        for item in source.steps.all()
    )


@transaction.atomic
def start_draft(*, company: Company, actor: Person) -> Playbook:
    """The company's draft: the existing one, or a new one copied from the published version
    (an empty one when nothing is published yet), numbered one above the highest version."""
    _check_admin(company=company, actor=actor)
    existing = Playbook.objects.filter(company=company, status=PlaybookStatus.DRAFT).first()
    if existing:
        return existing
    published = Playbook.objects.filter(company=company, status=PlaybookStatus.PUBLISHED).first()
    try:
        with transaction.atomic():
            draft = Playbook.objects.create(
                company=company,
                version=next_version(company=company),
                status=PlaybookStatus.DRAFT,
                title=published.title if published else DEFAULT_TITLE,
                summary=published.summary if published else "",
            )
            if published:
                copy_contents(source=published, target=draft)
    except IntegrityError:
        # Another admin started a draft at the same moment: theirs is the draft.
        existing = Playbook.objects.filter(company=company, status=PlaybookStatus.DRAFT).first()
        if existing is None:
            raise
        return existing
    return draft


def is_empty(playbook: Playbook) -> bool:
    return not (
        playbook.value_propositions.exists()
        or playbook.steps.exists()
        or playbook.glossary.exists()
    )


@transaction.atomic
def publish_draft(*, company: Company, actor: Person) -> Playbook:
    """Make the draft the published version; the version it replaces becomes archived."""
    _check_admin(company=company, actor=actor)
    versions = Playbook.objects.select_for_update().filter(
        company=company, status__in=[PlaybookStatus.DRAFT, PlaybookStatus.PUBLISHED]
    )
    by_status = {playbook.status: playbook for playbook in versions}
    draft = by_status.get(PlaybookStatus.DRAFT)
    if draft is None:
        raise PlaybookError("There is no draft to publish. Start a draft first.")
    if is_empty(draft):
        raise PlaybookError(
            "The draft is empty: add at least one value proposition, communication step or "
            "glossary term before publishing it."
        )
    published = by_status.get(PlaybookStatus.PUBLISHED)
    if published:
        # Archive first: at no moment may two versions be published.
        published.status = PlaybookStatus.ARCHIVED
        published.save(update_fields=["status"])
    draft.status = PlaybookStatus.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = actor
    draft.save(update_fields=["status", "published_at", "published_by"])
    events.playbook_published.send(sender=Playbook, company=company, playbook=draft)
    return draft
