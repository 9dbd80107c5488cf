"""Survey campaigns, sending links, and recording answers."""

import datetime
import hashlib
import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from culturegap.loyalty import selectors, services
from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from culturegap.loyalty.tests.conftest import LINK
from culturegap.loyalty.tests.factories import ContactFactory, SurveyCampaignFactory
from culturegap.opportunities.models import Opportunity
from culturegap.org import events as org_events
from culturegap.org.tests.factories import CustomerFactory, ServiceFactory

TODAY = timezone.localdate()


def _create(company, admin, **overrides):
    fields = {
        "company": company,
        "created_by": admin,
        "name": "Autumn survey",
        "opens_on": TODAY,
        "closes_on": TODAY + datetime.timedelta(days=28),
    }
    return services.create_campaign(**(fields | overrides))


def test_a_campaign_invites_every_contact_of_every_active_customer(company, staff, book):
    ContactFactory(customer=book.yew, name="Second contact at Yew")
    campaign = _create(company, staff["admin"])
    invited = SurveyInvitation.objects.filter(campaign=campaign)
    # Zephyr's contact and Yew's two; Gone Bakery buys nothing any more.
    assert sorted(invited.values_list("customer__name", flat=True)) == [
        "Yew Tree Dental",
        "Yew Tree Dental",
        "Zephyr Joinery",
    ]
    assert not invited.exclude(sent_at=None).exists()
    assert not invited.exclude(token_hash=None).exists()


def test_a_campaign_for_one_service_line_invites_only_its_customers(company, staff, book):
    campaign = _create(company, staff["admin"], service=book.payroll)
    assert list(campaign.invitations.values_list("customer__name", flat=True)) == [
        "Yew Tree Dental"
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "  "}, "name"),
        ({"closes_on": TODAY - datetime.timedelta(days=1)}, "closes_on"),
        (
            {
                "opens_on": TODAY - datetime.timedelta(days=30),
                "closes_on": TODAY - datetime.timedelta(days=2),
            },
            "closes_on",
        ),
        ({"question": ""}, "question"),
        ({"reason_question": "x" * 301}, "reason_question"),
    ],
)
def test_a_bad_campaign_names_the_field_and_writes_nothing(company, staff, book, overrides, field):
    with pytest.raises(ValidationError) as error:
        _create(company, staff["admin"], **overrides)
    assert field in error.value.message_dict
    assert not SurveyCampaign.objects.exists()
    assert not SurveyInvitation.objects.exists()


def test_a_campaign_cannot_target_another_companys_service(company, other_company, staff, book):
    theirs = ServiceFactory(company=other_company)
    with pytest.raises(ValidationError) as error:
        _create(company, staff["admin"], service=theirs)
    assert "service" in error.value.message_dict


def test_sending_mails_each_contact_a_working_link_and_keeps_only_its_hash(company, staff, book):
    campaign = _create(company, staff["admin"])
    assert services.send_invitations(campaign=campaign, base_url="https://cg.example/") == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        campaign.invitations.values_list("contact__email", flat=True)
    )
    tokens = [LINK.search(message.body).group(1) for message in mail.outbox]
    assert all(message.body.count("https://cg.example/loyalty/s/") == 1 for message in mail.outbox)
    stored = set(campaign.invitations.values_list("token_hash", flat=True))
    assert stored == {hashlib.sha256(token.encode()).hexdigest() for token in tokens}
    assert not stored & set(tokens)
    for token in tokens:
        assert selectors.link_state(selectors.invitation_for_token(token)) == selectors.OPEN
    # Sending again sends nothing new.
    assert services.send_invitations(campaign=campaign) == 0
    assert len(mail.outbox) == 2


def test_tokens_are_long_random_and_all_different(company, staff, book):
    for number in range(40):
        customer = CustomerFactory(company=company, name=f"Client {number}")
        customer.services.create(company=company, service=book.accounts, started_on=TODAY)
        ContactFactory(customer=customer)
    campaign = _create(company, staff["admin"])
    services.send_invitations(campaign=campaign, batch_size=7)
    tokens = [LINK.search(message.body).group(1) for message in mail.outbox]
    assert len(tokens) == 42
    assert len(set(tokens)) == 42
    assert min(len(token) for token in tokens) >= 43  # 32 random bytes, URL-safe
    # No two tokens share a long prefix: they are not counters or timestamps.
    assert len({token[:8] for token in tokens}) == 42


def test_sending_goes_in_batches_and_stops_at_the_limit(company, staff, book):
    ContactFactory(customer=book.yew, name="Second contact")
    campaign = _create(company, staff["admin"])
    batches = []
    sent = services.send_invitations(
        campaign=campaign, limit=2, batch_size=1, progress=batches.append
    )
    assert sent == 2 and batches == [1, 1]
    assert campaign.invitations.filter(sent_at=None).count() == 1
    assert services.send_invitations(campaign=campaign) == 1


def test_a_failed_batch_stays_unsent(company, staff, book, monkeypatch):
    campaign = _create(company, staff["admin"])

    def broken(self, messages):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(ConnectionError):
        services.send_invitations(campaign=campaign)
    assert not campaign.invitations.exclude(sent_at=None).exists()
    assert not campaign.invitations.exclude(token_hash=None).exists()


def test_an_answer_is_stored_with_the_team_serving_the_customer(campaign, book, staff):
    response = services.submit_answer(
        token=campaign.links["Zephyr Joinery"], score=9, reason="  Always quick to reply. "
    )
    response.refresh_from_db()
    assert response.customer == book.zephyr
    assert response.team == staff["crp"].team
    assert response.campaign == campaign
    assert (response.score, response.reason) == (9, "Always quick to reply.")
    assert response.invitation.answered_at == response.answered_at
    # Moving the customer to another team later leaves the answer with the team that served.
    book.zephyr.serving_team = None
    book.zephyr.save()
    response.refresh_from_db()
    assert response.team == staff["crp"].team


def test_each_wanted_service_becomes_an_opportunity_for_the_sales_owner(campaign, book, staff):
    services.submit_answer(
        token=campaign.links["Zephyr Joinery"],
        score=10,
        reason="You know our business.",
        wanted_services=[book.payroll, book.audit],
    )
    opportunities = Opportunity.objects.filter(customer=book.zephyr).order_by("service__name")
    assert [o.service for o in opportunities] == [book.payroll, book.audit]
    for opportunity in opportunities:
        assert opportunity.owner == staff["sales"]
        assert opportunity.channel == "survey"
        assert opportunity.source == "survey"
        assert opportunity.need == (
            f"Survey answer: would value {opportunity.service.name}. Reason: You know our business."
        )
    response = SurveyResponse.objects.get(customer=book.zephyr)
    assert set(response.wanted_services.all()) == {book.payroll, book.audit}


def test_a_wanted_service_of_a_customer_without_owner_goes_to_the_queue(campaign, book):
    services.submit_answer(
        token=campaign.links["Yew Tree Dental"], score=8, wanted_services=[book.audit]
    )
    opportunity = Opportunity.objects.get(customer=book.yew)
    assert opportunity.owner is None
    assert opportunity.need == "Survey answer: would value Statutory audit."


def test_a_link_answers_once_and_the_second_answer_writes_nothing(campaign, book):
    token = campaign.links["Zephyr Joinery"]
    services.submit_answer(token=token, score=9, wanted_services=[book.payroll])
    with pytest.raises(services.SurveyUnavailable) as refused:
        services.submit_answer(token=token, score=2, wanted_services=[book.audit])
    assert refused.value.state == selectors.ANSWERED
    assert SurveyResponse.objects.count() == 1
    assert SurveyResponse.objects.get().score == 9
    assert Opportunity.objects.count() == 1


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 5000, "../../etc/passwd"])
def test_an_unknown_token_takes_no_answer(campaign, token):
    with pytest.raises(services.SurveyUnavailable) as refused:
        services.submit_answer(token=token, score=9)
    assert refused.value.state == selectors.INVALID
    assert not SurveyResponse.objects.exists()


def test_a_tampered_token_takes_no_answer(campaign):
    token = campaign.links["Zephyr Joinery"]
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(services.SurveyUnavailable):
        services.submit_answer(token=tampered, score=9)
    assert not SurveyResponse.objects.exists()


def test_a_closed_campaign_takes_no_answer(campaign):
    token = campaign.links["Zephyr Joinery"]
    SurveyCampaign.objects.filter(pk=campaign.pk).update(
        opens_on=TODAY - datetime.timedelta(days=60), closes_on=TODAY - datetime.timedelta(days=2)
    )
    with pytest.raises(services.SurveyUnavailable) as refused:
        services.submit_answer(token=token, score=9)
    assert refused.value.state == selectors.CLOSED
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize("score", [-1, 11, None, "9", 9.0, True])
def test_a_bad_score_names_the_field_and_writes_nothing(campaign, score):
    with pytest.raises(ValidationError) as error:
        services.submit_answer(token=campaign.links["Zephyr Joinery"], score=score)
    assert "score" in error.value.message_dict
    assert not SurveyResponse.objects.exists()
    assert not SurveyInvitation.objects.exclude(answered_at=None).exists()


def test_wanted_services_must_be_ones_the_customer_does_not_buy(campaign, book, other_company):
    theirs = ServiceFactory(company=other_company, name="Their service")
    for wanted in ([book.accounts], [theirs]):
        with pytest.raises(ValidationError) as error:
            services.submit_answer(
                token=campaign.links["Zephyr Joinery"], score=9, wanted_services=wanted
            )
        assert "wanted_services" in error.value.message_dict
    assert not SurveyResponse.objects.exists()
    assert not Opportunity.objects.exists()


def test_a_failing_opportunity_leaves_no_answer_behind(campaign, book):
    def broken(sender, **kwargs):
        raise RuntimeError("the opportunity could not be saved")

    org_events.service_wanted.connect(broken)
    try:
        with pytest.raises(RuntimeError):
            services.submit_answer(
                token=campaign.links["Zephyr Joinery"], score=9, wanted_services=[book.payroll]
            )
    finally:
        org_events.service_wanted.disconnect(broken)
    assert not SurveyResponse.objects.exists()
    assert not SurveyInvitation.objects.exclude(answered_at=None).exists()


def test_issue_link_gives_a_new_token_and_retires_the_old_one(campaign, book):
    old = campaign.links["Zephyr Joinery"]
    contact = book.zephyr.contacts.get()
    invitation, token = services.issue_link(campaign=campaign, contact=contact)
    assert token != old
    assert selectors.invitation_for_token(old) is None
    assert selectors.invitation_for_token(token) == invitation
    services.submit_answer(token=token, score=7)
    with pytest.raises(ValidationError):
        services.issue_link(campaign=campaign, contact=contact)


def test_issue_link_invites_a_contact_added_after_the_campaign_started(campaign, company):
    customer = CustomerFactory(company=company, name="Late Arrival")
    contact = ContactFactory(customer=customer)
    invitation, token = services.issue_link(campaign=campaign, contact=contact)
    assert invitation.customer == customer
    assert selectors.link_state(selectors.invitation_for_token(token)) == selectors.OPEN


def test_issue_link_refuses_a_closed_campaign_and_another_companys_contact(
    campaign, closed_campaign, book, other_company
):
    with pytest.raises(ValidationError):
        services.issue_link(campaign=closed_campaign, contact=book.zephyr.contacts.get())
    outsider = ContactFactory(customer=CustomerFactory(company=other_company))
    with pytest.raises(ValidationError):
        services.issue_link(campaign=campaign, contact=outsider)


def test_a_campaign_not_open_yet_takes_no_answer(company, book):
    campaign = SurveyCampaignFactory(
        company=company,
        opens_on=TODAY + datetime.timedelta(days=5),
        closes_on=TODAY + datetime.timedelta(days=30),
    )
    invitation = SurveyInvitation.objects.create(
        company=company,
        campaign=campaign,
        customer=book.zephyr,
        contact=book.zephyr.contacts.get(),
        token_hash=hashlib.sha256(b"early-token").hexdigest(),
    )
    assert selectors.link_state(invitation) == selectors.NOT_OPEN
    with pytest.raises(services.SurveyUnavailable) as refused:
        services.submit_answer(token="early-token", score=9)
    assert refused.value.state == selectors.NOT_OPEN


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_record_one_answer(company, staff, book):
    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are tested on PostgreSQL")
    campaign = _create(company, staff["admin"], opens_on=TODAY - datetime.timedelta(days=1))
    services.send_invitations(campaign=campaign)
    token = next(LINK.search(m.body).group(1) for m in mail.outbox if "zephyr" in m.body.lower())
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(score):
        try:
            barrier.wait()
            services.submit_answer(token=token, score=score, wanted_services=[book.payroll])
            outcomes.append("recorded")
        except services.SurveyUnavailable as refused:
            outcomes.append(refused.state)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(score,)) for score in (9, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["answered", "recorded"]
    assert SurveyResponse.objects.count() == 1
    assert Opportunity.objects.count() == 1
