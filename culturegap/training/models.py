"""Curricula → modules → micro-lessons → role scenario questions; rollout, progress, answers,
assessments and certificates.

Every row carries its company so each query can filter by it directly. Content rows have a
``key`` (stable across pack re-imports) so a learner's progress and answers survive an update.
"""

import uuid

from django.db import models
from django.utils import timezone

from culturegap.org.models import Company, Person, Team, TeamKind


class Audience(models.TextChoices):
    """Whose daily work a scenario is set in."""

    SERVICE = "service", "Service desk and support"
    PROFESSIONAL = "professional", "Professional (e.g. accountant)"
    SALES = "sales", "Sales"


def audience_for(person: Person) -> str:
    """The scenarios a learner gets: their team's kind decides (salespeople without a team get
    the sales scenarios, everyone else without a team the service ones)."""
    kind = person.team.kind if person.team_id else None
    if kind == TeamKind.SALES or (kind is None and person.is_salesperson):
        return Audience.SALES
    if kind == TeamKind.PROFESSIONAL:
        return Audience.PROFESSIONAL
    return Audience.SERVICE


class Curriculum(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="curricula")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        default=80, help_text="Percent on the post-assessment needed for the certificate."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "curricula"
        constraints = [
            models.UniqueConstraint(fields=["company", "key"], name="curriculum_key_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="modules")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "key"], name="module_key_unique")
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="lessons")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    objective = models.CharField(max_length=300, help_text="The one thing this lesson teaches.")
    minutes = models.PositiveSmallIntegerField(default=3, help_text="Estimated time to take it.")
    body = models.TextField(help_text="Markdown; HTML is removed when shown.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["module__order", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["module", "key"], name="lesson_key_unique")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A scenario from one audience's daily work, tagged with the skill it trains."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=80)
    skill = models.SlugField(max_length=80, help_text="Key of a communication-model step.")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    scenario = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        indexes = [models.Index(fields=["company", "skill", "audience"])]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "key"], name="question_key_unique")
        ]

    def __str__(self) -> str:
        return self.scenario[:80]


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.TextField()
    is_correct = models.BooleanField(default=False)
    feedback = models.TextField(help_text="Why this option is right or wrong.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Assignment(models.Model):
    """A curriculum rolled out to a team or a person, in a wave, with start and due dates."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    wave = models.PositiveSmallIntegerField(default=1)
    starts_on = models.DateField()
    due_on = models.DateField()
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["wave", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=False) | models.Q(person__isnull=False),
                name="assignment_has_team_or_person",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("starts_on")),
                name="assignment_due_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.curriculum} → {self.team or self.person} (wave {self.wave})"


class Enrollment(models.Model):
    """One person's run through one curriculum; the dates feed the impact analysis."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    curriculum = models.ForeignKey(Curriculum, on_delete=models.CASCADE, related_name="enrollments")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    wave = models.PositiveSmallIntegerField(default=1)
    enrolled_at = models.DateTimeField(default=timezone.now)
    starts_on = models.DateField()
    due_on = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    certified_at = models.DateTimeField(null=True, blank=True)
    certificate_code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["-enrolled_at"]
        indexes = [models.Index(fields=["company", "curriculum", "completed_at"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "curriculum"], name="one_enrollment")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.curriculum}"


class LessonProgress(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="lessons")
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "lesson"], name="one_progress_per_lesson")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment.person} · {self.lesson}"


class AnswerContext(models.TextChoices):
    LESSON = "lesson", "Lesson"
    PRE = "pre", "Pre-assessment"
    POST = "post", "Post-assessment"
    DRILL = "drill", "Drill"


class Answer(models.Model):
    """One answer to one question. ``request_id`` makes a retried submission record once."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    option = models.ForeignKey(Option, on_delete=models.SET_NULL, null=True, related_name="+")
    is_correct = models.BooleanField()
    context = models.CharField(max_length=10, choices=AnswerContext.choices)
    confident = models.BooleanField(null=True, blank=True, help_text="The learner was sure.")
    response_ms = models.PositiveIntegerField(null=True, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)
    request_id = models.UUIDField(default=uuid.uuid4, unique=True)

    class Meta:
        ordering = ["-answered_at"]
        indexes = [models.Index(fields=["company", "person", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.question_id} ({'right' if self.is_correct else 'wrong'})"


class AssessmentKind(models.TextChoices):
    PRE = "pre", "Pre-assessment"
    POST = "post", "Post-assessment"


class Assessment(models.Model):
    """A pre- or post-assessment sitting: questions drawn per skill from the learner's role.
    After a failed final check the learner may retake it: this row then holds the latest
    attempt, and each earlier one is kept as an ``AssessmentAttempt``."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=4, choices=AssessmentKind.choices)
    questions = models.ManyToManyField(Question, through="AssessmentItem", related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True, help_text="Percent correct, 0–100.")
    attempt = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "kind"], name="one_assessment_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.enrollment}"


class AssessmentAttempt(models.Model):
    """An earlier sitting of an assessment, kept when the learner retook it."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField()
    score = models.FloatField(null=True, blank=True, help_text="Percent correct, 0–100.")
    questions = models.PositiveSmallIntegerField(default=0)
    right = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="attempt_once")
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.assessment}"


class AssessmentItem(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)
    answer = models.OneToOneField(
        Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="item_once")]

    def __str__(self) -> str:
        return f"{self.assessment} · question {self.question_id}"


class ContentPack(models.Model):
    """A content pack loaded into a company: the pack's own header (key, title, description),
    which no content row holds, so that exporting its curricula gives the same file back."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    curriculum_keys = models.JSONField(
        default=list, blank=True, help_text="Keys of the pack's curricula, in the pack's order."
    )
    filename = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "key"], name="content_pack_key_unique")
        ]

    def __str__(self) -> str:
        return self.title
