"""factory-boy factories for coaching, and a small published playbook to build scorecards from."""

import datetime

import factory

from culturegap.coaching.models import (
    Channel,
    Observation,
    ObservationKind,
    ObservationRating,
    Scorecard,
    ScorecardItem,
)
from culturegap.language.tests.factories import CommunicationStepFactory, PlaybookFactory
from culturegap.org.tests.factories import CompanyFactory

# Three steps of a conversation, enough to exercise per-skill figures.
STEPS = (
    ("open", "Open", "Greets the customer by name and agrees the purpose of the contact."),
    ("discover", "Discover", "Asks open questions about the customer's situation."),
    ("propose", "Propose", "Links a service to the need the customer described."),
)


def published_playbook(company):
    playbook = PlaybookFactory(company=company, status="published", title="Our conversation")
    for order, (key, name, behaviour) in enumerate(STEPS, start=1):
        CommunicationStepFactory(
            playbook=playbook, key=key, name=name, observable_behaviour=behaviour, order=order
        )
    return playbook


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    company = factory.SubFactory(CompanyFactory)
    name = "Behaviour scorecard"


class ScorecardItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardItem

    scorecard = factory.SubFactory(ScorecardFactory)
    skill = factory.Sequence(lambda n: f"step-{n}")
    behaviour = factory.Sequence(lambda n: f"Does the observable thing number {n}.")
    order = factory.Sequence(lambda n: n)


def scorecard_with_steps(company) -> Scorecard:
    """An active scorecard with one item per step of ``STEPS``."""
    scorecard = ScorecardFactory(company=company)
    for order, (key, _, behaviour) in enumerate(STEPS, start=1):
        ScorecardItemFactory(scorecard=scorecard, skill=key, behaviour=behaviour, order=order)
    return scorecard


class ObservationFactory(factory.django.DjangoModelFactory):
    """An observation written directly (no validation), with ratings given as
    ``ratings={skill: rating}`` for the items of its scorecard (others not observed)."""

    class Meta:
        model = Observation
        skip_postgeneration_save = True

    company = factory.LazyAttribute(lambda o: o.person.company)
    observer = factory.LazyAttribute(lambda o: o.person.manager)
    channel = Channel.PHONE
    observed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=3))
    kind = ObservationKind.MANAGER
    comment = "Warm opening; try one more open question."

    @factory.post_generation
    def ratings(obj, create, extracted, **kwargs):
        if not create:
            return
        given = extracted or {}
        ObservationRating.objects.bulk_create(
            ObservationRating(observation=obj, item=item, rating=given.get(item.skill))
            for item in obj.scorecard.items.all()
        )
