"""Personal API tokens: a person's key to the JSON API, stored only as a hash."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from culturegap.org.models import Company


class ApiToken(models.Model):
    """A token acts for its owner with exactly the owner's roles, in the owner's company.

    The secret is shown once, when the token is created; the database keeps its SHA-256 hash and
    a short visible prefix (the first characters of the secret) to find it and to tell a
    person's tokens apart on the page.
    """

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “CRM sync”.")
    prefix = models.CharField(max_length=12)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["prefix"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
