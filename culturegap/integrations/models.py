"""Outbound webhooks (endpoints and their deliveries) and the Learning Record Store link."""

import secrets
import uuid

from django.db import models
from django.utils import timezone

from culturegap.org.models import Company


class WebhookEvent(models.TextChoices):
    OPPORTUNITY_CREATED = "opportunity.created", "Opportunity recorded"
    OPPORTUNITY_WON = "opportunity.won", "Opportunity won"
    OPPORTUNITY_LOST = "opportunity.lost", "Opportunity lost"
    CERTIFICATE_EARNED = "certificate.earned", "Certificate earned"


def new_secret() -> str:
    """A signing secret: 32 random bytes, URL-safe, with a prefix that says what it is."""
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL of the company's own systems that is told about the events it subscribes to.

    The secret is kept as written because every delivery is signed with it (an HMAC needs the
    key itself); pages show it once, when it is made, and never again."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, help_text="Event names this endpoint receives.")
    secret = models.CharField(max_length=100, default=new_secret)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    secret_made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["url", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        return [WebhookEvent(event).label for event in self.events if event in WebhookEvent]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body sent, and how its attempts went."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    body = models.TextField(help_text="The JSON sent, byte for byte, on every attempt.")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["company", "status", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="one_delivery_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint}"


class LrsEndpoint(models.Model):
    """The company's Learning Record Store: where xAPI statements are sent, with Basic auth.

    ``sent_until`` is the end of the last window sent completely: the next send covers the
    statements after it. Statement ids are deterministic, so sending a window again is safe."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(
        max_length=500, help_text="The LRS endpoint; statements go to <endpoint>/statements."
    )
    username = models.CharField(max_length=200, blank=True)
    password = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    sent_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_sent_count = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url
