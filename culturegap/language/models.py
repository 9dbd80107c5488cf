"""The company's playbook: value propositions, glossary and customer-communication model, versioned.

A program admin edits a draft and publishes it; the published version is what everyone reads;
earlier versions stay readable as archived. Communication-model steps are identified by a
``key`` that stays the same across versions: questions and scorecards refer to skills by key.
"""

from django.db import models
from django.utils import timezone

from culturegap.org.models import Company, Person


class PlaybookStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Playbook(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="playbooks")
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=PlaybookStatus.choices, default=PlaybookStatus.DRAFT
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="playbook_version_unique"),
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(status="published"),
                name="one_published_playbook",
            ),
            models.UniqueConstraint(
                fields=["company"], condition=models.Q(status="draft"), name="one_draft_playbook"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version}, {self.get_status_display().lower()})"


class ValuePropositionAbout(models.TextChoices):
    SERVICES = "services", "Our services"
    COMPANY = "company", "Our company"
    PEOPLE = "people", "Our people"


class ValueProposition(models.Model):
    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="value_propositions"
    )
    key = models.SlugField(max_length=80)
    about = models.CharField(max_length=10, choices=ValuePropositionAbout.choices)
    title = models.CharField(max_length=200)
    statement = models.TextField()
    proof_points = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["playbook", "key"], name="value_proposition_key")
        ]

    def __str__(self) -> str:
        return self.title


class GlossaryTerm(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="glossary")
    term = models.CharField(max_length=120)
    definition = models.TextField()
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "term"]
        constraints = [models.UniqueConstraint(fields=["playbook", "term"], name="glossary_term")]

    def __str__(self) -> str:
        return self.term


class CommunicationStep(models.Model):
    """One step of a good customer conversation; its ``key`` names a skill."""

    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps")
    key = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    purpose = models.TextField()
    what_to_do = models.JSONField(default=list, blank=True)
    crp_phrases = models.JSONField(default=list, blank=True)
    sales_phrases = models.JSONField(default=list, blank=True)
    observable_behaviour = models.TextField(
        help_text="What an observer can see or hear the person do; used on scorecards."
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["playbook", "key"], name="step_key")]

    def __str__(self) -> str:
        return self.name
