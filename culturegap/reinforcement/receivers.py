"""What reinforcement does about events: every question answered in a lesson or a check (an
event of the training app) becomes (or reviews) the learner's drill card, and saved settings
replace their cached copy."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from culturegap.reinforcement import selectors, services
from culturegap.reinforcement.models import ReinforcementSettings
from culturegap.training import events as training_events


def question_answered(sender, *, answer, **kwargs) -> None:
    # Runs in the sender's transaction, not on commit: an answer and its card review are one
    # unit of work, and pages read the card right after the answer is recorded.
    services.review_from_answer(answer=answer)


def settings_changed(sender, *, instance: ReinforcementSettings, **kwargs) -> None:
    # Forgotten now for this request and again on commit: a page that read the old row while
    # the change was not yet committed must not keep it in the cache.
    company_id = instance.company_id
    selectors.forget_settings(company_id)
    transaction.on_commit(lambda: selectors.forget_settings(company_id))


def connect() -> None:
    training_events.question_answered.connect(
        question_answered, dispatch_uid="reinforcement-card-from-answer"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            settings_changed,
            sender=ReinforcementSettings,
            dispatch_uid=f"reinforcement-settings-{signal is post_save}",
        )
