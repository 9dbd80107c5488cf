"""Background tasks of reinforcement (django-tasks): one nudge per task, so a failure or a slow
mail server delays one e-mail, not the whole morning's."""

from django.utils import timezone
from django_tasks import task

from culturegap.reinforcement import nudges


@task()
def send_digest(person_id: int, period_key: str) -> bool:
    """The morning digest to one person; True if this run sent it."""
    return nudges.send_digest(person_id=person_id, period_key=period_key, now=timezone.now())


@task()
def send_manager_alert(person_id: int, period_key: str) -> bool:
    """The Monday alert to one manager; True if this run sent it."""
    return nudges.send_manager_alert(person_id=person_id, period_key=period_key, now=timezone.now())
