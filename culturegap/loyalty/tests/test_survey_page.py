"""The public survey page: what a customer sees by their link, and every way a link can fail."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from culturegap.loyalty import services
from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from culturegap.loyalty.tests.factories import ContactFactory
from culturegap.opportunities.models import Opportunity
from culturegap.org.tests.factories import CustomerFactory, CustomerServiceFactory, ServiceFactory

INVALID = "This survey link is not valid"
CSRF = re.compile(r'"X-CSRFToken": "[^"]*"')


def _url(token):
    return reverse("loyalty:survey", args=[token])


def _nothing_written():
    return not SurveyResponse.objects.exists() and not Opportunity.objects.exists()


def test_the_survey_asks_the_three_questions(client, campaign, book):
    response = client.get(_url(campaign.links["Zephyr Joinery"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "How likely are you to recommend Acme Advisers to a friend or colleague?" in page
    for score in range(11):
        assert f'type="radio" name="score" value="{score}"' in page
    assert "Not at all likely" in page and "Extremely likely" in page
    assert "What is the main reason for your score?" in page
    # Zephyr buys accounts: the survey offers payroll and audit, never what they already buy.
    assert "Payroll" in page and "Statutory audit" in page
    assert "Year-end accounts" not in page
    assert response["Cache-Control"].startswith("max-age=0")
    assert '<meta name="robots" content="noindex, nofollow">' in page


def test_a_link_shows_only_its_own_companys_survey(client, campaign, other_company):
    # Another company with its own campaign and services: our link never shows their things.
    theirs = ServiceFactory(company=other_company, name="Their Secret Service")
    customer = CustomerFactory(company=other_company, name="Their Client")
    CustomerServiceFactory(customer=customer, service=ServiceFactory(company=other_company))
    contact = ContactFactory(customer=customer)
    their_campaign = SurveyCampaign.objects.create(
        company=other_company,
        name="Their survey",
        opens_on=campaign.opens_on,
        closes_on=campaign.closes_on,
    )
    _, their_token = services.issue_link(campaign=their_campaign, contact=contact)
    ours = client.get(_url(campaign.links["Zephyr Joinery"])).content.decode()
    assert "Their Secret Service" not in ours and "Other Firm" not in ours
    page = client.get(_url(their_token)).content.decode()
    assert "Other Firm" in page and theirs.name in page
    assert "Acme Advisers" not in page and "Payroll" not in page


def test_answering_records_the_answer_and_thanks_the_customer(client, campaign, book, staff):
    response = client.post(
        _url(campaign.links["Zephyr Joinery"]),
        {"score": "10", "reason": "Quick answers", "wanted_services": [book.payroll.pk]},
    )
    assert response.status_code == 200
    assert "Thank you for your answer" in response.content.decode()
    assert "will be in touch about Payroll." in response.content.decode()
    answer = SurveyResponse.objects.get()
    assert (answer.customer, answer.score, answer.reason) == (book.zephyr, 10, "Quick answers")
    opportunity = Opportunity.objects.get()
    assert opportunity.owner == staff["sales"] and opportunity.service == book.payroll


def test_a_used_link_says_thank_you_and_never_shows_the_form_again(client, campaign):
    url = _url(campaign.links["Zephyr Joinery"])
    client.post(url, {"score": "9"})
    again = client.get(url)
    assert again.status_code == 200
    page = again.content.decode()
    assert "Thank you, we already have your answer" in page
    assert 'name="score"' not in page
    second = client.post(url, {"score": "1"})
    assert second.status_code == 409
    assert "Thank you, we already have your answer" in second.content.decode()
    assert list(SurveyResponse.objects.values_list("score", flat=True)) == [9]


@pytest.mark.parametrize(
    "token",
    [
        "not-a-real-token",
        "A" * 43,
        "A" * 500,
        "%00",
        "ünïcødé",
        "' OR 1=1 --",
    ],
)
def test_an_unknown_link_is_a_clear_404_that_reveals_nothing(client, campaign, token):
    response = client.get(_url(token))
    assert response.status_code == 404
    page = response.content.decode()
    assert INVALID in page
    for secret in ("Acme Advisers", "Zephyr", "Spring survey", "Payroll"):
        assert secret not in page
    assert client.post(_url(token), {"score": "9"}).status_code == 404
    assert _nothing_written()


def test_unknown_and_tampered_links_all_look_the_same(client, campaign):
    token = campaign.links["Zephyr Joinery"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    pages = {
        # The masked CSRF token in the page header differs on every response; nothing else may.
        CSRF.sub("", client.get(_url(candidate)).content.decode())
        for candidate in (tampered, token[:-1], "A" * 43, "x")
    }
    assert len(pages) == 1
    assert INVALID in pages.pop()


def test_a_closed_campaign_is_a_clear_410(client, campaign):
    token = campaign.links["Zephyr Joinery"]
    today = timezone.localdate()
    SurveyCampaign.objects.filter(pk=campaign.pk).update(
        opens_on=today - datetime.timedelta(days=40), closes_on=today - datetime.timedelta(days=3)
    )
    response = client.get(_url(token))
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert 'name="score"' not in response.content.decode()
    assert client.post(_url(token), {"score": "9"}).status_code == 410
    assert _nothing_written()


@pytest.mark.parametrize(
    ("data", "field_label"),
    [
        ({}, "How likely"),
        ({"score": ""}, "How likely"),
        ({"score": "11"}, "How likely"),
        ({"score": "-1"}, "How likely"),
        ({"score": "nine"}, "How likely"),
        ({"score": "9", "wanted_services": ["999999"]}, "other services"),
        ({"score": "9", "wanted_services": ["abc"]}, "other services"),
        ({"score": "9", "reason": "x" * 1501}, "main reason"),
    ],
)
def test_a_bad_answer_is_a_400_naming_the_field_and_writes_nothing(
    client, campaign, data, field_label
):
    url = _url(campaign.links["Zephyr Joinery"])
    response = client.post(url, data)
    assert response.status_code == 400
    errors = response.content.decode().split('id="survey-errors"')[1].split("</div>")[0]
    assert field_label in errors
    assert _nothing_written()
    assert not SurveyInvitation.objects.exclude(answered_at=None).exists()
    # The link still works afterwards.
    assert client.post(url, {"score": "9"}).status_code == 200


def test_another_companys_service_or_one_already_bought_is_refused(
    client, campaign, book, other_company
):
    theirs = ServiceFactory(company=other_company)
    url = _url(campaign.links["Zephyr Joinery"])
    for service in (theirs, book.accounts):
        response = client.post(url, {"score": "9", "wanted_services": [service.pk]})
        assert response.status_code == 400
        assert "Choose only among the services listed." in response.content.decode()
    assert _nothing_written()


def test_the_score_works_with_the_keyboard_markup(client, campaign):
    """Native radio buttons in a fieldset with a legend: arrow keys move between them and the
    screen reader announces the question; the two ends carry their meaning in words."""
    page = client.get(_url(campaign.links["Zephyr Joinery"])).content.decode()
    assert '<fieldset class="nps"' in page and "<legend>" in page
    assert page.count('type="radio"') == 11
    assert '0<span class="visually-hidden"> – not at all likely</span>' in page
    assert '10<span class="visually-hidden"> – extremely likely</span>' in page
