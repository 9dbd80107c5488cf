"""Actions of the culture survey: opening and closing waves, adding statements, setting
targets, and taking one person's anonymous answer."""

import functools
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from culturegap.culture import selectors
from culturegap.culture.models import (
    CultureTarget,
    Dimension,
    OwnStatement,
    Participation,
    Response,
    Wave,
)
from culturegap.measures import culture as measure
from culturegap.org.models import Company, Person

INSTRUMENT_PATH = Path(__file__).with_name("instrument.yaml")


@functools.cache
def instrument() -> dict:
    """The shipped instrument (instrument.yaml): scale labels, the open question and the
    statements per dimension."""
    with INSTRUMENT_PATH.open(encoding="utf-8") as file:
        return yaml.safe_load(file)


def shipped_statements() -> list[dict]:
    return [
        {"key": item["key"], "dimension": dimension, "text": item["text"]}
        for dimension in measure.DIMENSIONS
        for item in instrument()["statements"][dimension]
    ]


def statements_for(*, company: Company) -> list[dict]:
    """What a wave opened now would ask: the shipped statements and the company's active own
    statements, grouped by dimension."""
    own = OwnStatement.objects.filter(company=company, is_active=True).order_by("pk")
    items = shipped_statements() + [
        {"key": statement.key, "dimension": statement.dimension, "text": statement.text}
        for statement in own
    ]
    order = {dimension: index for index, dimension in enumerate(measure.DIMENSIONS)}
    return sorted(items, key=lambda item: order[item["dimension"]])


class AlreadyAnswered(Exception):
    """This person has answered this wave already."""


class WaveClosed(Exception):
    """The wave takes no more answers."""


@transaction.atomic
def open_wave(*, company: Company, name: str, opened_on, opened_by: Person | None) -> Wave:
    """Open a wave for all customer-contact staff; ValidationError if one is open already."""
    if Wave.objects.select_for_update().filter(company=company, closed_on=None).exists():
        raise ValidationError({"name": "A wave is open already: close it first."})
    try:
        with transaction.atomic():
            return Wave.objects.create(
                company=company,
                name=name.strip(),
                opened_on=opened_on,
                statements=statements_for(company=company),
                open_question=instrument()["open_question"],
                invited=selectors.eligible_staff(company=company).count(),
                opened_by=opened_by,
            )
    except IntegrityError as error:  # another admin opened one at the same moment
        raise ValidationError({"name": "A wave is open already: close it first."}) from error


@transaction.atomic
def close_wave(*, wave: Wave, closed_on) -> Wave:
    if wave.closed_on is not None:
        raise ValidationError("This wave is closed already.")
    wave.closed_on = max(closed_on, wave.opened_on)
    wave.save(update_fields=["closed_on"])
    return wave


@transaction.atomic
def add_statement(*, company: Company, dimension: str, text: str) -> OwnStatement:
    text = " ".join(text.split())
    if dimension not in Dimension.values:
        raise ValidationError({"dimension": f"Choose one of {', '.join(Dimension.values)}."})
    if not text:
        raise ValidationError({"text": "Write the statement."})
    if OwnStatement.objects.filter(company=company, text__iexact=text).exists() or any(
        item["text"].lower() == text.lower() for item in shipped_statements()
    ):
        raise ValidationError({"text": "This statement is in the survey already."})
    return OwnStatement.objects.create(company=company, dimension=dimension, text=text)


@transaction.atomic
def set_statement_active(*, statement: OwnStatement, active: bool) -> OwnStatement:
    statement.is_active = active
    statement.save(update_fields=["is_active"])
    return statement


@transaction.atomic
def set_targets(*, company: Company, targets: dict) -> None:
    """Targets per dimension, each 1–5."""
    for dimension, value in targets.items():
        if dimension not in Dimension.values:
            raise ValidationError({dimension: "Not a dimension of the survey."})
        if value is None or not 1 <= value <= 5:
            raise ValidationError({dimension: "A target is between 1 and 5."})
        CultureTarget.objects.update_or_create(
            company=company, dimension=dimension, defaults={"target": value}
        )


@transaction.atomic
def submit_answer(*, wave: Wave, person: Person, scores: dict, open_answer: str = "") -> None:
    """Record that ``person`` answered ``wave`` and, separately, what was answered: the
    answer keeps the person's team and team kind but nothing that leads back to them.
    AlreadyAnswered on a second answer, WaveClosed once the wave is closed, ValidationError
    (naming the statement) on bad scores; nothing is written in any of these cases."""
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.company_id != person.company_id or not selectors.is_eligible(person):
        raise ValidationError("This survey is not for you.")
    if wave.closed_on is not None:
        raise WaveClosed
    dimension_of = wave.dimension_of()
    for key in dimension_of:
        if key not in scores:
            raise ValidationError({key: "Choose a score from 1 to 5."})
        try:
            measure.check_score(scores[key])
        except ValueError as error:
            raise ValidationError({key: str(error)}) from error
    means = measure.dimension_means(scores, dimension_of)
    try:
        with transaction.atomic():
            Participation.objects.create(company_id=person.company_id, wave=wave, person=person)
    except IntegrityError as error:
        raise AlreadyAnswered from error
    team = person.team
    Response.objects.create(
        company_id=person.company_id,
        wave=wave,
        team=team,
        team_kind=team.kind if team else "",
        scores={key: scores[key] for key in dimension_of},
        open_answer=open_answer.strip(),
        **means,
    )
