"""Lessons edited one by one (on the authoring site) change what the eCoach answers from.

Django's ``post_save``/``post_delete`` of ``training.Lesson`` are the sender: the training app
need not know the eCoach exists. Bulk changes (a content-pack import, which saves no single
lesson) call ``content_changed`` themselves, as does publishing a playbook.
"""

from django.db.models.signals import post_delete, post_save

from culturegap.ecoach.index import content_changed, content_removed
from culturegap.training.models import Lesson


def lesson_saved(sender, instance: Lesson, raw: bool = False, **kwargs) -> None:
    if not raw and instance.company_id:
        content_changed(company=instance.company)


def lesson_deleted(sender, instance: Lesson, **kwargs) -> None:
    # Also sent when a whole company is deleted: touch nothing but an existing version row.
    if instance.company_id:
        content_removed(company_id=instance.company_id)


def connect() -> None:
    post_save.connect(lesson_saved, sender=Lesson, dispatch_uid="ecoach-lesson-saved")
    post_delete.connect(lesson_deleted, sender=Lesson, dispatch_uid="ecoach-lesson-deleted")
