"""Outbound webhooks: events of the product, signed and delivered to the company's endpoints.

Events: ``opportunity.created``, ``opportunity.won``, ``opportunity.lost`` and
``certificate.earned``. ``integrations.receivers`` subscribes to the events of the opportunities
and training apps and calls ``after_commit``: when an active endpoint of the company listens for
the event, the payload is built and queued through ``transaction.on_commit``, so nothing is sent
for a change that was rolled back, and the payload is read from the committed rows.

Each event becomes one ``WebhookDelivery`` per active endpoint subscribed to it, holding the
exact JSON body; a background task (``tasks.deliver_webhook``) POSTs it. The signature scheme:

    X-Culturegap-Timestamp: <unix seconds at the attempt>
    X-Culturegap-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body bytes with its
secret, compares in constant time, and refuses a timestamp more than five minutes from its
clock (so a captured request cannot be replayed later). ``X-Culturegap-Event`` names the event
and ``X-Culturegap-Delivery`` is the event id (the same on every retry: use it to ignore
duplicates).

Any 2xx answer is a delivery. Anything else (another status, a redirect, a timeout, a refused
connection) is retried after 1 min, 5 min, 30 min and 2 h; after the fifth failed attempt the
delivery is marked failed. A program admin can redeliver any delivery from the log.
"""

import datetime
import hashlib
import hmac
import http.client
import json
import logging
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from culturegap.integrations.exports import utc_iso
from culturegap.integrations.models import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from culturegap.opportunities.models import Opportunity
from culturegap.org.models import Company
from culturegap.training.models import Enrollment

logger = logging.getLogger(__name__)

# Waits before the 2nd, 3rd, 4th and 5th attempts; a delivery failing five times has failed.
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10
REPLAY_WINDOW_SECONDS = 300
ERROR_MAX_LENGTH = 500

SIGNATURE_HEADER = "X-Culturegap-Signature"
TIMESTAMP_HEADER = "X-Culturegap-Timestamp"


def retry_delay(failed_attempts: int) -> datetime.timedelta | None:
    """How long to wait after ``failed_attempts`` failures; None once it is time to give up."""
    if 1 <= failed_attempts <= len(BACKOFF):
        return BACKOFF[failed_attempts - 1]
    return None


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the secret over ``b"<timestamp>." + body``."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify(
    *, secret: str, timestamp: str, body: bytes, header: str, now: float | None = None
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - moment) > REPLAY_WINDOW_SECONDS:
        return False
    expected = signature(secret=secret, timestamp=moment, body=body)
    return hmac.compare_digest(expected, header or "")


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# ---------------------------------------------------------------------------------------------
# Emitting


def emit(
    *, company: Company, event: str, data: dict, now: datetime.datetime | None = None
) -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint of the company that subscribes to it."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(company=company, is_active=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return []
    now = now or timezone.now()
    event_id = uuid.uuid4()
    body = json.dumps(
        {
            "id": str(event_id),
            "type": event,
            "created_at": utc_iso(now),
            "company": company.slug,
            "data": data,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    with transaction.atomic():
        deliveries = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                company=company,
                endpoint=endpoint,
                event_id=event_id,
                event=event,
                body=body,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in endpoints
        )
        if any(delivery.pk is None for delivery in deliveries):
            deliveries = list(WebhookDelivery.objects.filter(event_id=event_id))
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: [_enqueue(delivery_id) for delivery_id in ids])
    return deliveries


def _enqueue(delivery_id: int, *, at: datetime.datetime | None = None) -> None:
    from culturegap.integrations.tasks import deliver_webhook

    task = deliver_webhook
    if at is not None:
        if not task.get_backend().supports_defer:
            # A backend that cannot wait (the immediate one, in tests): the retry stays
            # pending with its next attempt time, for a redeliver or a worker to pick up.
            return
        task = task.using(run_after=at)
    try:
        task.enqueue(delivery_id=delivery_id)
    except Exception:
        logger.exception("Could not enqueue webhook delivery %s", delivery_id)


def listening(*, company_id: int, event: str) -> bool:
    """Whether any active endpoint of the company subscribes to ``event``."""
    return any(
        event in events
        for events in WebhookEndpoint.objects.filter(
            company_id=company_id, is_active=True
        ).values_list("events", flat=True)
    )


def after_commit(*, company_id: int, event: str, emit_event) -> None:
    """Run ``emit_event`` once the current transaction commits — if anyone listens for
    ``event``, so a company without webhooks costs one small query and no callback."""
    if listening(company_id=company_id, event=event):
        transaction.on_commit(emit_event)


def _person(person) -> dict | None:
    if person is None:
        return None
    return {"email": person.email, "name": person.name}


def opportunity_payload(opportunity) -> dict:
    return {
        "opportunity": {
            "id": opportunity.pk,
            "url": site_url(reverse("opportunities:detail", args=[opportunity.pk])),
            "status": opportunity.status,
            "customer": {
                "external_id": opportunity.customer.external_id,
                "name": opportunity.customer.name,
            },
            "service": (
                {"code": opportunity.service.code, "name": opportunity.service.name}
                if opportunity.service
                else None
            ),
            "need": opportunity.need,
            "urgency": opportunity.urgency,
            "channel": opportunity.channel,
            "source": opportunity.source,
            "found_by": _person(opportunity.found_by),
            "found_by_team": opportunity.found_by_team.name if opportunity.found_by_team else None,
            "owner": _person(opportunity.owner),
            "value": str(opportunity.value) if opportunity.value is not None else None,
            "lost_reason": opportunity.lost_reason or None,
            "created_at": utc_iso(opportunity.created_at),
            "closed_at": utc_iso(opportunity.closed_at) if opportunity.closed_at else None,
        }
    }


def opportunity_event(*, opportunity_id: int, event: str) -> None:
    """Emit an opportunity event from its committed row. Never raises: the change that caused
    it is already committed, and a webhook problem must not turn it into an error page."""
    try:
        opportunity = (
            Opportunity.objects.select_related(
                "company", "customer", "service", "found_by", "found_by_team", "owner"
            )
            .filter(pk=opportunity_id)
            .first()
        )
        if opportunity is not None:
            emit(company=opportunity.company, event=event, data=opportunity_payload(opportunity))
    except Exception:
        logger.exception("Could not emit %s for opportunity %s", event, opportunity_id)


def certificate_payload(enrollment) -> dict:
    post = enrollment.assessments.filter(kind="post").first()
    person = enrollment.person
    return {
        "certificate": {
            "code": str(enrollment.certificate_code),
            "url": site_url(
                reverse("training:certificate", kwargs={"code": enrollment.certificate_code})
            ),
            "certified_at": utc_iso(enrollment.certified_at),
            "person": {
                "email": person.email,
                "name": person.name,
                "team": person.team.name if person.team else None,
            },
            "curriculum": {"key": enrollment.curriculum.key, "title": enrollment.curriculum.title},
            "post_assessment_score": post.score if post else None,
        }
    }


def certificate_earned(*, enrollment_id: int) -> None:
    """Emit ``certificate.earned`` from the committed enrollment. Never raises."""
    try:
        enrollment = (
            Enrollment.objects.select_related("company", "person__team", "curriculum")
            .filter(pk=enrollment_id, certified_at__isnull=False)
            .first()
        )
        if enrollment is not None:
            emit(
                company=enrollment.company,
                event=WebhookEvent.CERTIFICATE_EARNED,
                data=certificate_payload(enrollment),
            )
    except Exception:
        logger.exception("Could not emit certificate.earned for enrollment %s", enrollment_id)


# ---------------------------------------------------------------------------------------------
# Delivering


def post(*, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (status code or None, error text); never raises for network trouble.

    Plain ``http.client``: header names go out exactly as written, and a redirect is an
    answer, not a delivery (the endpoint's URL should be the final one)."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(64 * 1024)
        finally:
            connection.close()
    except (OSError, http.client.HTTPException, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, f"HTTP {response.status} {response.reason}"


def deliver(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """One attempt at one delivery, if it is due; returns its status afterwards.

    The attempt is claimed with one conditional UPDATE (pending, due, not already claimed), so
    two workers never send the same attempt twice."""
    now = now or timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=None, last_attempt_at=now)
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "missing"
    if not claimed:
        return delivery.status
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        # Paused after the event was queued: not sent; a redeliver once it is active sends it.
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = "the endpoint is paused"
        delivery.save(update_fields=["status", "last_error"])
        return delivery.status
    body = delivery.body.encode()
    timestamp = int(now.timestamp())
    code, error = post(
        url=endpoint.url,
        body=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "culturegap-webhooks/1",
            "X-Culturegap-Event": delivery.event,
            "X-Culturegap-Delivery": str(delivery.event_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret=endpoint.secret, timestamp=timestamp, body=body),
        },
    )
    delivery.attempts += 1
    delivery.response_code = code
    delivery.last_attempt_at = now
    if code is not None and 200 <= code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.last_error = ""
        delivery.next_attempt_at = None
    else:
        delivery.last_error = (error or f"HTTP {code}")[:ERROR_MAX_LENGTH]
        wait = retry_delay(delivery.attempts)
        if wait is None:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + wait
    delivery.save(
        update_fields=[
            "attempts",
            "response_code",
            "last_attempt_at",
            "status",
            "delivered_at",
            "last_error",
            "next_attempt_at",
        ]
    )
    if delivery.status == DeliveryStatus.PENDING:
        _enqueue(delivery.pk, at=delivery.next_attempt_at)
    return delivery.status


# A task that should have run this long ago, or an attempt claimed this long ago without a
# result (its worker stopped mid-request), is considered lost.
LOST_AFTER = datetime.timedelta(minutes=10)


def requeue_lost(*, now: datetime.datetime | None = None) -> int:
    """Enqueue again the pending deliveries whose task was lost (never enqueued, or its worker
    stopped); ``culturegap retry_webhooks`` runs this from cron. Returns how many."""
    now = now or timezone.now()
    lost = WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).filter(
        Q(next_attempt_at__lte=now - LOST_AFTER)
        | Q(next_attempt_at__isnull=True, last_attempt_at__lte=now - LOST_AFTER)
        | Q(next_attempt_at__isnull=True, last_attempt_at__isnull=True)
    )
    ids = list(lost.values_list("pk", flat=True))
    WebhookDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now)
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)


def redeliver(*, delivery: WebhookDelivery, now: datetime.datetime | None = None) -> None:
    """Send a delivery again from a fresh start (five attempts), whatever its state."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, delivered_at=None
    )
    transaction.on_commit(lambda: _enqueue(delivery.pk))


def regenerate_secret(*, endpoint: WebhookEndpoint) -> str:
    from culturegap.integrations.models import new_secret

    endpoint.secret = new_secret()
    endpoint.secret_made_at = timezone.now()
    endpoint.save(update_fields=["secret", "secret_made_at"])
    return endpoint.secret
