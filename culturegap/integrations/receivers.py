"""What integrations do about events of the apps below: opportunities recorded, won or lost and
certificates earned become outbound webhooks.

The events are sent inside the sender's transaction; a webhook is queued only once it commits
(``webhooks.after_commit``), so a rolled-back change sends nothing and the payload is read from
the committed rows. xAPI statements need no event: they are read from the training tables when
an export or a send to the LRS runs.
"""

from culturegap.integrations import webhooks
from culturegap.integrations.models import WebhookEvent
from culturegap.opportunities import events as opportunity_events
from culturegap.opportunities.models import Status
from culturegap.training import events as training_events

# The moves along the pipeline that a webhook announces; the others are internal to sales.
MOVE_EVENTS = {Status.WON: WebhookEvent.OPPORTUNITY_WON, Status.LOST: WebhookEvent.OPPORTUNITY_LOST}


def _opportunity_after_commit(*, opportunity, event: str) -> None:
    opportunity_id = opportunity.pk
    webhooks.after_commit(
        company_id=opportunity.company_id,
        event=event,
        emit_event=lambda: webhooks.opportunity_event(opportunity_id=opportunity_id, event=event),
    )


def opportunity_created(sender, *, opportunity, **kwargs) -> None:
    _opportunity_after_commit(opportunity=opportunity, event=WebhookEvent.OPPORTUNITY_CREATED)


def opportunity_moved(sender, *, opportunity, to_status, **kwargs) -> None:
    event = MOVE_EVENTS.get(to_status)
    if event is not None:
        _opportunity_after_commit(opportunity=opportunity, event=event)


def certificate_earned(sender, *, enrollment, **kwargs) -> None:
    enrollment_id = enrollment.pk
    webhooks.after_commit(
        company_id=enrollment.company_id,
        event=WebhookEvent.CERTIFICATE_EARNED,
        emit_event=lambda: webhooks.certificate_earned(enrollment_id=enrollment_id),
    )


def connect() -> None:
    opportunity_events.opportunity_created.connect(
        opportunity_created, dispatch_uid="integrations-webhook-opportunity-created"
    )
    opportunity_events.opportunity_moved.connect(
        opportunity_moved, dispatch_uid="integrations-webhook-opportunity-moved"
    )
    training_events.certificate_earned.connect(
        certificate_earned, dispatch_uid="integrations-webhook-certificate-earned"
    )
