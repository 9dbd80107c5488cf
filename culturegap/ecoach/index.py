"""Each company's knowledge index: kept up to date, built in the background, cached in memory.

How it stays fresh:

1. Whatever changes what the eCoach answers from calls ``content_changed(company=...)`` in its
   own transaction: ``ecoach.receivers``, for the content events of the apps below (a playbook
   published, a content pack imported, a lesson saved or deleted), and ``ecoach.services``,
   publishing a coach's answer. It bumps ``KnowledgeIndexVersion.version`` (and its ``token``)
   in that transaction and, once it commits, enqueues the ``rebuild_index`` task.
2. The task (a django-tasks worker) builds the index and stores it, serialised, on the version
   row with the version it reflects (``built_version``), so every app server shares it.
3. A question reads the version row (one small query). The process's cache answers when it
   holds that token; else the stored index is loaded when it is of that version; else (the
   worker has not run yet) the index is built from the database there and then. No question
   is answered from content older than the last commit.

The version row is read before the content, so a build may reflect content newer than its
version (a change committed in between) but never older.
"""

import logging
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from culturegap.ecoach.models import KnowledgeIndexVersion
from culturegap.ecoach.passages import company_passages
from culturegap.ecoach.retrieval import KnowledgeIndex
from culturegap.org.models import Company

logger = logging.getLogger(__name__)


@dataclass
class CurrentIndex:
    version: int
    token: uuid.UUID
    index: KnowledgeIndex


# The indexes of the companies asked about most recently, by company id: up to a megabyte or
# so each (the starter pack's: 0.8 MB in memory, 0.1 MB stored), so a process serving many
# companies keeps the busiest ones, not all.
CACHED_COMPANIES = 64
_cache: OrderedDict[int, CurrentIndex] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _version_row(company: Company) -> KnowledgeIndexVersion:
    row = KnowledgeIndexVersion.objects.defer("index").filter(company=company).first()
    if row is None:
        try:
            with transaction.atomic():
                row = KnowledgeIndexVersion.objects.create(company=company)
        except IntegrityError:  # created by another request meanwhile
            row = KnowledgeIndexVersion.objects.defer("index").get(company=company)
    return row


def content_changed(*, company: Company) -> None:
    """Call in the transaction that changed the company's published playbook, lessons or
    published coach answers: the next question sees the change, and the index is rebuilt in
    the background once the transaction commits."""
    with transaction.atomic():
        if not _bump(company.pk):
            _version_row(company)  # the company's first content: build it ahead of questions
    company_id = company.pk
    transaction.on_commit(lambda: _enqueue_rebuild(company_id))


def content_removed(*, company_id: int) -> None:
    """Like ``content_changed``, for a deletion, which may be part of deleting the whole
    company: only an index that exists is made stale (no version row is created, nor the
    company read)."""
    if _bump(company_id):
        transaction.on_commit(lambda: _enqueue_rebuild(company_id))


def _bump(company_id: int) -> bool:
    return bool(
        KnowledgeIndexVersion.objects.filter(company_id=company_id).update(
            version=F("version") + 1, token=uuid.uuid4()
        )
    )


def _enqueue_rebuild(company_id: int) -> None:
    from culturegap.ecoach.tasks import rebuild_index

    try:
        rebuild_index.enqueue(company_id=company_id)
    except Exception:
        # Questions still get a fresh index (built on demand); only the head start is lost.
        logger.exception("Could not enqueue the eCoach index rebuild of company %s", company_id)


def _remember(company_id: int, current: CurrentIndex) -> CurrentIndex:
    with _lock:
        _cache[company_id] = current
        _cache.move_to_end(company_id)
        while len(_cache) > CACHED_COMPANIES:
            _cache.popitem(last=False)
    return current


def _build(company: Company, row: KnowledgeIndexVersion) -> CurrentIndex:
    index = KnowledgeIndex(company_passages(company=company))
    return _remember(company.pk, CurrentIndex(row.version, row.token, index))


def rebuild_index(*, company: Company) -> int:
    """Build the company's index and store it on its version row (unless the content changed
    again meanwhile: that change's own task stores the newer one); returns the version built.
    The ``rebuild_index`` task runs this."""
    row = _version_row(company)
    current = _build(company, row)
    KnowledgeIndexVersion.objects.filter(pk=row.pk, token=row.token).update(
        built_version=row.version,
        built_at=timezone.now(),
        passage_count=len(current.index),
        index=current.index.to_bytes(),
    )
    return row.version


def current_index(*, company: Company) -> CurrentIndex:
    """The company's index for its current content."""
    row = _version_row(company)
    cached = _cache.get(company.pk)
    if cached is not None and cached.token == row.token:
        with _lock:
            if company.pk in _cache:
                _cache.move_to_end(company.pk)
        return cached
    if row.built_version == row.version:
        data = KnowledgeIndexVersion.objects.filter(pk=row.pk).values_list("index", flat=True)
        data = data.first()
        if data:
            try:
                index = KnowledgeIndex.from_bytes(bytes(data))
            except Exception:
                logger.exception("The stored eCoach index of company %s is unreadable", company.pk)
            else:
                return _remember(company.pk, CurrentIndex(row.version, row.token, index))
    return _build(company, row)
