"""Behaviour scorecards built from the playbook's communication steps, and observations of real
customer conversations scored on them (by a manager, or by the person as a self-assessment).

A scorecard that has been used is never edited in place: ``services.update_scorecard`` makes a
new active version, so every past observation keeps the behaviours it was scored on. The
database holds to that too: a scorecard or an item that observations refer to cannot be deleted
on its own (``RESTRICT``), only together with the company and its observations.
"""

from django.db import models
from django.utils import timezone

from culturegap.language.models import Playbook
from culturegap.org.models import Company, Customer, Person


class Scorecard(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    playbook_version = models.ForeignKey(
        Playbook,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The playbook version whose communication steps the scorecard was built from.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(is_active=True),
                name="one_active_scorecard",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardItem(models.Model):
    """One behaviour an observer can see or hear, tied to the skill (step key) it shows."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    skill = models.SlugField(max_length=80, help_text="Key of a communication-model step.")
    behaviour = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.behaviour[:80]


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    MEETING = "meeting", "Meeting"
    TICKET = "ticket", "Ticket"


class ObservationKind(models.TextChoices):
    MANAGER = "manager", "Observed by a manager"
    SELF = "self", "Self-assessment"


class Rating(models.IntegerChoices):
    """How consistently the behaviour showed; "not observed" is a null rating."""

    NOT_YET_SEEN = 1, "Not yet seen"
    DEVELOPING = 2, "Developing"
    CONSISTENT = 3, "Consistent"
    ROLE_MODEL = 4, "Role model"


class Observation(models.Model):
    """One real customer interaction of ``person``, scored on a scorecard by ``observer``
    (their manager, a program admin, or the person themselves for a self-assessment)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="observations")
    observer = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="observations_made"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.RESTRICT, related_name="observations")
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    observed_on = models.DateField()
    comment = models.TextField(blank=True)
    kind = models.CharField(
        max_length=10, choices=ObservationKind.choices, default=ObservationKind.MANAGER
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-observed_on", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "person", "kind", "observed_on"]),
            models.Index(fields=["company", "observer", "observed_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.observed_on} ({self.get_kind_display().lower()})"

    @property
    def is_self_assessment(self) -> bool:
        return self.kind == ObservationKind.SELF


class ObservationRating(models.Model):
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="ratings")
    item = models.ForeignKey(ScorecardItem, on_delete=models.RESTRICT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(
        choices=Rating.choices, null=True, blank=True, help_text="Empty when not observed."
    )

    class Meta:
        ordering = ["item__order", "item__pk"]
        constraints = [
            models.UniqueConstraint(fields=["observation", "item"], name="one_rating_per_item"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=4),
                name="rating_from_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.rating or 'not observed'}"
