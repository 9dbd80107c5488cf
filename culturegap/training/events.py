"""What the training app tells the apps above it: an answer recorded, a certificate earned, the
training content changed.

Every event is sent inside the transaction of the change, so a receiver either joins that unit
of work (and is rolled back with it) or, for an effect outside the database, defers it with
``transaction.on_commit`` itself. The training app imports none of its receivers; see
docs/events.md for who listens.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from culturegap.training.models import Lesson

# Sent by ``services.answer_lesson_question`` (a lesson answer, once per submission) and
# ``services.submit_assessment`` (each question of a starting or final check), right after the
# ``Answer`` row is created and inside the same transaction. Arguments: ``answer`` (Answer).
question_answered = Signal()

# Sent by ``services`` when an enrollment becomes certified (at completion, or when a retaken
# final check passes), after ``certified_at`` is saved, inside the transaction.
# Arguments: ``enrollment`` (Enrollment).
certificate_earned = Signal()

# Sent when what a company's learners read has changed: a lesson saved (the authoring site or
# any code saving one; not a fixture load) and, once, a content-pack import that created,
# updated or deleted anything or published the pack's playbook (a bulk import saves no single
# lesson). Inside the transaction of the change. Arguments: ``company`` (Company).
content_published = Signal()

# Sent when a lesson is deleted, alone or as part of deleting its whole company: only the id is
# given, as the company row may be on its way out. Arguments: ``company_id`` (int).
content_removed = Signal()


def _lesson_saved(sender, instance: Lesson, raw: bool = False, **kwargs) -> None:
    if not raw and instance.company_id:
        content_published.send(sender=Lesson, company=instance.company)


def _lesson_deleted(sender, instance: Lesson, **kwargs) -> None:
    if instance.company_id:
        content_removed.send(sender=Lesson, company_id=instance.company_id)


def connect() -> None:
    """Turn the saving and deleting of single lessons into content events (``AppConfig.ready``)."""
    post_save.connect(_lesson_saved, sender=Lesson, dispatch_uid="training-lesson-saved")
    post_delete.connect(_lesson_deleted, sender=Lesson, dispatch_uid="training-lesson-deleted")
