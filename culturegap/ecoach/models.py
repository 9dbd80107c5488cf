"""Ask the eCoach: the version of each company's knowledge index, the questions routed to a
coach with their answers, the log of every question asked, and each company's threshold."""

import uuid

from django.db import models
from django.utils import timezone

from culturegap.org.models import Company, Person

# Below this confidence the eCoach says it does not know and asks a coach. Tuned on the
# evaluation set (culturegap/ecoach/evaluation.py); a company may set its own.
DEFAULT_CONFIDENCE_THRESHOLD = 0.4


class KnowledgeIndexVersion(models.Model):
    """Which content the company's index must reflect.

    ``version`` (and ``token``) change in the same transaction as any change to what the eCoach
    answers from (``culturegap.ecoach.index.content_changed``); a background task then builds
    the index and stores it here (``index``) with the version it reflects (``built_version``),
    so every app server loads the same index instead of building its own.
    """

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1)
    # Changes with the version: what a process's cache is keyed by, so that a cached index
    # is never mistaken for another one with the same number (say, after a restore).
    token = models.UUIDField(default=uuid.uuid4)
    built_version = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    passage_count = models.PositiveIntegerField(default=0)
    index = models.BinaryField(blank=True, default=b"", editable=False)

    def __str__(self) -> str:
        return f"{self.company} knowledge index v{self.version} (built v{self.built_version})"


class EcoachSettings(models.Model):
    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    confidence_threshold = models.FloatField(
        default=DEFAULT_CONFIDENCE_THRESHOLD,
        help_text="Below this confidence (0–1) the eCoach passes the question to a coach.",
    )

    class Meta:
        verbose_name_plural = "eCoach settings"

    def __str__(self) -> str:
        return f"eCoach settings of {self.company}"


class CoachQuestionStatus(models.TextChoices):
    OPEN = "open", "Waiting for a coach"
    ANSWERED = "answered", "Answered"


class CoachQuestion(models.Model):
    """A question the eCoach could not answer (or whose answer did not help), for a coach.

    Once answered and ``published``, the answer is a passage of the company's knowledge base:
    the next person who asks something similar gets it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    asker = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(help_text="The question, in the asker's words.")
    asked_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=CoachQuestionStatus.choices, default=CoachQuestionStatus.OPEN
    )
    published_question = models.CharField(
        max_length=300,
        blank=True,
        help_text="The question as it appears in the knowledge base (the coach may tidy it).",
    )
    answer_text = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    published = models.BooleanField(
        default=False, help_text="The answer is part of the knowledge base."
    )
    asker_seen_at = models.DateTimeField(
        null=True, blank=True, help_text="When the asker first saw the answer."
    )

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "status", "asked_at"]),
            models.Index(fields=["asker", "status"]),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def title(self) -> str:
        return self.published_question or self.text


class AskedQuestion(models.Model):
    """One question asked of the eCoach, kept for quality review: what it answered from, how
    sure it was, and whether the question went to a coach."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    asked_at = models.DateTimeField(default=timezone.now)
    confidence = models.FloatField()
    answered = models.BooleanField(help_text="Confident enough to answer.")
    routed = models.BooleanField(default=False, help_text="Passed to the coach queue.")
    passages = models.JSONField(
        default=list, blank=True, help_text="[passage id, BM25 score] of the passages cited."
    )
    index_version = models.PositiveIntegerField(default=0)
    coach_question = models.ForeignKey(
        CoachQuestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-asked_at", "-pk"]
        indexes = [models.Index(fields=["company", "asked_at"])]

    def __str__(self) -> str:
        return self.text[:80]
