"""What the eCoach does about content events: a published playbook, training content saved or
deleted makes the company's knowledge index stale.

The only way the index learns of content changed outside the eCoach: the senders
(``language.events``, ``training.events``) know nothing of it.
"""

from culturegap.ecoach.index import content_changed, content_removed
from culturegap.language import events as language_events
from culturegap.training import events as training_events


# The receivers run in the sender's transaction: the version bump is part of the change (the
# next question sees it, a rollback undoes it); ``content_changed`` itself defers the rebuild
# to the commit.
def playbook_published(sender, *, company, **kwargs) -> None:
    content_changed(company=company)


def content_published(sender, *, company, **kwargs) -> None:
    content_changed(company=company)


def content_deleted(sender, *, company_id, **kwargs) -> None:
    # Also sent when a whole company is deleted: touch nothing but an existing version row.
    content_removed(company_id=company_id)


def connect() -> None:
    language_events.playbook_published.connect(
        playbook_published, dispatch_uid="ecoach-playbook-published"
    )
    training_events.content_published.connect(
        content_published, dispatch_uid="ecoach-content-published"
    )
    training_events.content_removed.connect(content_deleted, dispatch_uid="ecoach-content-removed")
