"""Opportunities: an additional need a CRP found in a customer contact, passed on to a sales
colleague with the customer's consent, and the history of how it moved through the pipeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from culturegap.org.models import Company, Customer, Service, Team


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    TICKET = "ticket", "Ticket"
    CHAT = "chat", "Chat"
    SURVEY = "survey", "Survey"


class Source(models.TextChoices):
    CRP = "crp", "Found by a CRP"
    SURVEY = "survey", "Loyalty survey"
    SALES = "sales", "Sales"


class Status(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    QUALIFIED = "qualified", "Qualified"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class ContactWay(models.TextChoices):
    """How the customer would like the colleague to contact them."""

    PHONE = "phone", "By phone"
    EMAIL = "email", "By e-mail"
    MEETING = "meeting", "In a meeting"
    ANY = "any", "Any way"


OPEN_STATUSES = (Status.NEW, Status.CONTACTED, Status.QUALIFIED)
CLOSED_STATUSES = (Status.WON, Status.LOST)


class Opportunity(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="opportunities")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="opportunities")
    # SET_NULL, not PROTECT: a service leaving the catalog must not erase (or block the
    # deletion of) the history of needs found for it.
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        help_text="The service the need points to, when the CRP could tell.",
    )
    need = models.TextField(help_text="The need in the customer's own words.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CRP)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities_found",
    )
    # Copied from found_by.team when recorded, so the credit stays with the team the CRP was in.
    found_by_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities_found",
    )
    # Null means the opportunity waits in the sales queue for any salesperson to take.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities_owned",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Annual value of what the customer bought; required when won.",
    )
    lost_reason = models.TextField(blank=True)
    # Null: the question was not asked (the API, a loyalty survey answer). False is never stored,
    # since without the customer's agreement nothing is passed on.
    customer_agreed = models.BooleanField(
        null=True,
        blank=True,
        help_text="The customer agreed that a colleague contacts them.",
    )
    contact_way = models.CharField(max_length=10, choices=ContactWay.choices, blank=True)
    contact_when = models.CharField(
        max_length=200, blank=True, help_text="When suits the customer, in their words."
    )
    # One hand-off per submitted form: a double click or a retried POST carries the same id.
    request_id = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_touched_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the owner was last told this one was stale; a new touch makes it alertable again.
    stale_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "opportunities"
        indexes = [
            models.Index(fields=["company", "status", "last_touched_at"]),
            models.Index(fields=["company", "owner", "status"]),
            models.Index(fields=["company", "found_by"]),
            models.Index(fields=["company", "created_at"]),
        ]
        constraints = [
            # NULL > 0 is unknown, which a CHECK lets through: hence the explicit isnull.
            models.CheckConstraint(
                condition=~Q(status="won") | Q(value__isnull=False, value__gt=0),
                name="won_opportunity_has_a_value",
            ),
            models.UniqueConstraint(
                fields=["company", "request_id"], name="opportunity_request_id_unique_in_company"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.service or 'need'} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def in_queue(self) -> bool:
        return self.owner_id is None


class OpportunityEvent(models.Model):
    """One step in an opportunity's life: recorded, moved, taken or reassigned; who and when."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    # Set when the event gave the opportunity a new owner (taken from the queue, reassigned).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status} at {self.at:%Y-%m-%d %H:%M}"
