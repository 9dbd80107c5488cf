"""The alignment survey of customer-contact staff: waves, the fact that someone answered, and
anonymous answers (scores per dimension), plus the company's own statements and targets.

Anonymity is built into the tables: ``Participation`` knows who answered a wave but not what;
``Response`` knows what was answered but not by whom. A response has a random UUID key (no
sequence that would follow the order of participations), no timestamp and no person; it keeps
only the team and team kind at the time of answering. Item scores live in a JSON column of the
response rather than in rows of their own, whose sequential keys would again give the order.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from culturegap.org.models import Company, Person, Team

DEFAULT_OPEN_QUESTION = (
    "What one thing would help sales and the other customer-facing teams work better together?"
)


class Dimension(models.TextChoices):
    VISION = "vision", "Clarity of vision"
    STRATEGY = "strategy", "Strategy"
    BEHAVIOURS = "behaviours", "Shared behaviours"


class OwnStatement(models.Model):
    """A statement a company adds to the shipped instrument, scored like the others."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    text = models.CharField(max_length=300)
    is_active = models.BooleanField(
        default=True, help_text="Inactive statements are left out of waves opened from now on."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["dimension", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "text"], name="culture_own_statement_unique_text"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def key(self) -> str:
        return f"own-{self.pk}"


class CultureTarget(models.Model):
    """The score (1–5) the company aims for on one dimension; 4.0 when none is set."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    target = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "dimension"], name="culture_target_one_per_dimension"
            ),
            models.CheckConstraint(
                condition=models.Q(target__gte=1) & models.Q(target__lte=5),
                name="culture_target_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()}: {self.target}"


class Wave(models.Model):
    """One round of the survey, open to all customer-contact staff from ``opened_on`` until it
    is closed. The statements asked are copied in when it opens (``statements``: a list of
    ``{"key", "dimension", "text"}``), so later edits never change what a wave asked."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    statements = models.JSONField(default=list)
    open_question = models.CharField(max_length=300, default=DEFAULT_OPEN_QUESTION)
    invited = models.PositiveIntegerField(
        default=0, help_text="Customer-contact staff when the wave opened."
    )
    opened_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(closed_on__isnull=True),
                name="culture_one_open_wave_per_company",
            ),
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="culture_wave_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

    def dimension_of(self) -> dict[str, str]:
        """Statement key → dimension, for the statements this wave asked."""
        return {item["key"]: item["dimension"] for item in self.statements}


class Participation(models.Model):
    """That ``person`` answered ``wave``: enforces one answer per wave and gives response
    rates. Deliberately without a timestamp or any link to the answer."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "person"], name="culture_one_answer_per_wave")
        ]

    def __str__(self) -> str:
        return f"{self.person} answered {self.wave}"


class Response(models.Model):
    """One anonymous answer: the three dimension means (columns, for fast aggregation), every
    statement's score (``scores``: key → 1–5) and the open answer."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team_kind = models.CharField(max_length=20, blank=True)
    vision = models.FloatField()
    strategy = models.FloatField()
    behaviours = models.FloatField()
    scores = models.JSONField(default=dict)
    open_answer = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "team"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vision__gte=1, vision__lte=5)
                & models.Q(strategy__gte=1, strategy__lte=5)
                & models.Q(behaviours__gte=1, behaviours__lte=5),
                name="culture_response_means_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"Answer to {self.wave}"
