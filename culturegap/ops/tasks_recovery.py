"""Background tasks left RUNNING by a worker that died (killed, out of memory, machine lost).

django-tasks-db marks a task RUNNING when a worker claims it and only the same worker marks it
finished; a worker killed in between leaves the row RUNNING for ever, and no worker picks it up
again. ``requeue_stale_tasks`` puts such tasks back in the queue once they have been running
longer than any task takes (``STALE_AFTER``).

Running a task twice is safe for the tasks of this project: a nudge claims its ``Nudge`` row
(unique per person, kind and period) before sending, so a second run of a task that had already
claimed sends nothing — and a task killed before its claim is sent by the second run.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# Nudge tasks take well under a second; a task RUNNING this long has lost its worker.
STALE_AFTER = datetime.timedelta(minutes=15)


def stale_tasks(*, older_than: datetime.timedelta = STALE_AFTER, now=None):
    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - older_than
    )


def requeue_stale_tasks(*, older_than: datetime.timedelta = STALE_AFTER, now=None) -> int:
    """Put tasks RUNNING for longer than ``older_than`` back in the queue; returns how many."""
    with transaction.atomic():
        stale = stale_tasks(older_than=older_than, now=now).select_for_update(skip_locked=True)
        ids = list(stale.values_list("pk", flat=True))
        # The status is checked again: a worker that finished meanwhile keeps its result.
        return DBTaskResult.objects.filter(pk__in=ids, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.READY
        )
