"""FSRS cards and their review history, daily drills, vacation holds, nudges and preferences.

A ``Card`` is one question a learner has met, scheduled by the ``fsrs`` package: its columns are
exactly what ``fsrs.Card`` holds (state, step, stability, difficulty, due, last review), so a
card is rebuilt without parsing JSON and the due query runs on an index. Every row carries its
company so each query can filter by it directly.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from culturegap.org.models import Company, Person
from culturegap.training.models import Answer, Question

MIN_DRILL_SIZE = 3
MAX_DRILL_SIZE = 7


class ReinforcementSettings(models.Model):
    """A company's drill and nudge settings; a company without a row uses the defaults."""

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="reinforcement_settings"
    )
    drill_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(MIN_DRILL_SIZE), MaxValueValidator(MAX_DRILL_SIZE)],
        help_text="Questions in a daily drill (3–7).",
    )
    desired_retention = models.FloatField(
        default=0.9,
        validators=[MinValueValidator(0.7), MaxValueValidator(0.97)],
        help_text="The recall probability FSRS schedules each card for (0.70–0.97).",
    )
    alert_threshold = models.FloatField(
        default=0.7,
        validators=[MinValueValidator(0.3), MaxValueValidator(0.95)],
        help_text="Managers are told about people whose predicted retention is below this.",
    )
    digest_hour = models.PositiveSmallIntegerField(
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="Local hour (company time zone) of the morning digest e-mail.",
    )
    fsrs_parameters = models.JSONField(
        null=True, blank=True, help_text="FSRS parameters fitted from this company's reviews."
    )
    parameters_fitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "reinforcement settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(drill_size__gte=MIN_DRILL_SIZE, drill_size__lte=MAX_DRILL_SIZE),
                name="drill_size_3_to_7",
            ),
            models.CheckConstraint(
                condition=models.Q(desired_retention__gte=0.7, desired_retention__lte=0.97),
                name="desired_retention_range",
            ),
            models.CheckConstraint(
                condition=models.Q(digest_hour__lte=23), name="digest_hour_0_23"
            ),
        ]

    def __str__(self) -> str:
        return f"Reinforcement settings of {self.company}"


class CardState(models.IntegerChoices):
    """The values of ``fsrs.State``."""

    LEARNING = 1, "Learning"
    REVIEW = 2, "Review"
    RELEARNING = 3, "Relearning"


class Card(models.Model):
    """One question a learner has answered, with its FSRS memory state."""

    # No single-column indexes on company and person: the (company, due) and (person, due)
    # indexes below serve those lookups, and a card is rewritten at every review.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="cards", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # Copied from the question so retention per skill needs no join.
    skill = models.SlugField(max_length=80)
    state = models.PositiveSmallIntegerField(choices=CardState.choices, default=CardState.LEARNING)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(default=timezone.now)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    # Set by a vacation hold: the card is left out of drills from its first day until its end.
    suspended_from = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["person", "due"], name="card_person_due"),
            models.Index(fields=["company", "due"], name="card_company_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "question"], name="one_card_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.person} · question {self.question_id}"


class Drill(models.Model):
    """One daily drill: the cards chosen for it, in order; finished when each has a review."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="drills")
    day = models.DateField(help_text="The learner's local date (company time zone).")
    card_ids = models.JSONField(default=list)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["person", "day"], name="drill_person_day")]

    def __str__(self) -> str:
        return f"{self.person} · drill of {self.day}"


class Rating(models.IntegerChoices):
    """The values of ``fsrs.Rating``."""

    AGAIN = 1, "Again"
    HARD = 2, "Hard"
    GOOD = 3, "Good"
    EASY = 4, "Easy"


class Review(models.Model):
    """One review of a card: the answer that caused it, the rating given to FSRS and the memory
    state it left, so retention at any past moment can be recomputed from this history."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    # Looked up through the (person, answered_at) index below.
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", db_index=False)
    answer = models.ForeignKey(
        Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    drill = models.ForeignKey(
        Drill, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    correct = models.BooleanField()
    confident = models.BooleanField(null=True, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField()
    # The answer's request id: one review per answer, however often it is submitted.
    request_id = models.UUIDField(default=uuid.uuid4, unique=True)
    scheduled_due_before = models.DateTimeField(null=True, blank=True)
    scheduled_due_after = models.DateTimeField()
    stability_after = models.FloatField()
    difficulty_after = models.FloatField()

    class Meta:
        ordering = ["answered_at", "pk"]
        indexes = [models.Index(fields=["person", "answered_at"], name="review_person_time")]

    def __str__(self) -> str:
        return f"{self.person} · card {self.card_id} · {self.get_rating_display()}"


class VacationHold(models.Model):
    """Days a learner is away: no drills or digests, and due dates pushed back by its length."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="vacation_holds")
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="hold_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} away {self.starts_on}–{self.ends_on}"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


class NudgePreference(models.Model):
    """What a person wants to receive; everyone without a row gets every nudge."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="nudge_preference")
    daily_digest = models.BooleanField(
        default=True, help_text="A morning e-mail when drills or lessons are waiting."
    )
    weekly_alert = models.BooleanField(
        default=True, help_text="Managers: a Monday e-mail naming people who need attention."
    )

    def __str__(self) -> str:
        return f"Nudge preferences of {self.person}"


class NudgeKind(models.TextChoices):
    DIGEST = "digest", "Daily digest"
    MANAGER_WEEKLY = "manager", "Weekly manager alert"


class Nudge(models.Model):
    """A nudge claimed for one person and period. The unique constraint is the guarantee that a
    nudge is sent at most once, however many workers run the same task at the same time."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=NudgeKind.choices)
    period_key = models.CharField(max_length=40, help_text='e.g. "digest:2026-11-25"')
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "period_key"], name="one_nudge_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.person} ({self.period_key})"
