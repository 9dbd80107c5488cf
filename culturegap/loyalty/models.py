"""Loyalty surveys: a campaign invites customer contacts by a private link; each link gives one
answer (0–10 likelihood to recommend, why, and which other services they would value)."""

import datetime
import hashlib
import secrets

from django.db import models
from django.utils import timezone

from culturegap.org.models import Company, Contact, Customer, Person, Service, Team

DEFAULT_QUESTION = "How likely are you to recommend {company} to a friend or colleague?"
DEFAULT_REASON_QUESTION = "What is the main reason for your score?"
DEFAULT_SERVICES_QUESTION = "Which of our other services would you value?"


def new_token() -> str:
    """A fresh survey token: 32 random bytes, URL-safe (43 characters, 256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a leaked table opens no survey."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class SurveyCampaign(models.Model):
    """One round of the loyalty survey, open to answers from ``opens_on`` to ``closes_on``."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    opens_on = models.DateField()
    closes_on = models.DateField()
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Only customers of this service line were invited; empty for all customers.",
    )
    question = models.CharField(max_length=300, default=DEFAULT_QUESTION)
    reason_question = models.CharField(max_length=300, default=DEFAULT_REASON_QUESTION)
    services_question = models.CharField(max_length=300, default=DEFAULT_SERVICES_QUESTION)
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_closes_after_it_opens",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_open_on(self, day: datetime.date) -> bool:
        return self.opens_on <= day <= self.closes_on

    def question_text(self) -> str:
        return self.question.replace("{company}", self.company.name)


class SurveyInvitation(models.Model):
    """One contact's private link to a campaign. Only the SHA-256 of the link's token is kept;
    it is null until the invitation is sent (the token then exists only in the e-mail)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        SurveyCampaign, on_delete=models.CASCADE, related_name="invitations"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"], name="one_invitation_per_contact"
            )
        ]
        indexes = [models.Index(fields=["campaign", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.customer}"


class SurveyResponse(models.Model):
    """A customer's answer. ``team`` is the team serving the customer when they answered, so a
    team keeps the credit (or the blame) for its own period."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.PositiveSmallIntegerField()
    reason = models.TextField(blank=True)
    wanted_services = models.ManyToManyField(Service, blank=True, related_name="+")
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at"]
        indexes = [models.Index(fields=["company", "answered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=10),
                name="survey_score_0_to_10",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.score}"
