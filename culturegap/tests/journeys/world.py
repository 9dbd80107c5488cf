"""The small company the browser journeys run in, built through the apps' own services.

Acme Advisers (the ``company`` and ``staff`` fixtures of the project's conftest) with:
- the starter pack: a published playbook and the "Customer communication" curriculum;
- the CRP enrolled in it, the starting check done, and two drill cards due since an hour ago;
- a behaviour scorecard generated from the playbook's conversation steps;
- two services and two customers served by the CRP's team: Zephyr Joinery, owned by Sam Sales
  and buying year-end accounts, and Harbour Bakery, owned by nobody (its needs go to the sales
  queue) and buying payroll.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from culturegap.coaching import services as coaching
from culturegap.coaching.models import Scorecard
from culturegap.loyalty import services as loyalty
from culturegap.loyalty.models import SurveyCampaign
from culturegap.opportunities import services as opportunities
from culturegap.opportunities.models import Opportunity
from culturegap.org.models import Contact, Customer, Person, Service
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    ServiceFactory,
)
from culturegap.reinforcement.models import Card
from culturegap.training import services as training
from culturegap.training.models import Curriculum, Enrollment, Lesson
from culturegap.training.packs import import_starter_pack
from culturegap.training.tests.factories import take_curriculum

STARTER_CURRICULUM = "customer-communication"
# The need the CRP hands over in the CRP journey, and the salesperson wins in theirs.
BAKERY_NEED = "Taking on three staff in spring; asked whether we could also do their bookkeeping."


@dataclass
class World:
    company: object
    staff: dict[str, Person]
    curriculum: Curriculum
    first_lesson: Lesson
    drill_cards: list[Card]
    scorecard: Scorecard
    accounts: Service
    payroll: Service
    bookkeeping: Service
    zephyr: Customer  # owned by Sam Sales
    bakery: Customer  # no sales owner: its needs wait in the queue
    zephyr_contact: Contact
    bakery_contact: Contact


def build_world(*, company, staff) -> World:
    admin, crp = staff["admin"], staff["crp"]
    result = import_starter_pack(company=company, actor=admin)
    assert result.ok, result.errors
    curriculum = Curriculum.objects.get(company=company, key=STARTER_CURRICULUM)
    first_lesson = (
        Lesson.objects.filter(module__curriculum=curriculum)
        .order_by("module__order", "order")
        .first()
    )

    today = timezone.localdate()
    training.assign_curriculum(
        curriculum=curriculum,
        teams=[],
        people=[crp],
        wave=1,
        starts_on=today - datetime.timedelta(days=3),
        due_on=today + datetime.timedelta(days=25),
        actor=admin,
    )
    take_curriculum(Enrollment.objects.get(person=crp), lessons=False)

    # The starting check made cards of the scenarios it asked; two of them (not from the first
    # lesson, which the CRP answers in the journey itself) are due since an hour ago.
    now = timezone.now()
    drill_cards = list(
        Card.objects.filter(person=crp).exclude(question__lesson=first_lesson).order_by("pk")[:2]
    )
    assert len(drill_cards) == 2, "the starting check should have made cards"
    for n, due_card in enumerate(drill_cards):
        due_card.due = now - datetime.timedelta(hours=1 + n)
        due_card.save(update_fields=["due"])

    scorecard = coaching.generate_scorecard(company=company, actor=admin)

    accounts = ServiceFactory(company=company, code="ACC", name="Year-end accounts")
    payroll = ServiceFactory(company=company, code="PAY", name="Payroll")
    bookkeeping = ServiceFactory(
        company=company, code="BOOK", name="Bookkeeping", annual_value=Decimal("3000")
    )
    team = crp.team
    zephyr = CustomerFactory(
        company=company,
        name="Zephyr Joinery",
        external_id="C-1001",
        sales_owner=staff["sales"],
        serving_team=team,
    )
    bakery = CustomerFactory(
        company=company, name="Harbour Bakery", external_id="C-1002", serving_team=team
    )
    CustomerServiceFactory(customer=zephyr, service=accounts)
    CustomerServiceFactory(customer=bakery, service=payroll)
    zephyr_contact = Contact.objects.create(
        company=company, customer=zephyr, name="Zoe Zephyr", email="zoe@zephyr.example"
    )
    bakery_contact = Contact.objects.create(
        company=company, customer=bakery, name="Hal Harbour", email="hal@harbour.example"
    )
    return World(
        company=company,
        staff=staff,
        curriculum=curriculum,
        first_lesson=first_lesson,
        drill_cards=drill_cards,
        scorecard=scorecard,
        accounts=accounts,
        payroll=payroll,
        bookkeeping=bookkeeping,
        zephyr=zephyr,
        bakery=bakery,
        zephyr_contact=zephyr_contact,
        bakery_contact=bakery_contact,
    )


def record_bakery_need(world: World) -> Opportunity:
    """The need the CRP hands over in their journey: Harbour Bakery has no sales owner, so it
    waits in the sales queue."""
    return opportunities.record_opportunity(
        company=world.company,
        customer=world.bakery,
        service=world.bookkeeping,
        need=BAKERY_NEED,
        urgency="high",
        channel="phone",
        found_by=world.staff["crp"],
    )


def open_campaign(world: World, *, name: str = "Spring survey") -> SurveyCampaign:
    today = timezone.localdate()
    return loyalty.create_campaign(
        company=world.company,
        created_by=world.staff["admin"],
        name=name,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
    )


def survey_link(campaign: SurveyCampaign, contact: Contact) -> str:
    """The path of ``contact``'s survey link, as the invitation e-mail gives it."""
    _, token = loyalty.issue_link(campaign=campaign, contact=contact)
    return f"/loyalty/s/{token}/"


def answer_survey(campaign: SurveyCampaign, contact: Contact, score: int, *, days_ago: int):
    """An answer given through the link, ``days_ago`` days ago."""
    _, token = loyalty.issue_link(campaign=campaign, contact=contact)
    at = timezone.now() - datetime.timedelta(days=days_ago)
    return loyalty.submit_answer(token=token, score=score, at=at)


def won_need(world: World, *, value: Decimal) -> Opportunity:
    """The CRP's bakery need, taken, contacted and won by Sam Sales."""
    sales = world.staff["sales"]
    opportunity = record_bakery_need(world)
    opportunities.take_opportunity(opportunity=opportunity, actor=sales)
    opportunities.move_opportunity(opportunity=opportunity, to_status="contacted", actor=sales)
    return opportunities.move_opportunity(
        opportunity=opportunity, to_status="won", actor=sales, value=value
    )
