"""Actions of coaching: build and edit the scorecard, record an observation or a
self-assessment. Each validates everything it is given and writes all or nothing."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from culturegap.coaching.models import (
    Channel,
    Observation,
    ObservationKind,
    ObservationRating,
    Rating,
    Scorecard,
    ScorecardItem,
)
from culturegap.coaching.selectors import active_scorecard, may_observe, published_playbook
from culturegap.org.models import Customer, Person
from culturegap.org.scope import company_today

MAX_COMMENT_LENGTH = 4000
MAX_BEHAVIOUR_LENGTH = 1000
MAX_ITEMS = 30


def rating_field(item: ScorecardItem | int) -> str:
    """The name of an item's rating in forms and error messages."""
    return f"rating_{item if isinstance(item, int) else item.pk}"


@transaction.atomic
def generate_scorecard(*, company, actor: Person | None) -> Scorecard:
    """A new active scorecard with one item per communication step of the published playbook
    (the step's observable behaviour, in the step's order); the previous one is retired, and
    the observations made on it keep it."""
    playbook = published_playbook(company=company)
    if playbook is None:
        raise ValidationError("Publish the playbook first: the scorecard is built from its steps.")
    steps = list(playbook.steps.order_by("order", "pk"))
    if not steps:
        raise ValidationError("The published playbook has no communication steps to score.")
    Scorecard.objects.filter(company=company, is_active=True).update(is_active=False)
    scorecard = Scorecard.objects.create(
        company=company,
        name=f"{playbook.title}: behaviour scorecard",
        playbook_version=playbook,
        created_by=actor,
    )
    ScorecardItem.objects.bulk_create(
        ScorecardItem(
            scorecard=scorecard,
            skill=step.key,
            behaviour=step.observable_behaviour.strip() or step.name,
            order=index,
        )
        for index, step in enumerate(steps, start=1)
    )
    return scorecard


@dataclass(frozen=True)
class ItemSpec:
    """One row of the scorecard editor: an existing item (``pk``) or a new one (``pk`` None)."""

    skill: str
    behaviour: str
    pk: int | None = None


@transaction.atomic
def update_scorecard(
    *, scorecard: Scorecard, items: Sequence[ItemSpec], skills: set[str], actor: Person
) -> Scorecard:
    """Replace the scorecard's items with ``items``, in that order (texts edited, items added,
    left out ones removed). ``skills`` are the step keys an item may name.

    A scorecard nobody has used yet is edited in place. Once observations were scored on it, a
    new active version is made instead and the old one retired, so a past observation still
    shows the behaviours it was scored on. Returns the active scorecard."""
    errors: dict[str, list[str]] = {}
    if not items:
        errors["items"] = ["A scorecard needs at least one behaviour."]
    if len(items) > MAX_ITEMS:
        errors["items"] = [f"A scorecard has at most {MAX_ITEMS} behaviours."]
    known = {item.pk for item in scorecard.items.all()}
    for index, spec in enumerate(items, start=1):
        if spec.skill not in skills:
            errors.setdefault("skill", []).append(
                f"Behaviour {index}: choose one of the playbook's steps."
            )
        if not spec.behaviour.strip():
            errors.setdefault("behaviour", []).append(
                f"Behaviour {index}: describe what an observer sees or hears."
            )
        elif len(spec.behaviour) > MAX_BEHAVIOUR_LENGTH:
            errors.setdefault("behaviour", []).append(
                f"Behaviour {index}: at most {MAX_BEHAVIOUR_LENGTH} characters."
            )
        if spec.pk is not None and spec.pk not in known:
            errors.setdefault("items", []).append(
                f"Behaviour {index} is not on this scorecard; reload the page."
            )
    if errors:
        raise ValidationError(errors)
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if scorecard.observations.exists():
        scorecard.is_active = False
        scorecard.save(update_fields=["is_active"])
        scorecard = Scorecard.objects.create(
            company=scorecard.company,
            name=scorecard.name,
            playbook_version=scorecard.playbook_version,
            created_by=actor,
        )
        items = [ItemSpec(skill=spec.skill, behaviour=spec.behaviour) for spec in items]
    existing = {item.pk: item for item in scorecard.items.all()}
    kept = {spec.pk for spec in items if spec.pk is not None}
    ScorecardItem.objects.filter(pk__in=set(existing) - kept).delete()
    for order, spec in enumerate(items, start=1):
        item = existing.get(spec.pk) if spec.pk is not None else None
        item = item or ScorecardItem(scorecard=scorecard)
        item.skill, item.behaviour, item.order = spec.skill, spec.behaviour.strip(), order
        item.save()
    return scorecard


def _check_ratings(scorecard: Scorecard, ratings: Mapping[int, int | None], errors: dict) -> None:
    items = list(scorecard.items.all())
    allowed = {choice.value for choice in Rating}
    for item in items:
        if item.pk not in ratings:
            behaviour = Truncator(item.behaviour).words(8)
            errors[rating_field(item)] = [f"Rate “{behaviour}” or mark it not observed."]
        elif ratings[item.pk] is not None and ratings[item.pk] not in allowed:
            errors[rating_field(item)] = ["A rating is 1, 2, 3, 4 or not observed."]
    unknown = set(ratings) - {item.pk for item in items}
    if unknown:
        errors["ratings"] = ["Some ratings are not for this scorecard; reload the page."]
    if items and not errors and all(ratings[item.pk] is None for item in items):
        errors["ratings"] = ["Rate at least one behaviour you saw or heard."]


@transaction.atomic
def record_observation(
    *,
    observer: Person,
    person: Person,
    channel: str,
    observed_on: datetime.date,
    ratings: Mapping[int, int | None],
    comment: str = "",
    customer: Customer | None = None,
    kind: str = ObservationKind.MANAGER,
    scorecard: Scorecard | None = None,
) -> Observation:
    """Record an observation of ``person``'s customer interaction with one rating per item of
    the company's active scorecard (``None`` = not observed).

    A manager observation is by a manager of someone in their reporting line, or by a program
    admin of anyone in the company; a self-assessment (``kind="self"``) is by the person about
    themselves. Raises ValidationError naming each bad field; nothing is written then."""
    company = observer.company
    errors: dict[str, list[str]] = {}
    if company is None or person.company_id != company.pk:
        raise ValidationError({"person": ["Choose someone in your company."]})
    if kind == ObservationKind.SELF:
        if person.pk != observer.pk:
            errors["person"] = ["A self-assessment is about yourself."]
    elif kind == ObservationKind.MANAGER:
        if not may_observe(observer=observer, person=person):
            errors["person"] = ["You can observe only people in your reporting line."]
    else:
        errors["kind"] = ["Unknown kind of observation."]
    scorecard = scorecard or active_scorecard(company=company)
    if scorecard is None or scorecard.company_id != company.pk or not scorecard.is_active:
        raise ValidationError(
            {"scorecard": ["There is no scorecard yet: a program admin builds it first."]}
        )
    if channel not in Channel.values:
        errors["channel"] = ["Choose phone, e-mail, meeting or ticket."]
    if not isinstance(observed_on, datetime.date):
        errors["observed_on"] = ["Give the date of the conversation."]
    elif observed_on > company_today(company):
        errors["observed_on"] = ["The date cannot be in the future."]
    if customer is not None and customer.company_id != company.pk:
        errors["customer"] = ["Choose a customer of your company."]
    if len(comment) > MAX_COMMENT_LENGTH:
        errors["comment"] = [f"Keep the comment under {MAX_COMMENT_LENGTH} characters."]
    _check_ratings(scorecard, ratings, errors)
    if errors:
        raise ValidationError(errors)
    observation = Observation.objects.create(
        company=company,
        person=person,
        observer=observer,
        scorecard=scorecard,
        customer=customer,
        channel=channel,
        observed_on=observed_on,
        comment=comment.strip(),
        kind=kind,
        created_at=timezone.now(),
    )
    ObservationRating.objects.bulk_create(
        ObservationRating(observation=observation, item_id=item_id, rating=rating)
        for item_id, rating in ratings.items()
    )
    return observation


def record_self_assessment(
    *,
    person: Person,
    channel: str,
    observed_on: datetime.date,
    ratings: Mapping[int, int | None],
    comment: str = "",
    customer: Customer | None = None,
) -> Observation:
    """A person scores one of their own customer conversations on the active scorecard."""
    return record_observation(
        observer=person,
        person=person,
        channel=channel,
        observed_on=observed_on,
        ratings=ratings,
        comment=comment,
        customer=customer,
        kind=ObservationKind.SELF,
    )
