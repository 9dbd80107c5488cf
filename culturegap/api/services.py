"""Creating, checking and revoking personal API tokens."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from culturegap.api.models import ApiToken
from culturegap.org.models import Person

# The secret starts with this marker so a leaked token is recognisable in logs and scanners.
TOKEN_MARK = "cg_"
PREFIX_LENGTH = 8  # visible characters after the marker
NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
# A person rarely needs more; the cap keeps a runaway script from minting thousands.
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to its owner once, never stored


@transaction.atomic
def create_token(*, person: Person, name: str) -> NewToken:
    """A new token for ``person``. Raises ``ValidationError`` naming the field."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. what will use it."})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": f"Keep the name under {NAME_MAX_LENGTH} characters."})
    if "\x00" in name:
        raise ValidationError({"name": "The name contains a character that cannot be stored."})
    if person.company_id is None:
        raise ValidationError({"name": "Only people of a company have API tokens."})
    # Locks the person's row so two requests cannot both pass the cap.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    active = ApiToken.objects.filter(person=person, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {"name": f"You already have {active} tokens: revoke one you no longer use first."}
        )
    secret = TOKEN_MARK + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        company_id=person.company_id,
        person=person,
        name=name,
        prefix=secret[len(TOKEN_MARK) : len(TOKEN_MARK) + PREFIX_LENGTH],
        secret_hash=secret_hash(secret),
    )
    return NewToken(token=token, secret=secret)


def token_for_secret(secret: str) -> ApiToken | None:
    """The token a secret opens (revoked or not), or None. Malformed secrets are None."""
    if not secret.startswith(TOKEN_MARK) or len(secret) > 200:
        return None
    prefix = secret[len(TOKEN_MARK) : len(TOKEN_MARK) + PREFIX_LENGTH]
    wanted = secret_hash(secret)
    for token in ApiToken.objects.filter(prefix=prefix).select_related("person__company"):
        if hmac.compare_digest(token.secret_hash, wanted):
            return token
    return None


def note_use(token: ApiToken) -> None:
    """Record that the token was used now, at most once a minute."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def revoke_token(*, token: ApiToken, actor: Person) -> ApiToken:
    """Revoke one of ``actor``'s own tokens; revoking twice keeps the first time."""
    if token.person_id != actor.pk:
        raise ValidationError({"token": "You can only revoke your own tokens."})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def tokens_of(*, person: Person):
    """Active tokens first, newest first."""
    return ApiToken.objects.filter(person=person).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk"
    )
