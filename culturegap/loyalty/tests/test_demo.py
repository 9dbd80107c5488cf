"""The loyalty chapter of the demo company."""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from culturegap import measures
from culturegap.demo.company import DEMO_CHAPTERS, remove_demo_company, seed_demo_company
from culturegap.loyalty import demo as loyalty_demo
from culturegap.loyalty import selectors
from culturegap.loyalty.demo import training_starts
from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from culturegap.loyalty.tests.conftest import LINK
from culturegap.org.models import CRP_TEAM_KINDS, Contact, Customer

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def loyalty_chapter_only(monkeypatch):
    """The other chapters (training content, opportunities) are not needed here and take most
    of the time; org's own demo tests run them all together."""
    monkeypatch.setattr("culturegap.demo.company.DEMO_CHAPTERS", [loyalty_demo.seed])


@pytest.fixture
def demo(db):
    return seed_demo_company(people=60, customers=600, today=TODAY).company


def test_the_chapter_is_registered():
    assert loyalty_demo.seed in DEMO_CHAPTERS  # imported before the patch


def test_every_customer_has_a_serving_crp_team_and_a_contact(demo):
    customers = Customer.objects.filter(company=demo)
    assert not customers.filter(serving_team=None).exists()
    assert set(customers.values_list("serving_team__kind", flat=True)) <= CRP_TEAM_KINDS
    assert not customers.filter(contacts=None).exists()
    assert all(
        email.endswith(".client.example")
        for email in Contact.objects.filter(company=demo).values_list("email", flat=True)
    )


def test_eight_quarterly_campaigns_the_last_one_open(demo):
    campaigns = list(SurveyCampaign.objects.filter(company=demo).order_by("opens_on"))
    assert len(campaigns) == 8
    assert campaigns[0].opens_on >= TODAY - datetime.timedelta(days=2 * 366)
    assert [c.is_open_on(TODAY) for c in campaigns] == [False] * 7 + [True]
    last = campaigns[-1]
    assert last.invitations.filter(answered_at=None).exists()
    # Answers of past campaigns: about a third of the invitations.
    for campaign in campaigns[:-1]:
        invited = campaign.invitations.count()
        answered = campaign.responses.count()
        assert invited > 100
        assert 0.25 <= answered / invited <= 0.45, campaign
    assert not SurveyResponse.objects.filter(company=demo, answered_at__date__gte=TODAY).exists()


def test_answers_keep_their_invitation_and_team(demo):
    responses = SurveyResponse.objects.filter(company=demo).select_related("invitation")
    for response in responses[:200]:
        assert response.invitation.answered_at == response.answered_at
        assert response.invitation.customer_id == response.customer_id
        assert (
            response.campaign.opens_on <= response.answered_at.date() <= response.campaign.closes_on
        )
    assert not responses.filter(team=None).exists()
    assert SurveyResponse.wanted_services.through.objects.filter(
        surveyresponse__company=demo
    ).exists()


def test_nps_rises_after_the_teams_are_trained(demo):
    starts = training_starts(demo, TODAY)
    before, after = [], []
    for team_id, score, answered_at in SurveyResponse.objects.filter(company=demo).values_list(
        "team_id", "score", "answered_at"
    ):
        started = starts.get(team_id)
        if started is None:
            continue
        if answered_at.date() < started:
            before.append(score)
        elif answered_at.date() >= started + datetime.timedelta(days=90):
            after.append(score)
    assert measures.nps(after) > measures.nps(before) + 10


def test_a_survey_link_answered_in_the_demo_changes_the_nps(db, client):
    """The demo's story: print a link, answer it, and the executive's NPS moves."""
    company = seed_demo_company(people=40, customers=150).company  # today: links work now
    executive = company.people.get(email="executive@harbourline.example")
    before = selectors.company_nps(company=company)
    out = io.StringIO()
    call_command("survey_link", stdout=out)
    token = LINK.search(out.getvalue()).group(1)
    url = reverse("loyalty:survey", args=[token])
    assert client.get(url).status_code == 200
    assert client.post(url, {"score": "10"}).status_code == 200
    after = selectors.company_nps(company=company)
    assert after.responses == before.responses + 1
    assert after.promoters == before.promoters + 1
    client.force_login(executive)
    assert client.get(reverse("loyalty:dashboard")).status_code == 200


def _digest(company):
    rows = [
        sorted(
            Customer.objects.filter(company=company).values_list(
                "external_id", "serving_team__name"
            )
        ),
        sorted(
            Contact.objects.filter(company=company).values_list(
                "customer__external_id", "name", "email"
            )
        ),
        sorted(
            SurveyCampaign.objects.filter(company=company).values_list(
                "name", "opens_on", "closes_on"
            )
        ),
        sorted(
            SurveyResponse.objects.filter(company=company).values_list(
                "customer__external_id", "campaign__name", "score", "answered_at", "team__name"
            )
        ),
        sorted(
            SurveyInvitation.objects.filter(company=company)
            .annotate(n=Count("pk"))
            .values_list("customer__external_id", "campaign__name", "answered_at")
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_same_seed_gives_the_same_surveys(db):
    first = _digest(seed_demo_company(people=40, customers=200, seed=3, today=TODAY).company)
    remove_demo_company()
    again = _digest(seed_demo_company(people=40, customers=200, seed=3, today=TODAY).company)
    assert first == again


def test_a_firm_without_customers_gets_empty_campaigns(db):
    company = seed_demo_company(people=40, customers=0, today=TODAY).company
    assert SurveyCampaign.objects.filter(company=company).count() == 8
    assert not SurveyResponse.objects.filter(company=company).exists()
