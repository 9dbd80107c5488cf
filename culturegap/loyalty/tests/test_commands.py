"""The send_survey and survey_link commands."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from culturegap.loyalty import services
from culturegap.loyalty.tests.conftest import LINK


@pytest.fixture
def unsent(company, staff, book):
    return services.create_campaign(
        company=company,
        created_by=staff["admin"],
        name="Command survey",
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + datetime.timedelta(days=10),
    )


def test_send_survey_sends_every_invitation_once(unsent, book):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "send_survey",
        str(unsent.pk),
        "--batch-size",
        "2",
        stdout=out,
        stderr=err,
    )
    assert "Sent 2 invitations" in out.getvalue()
    assert "Invitations" in err.getvalue()  # the progress bar
    assert len(mail.outbox) == 2
    assert all("https://" in m.body or "http://" in m.body for m in mail.outbox)
    call_command("send_survey", str(unsent.pk), "--no-progress", stdout=out)
    assert len(mail.outbox) == 2


def test_send_survey_uses_the_base_url(unsent):
    call_command(
        "send_survey",
        str(unsent.pk),
        "--no-progress",
        "--base-url",
        "https://cg.example.org",
        stdout=io.StringIO(),
    )
    assert "https://cg.example.org/loyalty/s/" in mail.outbox[0].body


def test_send_survey_refuses_an_unknown_or_closed_campaign(unsent, closed_campaign):
    with pytest.raises(CommandError, match="no campaign"):
        call_command("send_survey", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="not today"):
        call_command("send_survey", str(closed_campaign.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="batch-size"):
        call_command("send_survey", str(unsent.pk), "--batch-size", "0", stdout=io.StringIO())


def test_survey_link_prints_a_link_that_opens_the_survey(client, unsent, book):
    out = io.StringIO()
    call_command("survey_link", "--customer", book.zephyr.external_id, stdout=out)
    assert "Zephyr Joinery" in out.getvalue()
    token = LINK.search(out.getvalue()).group(1)
    response = client.get(reverse("loyalty:survey", args=[token]))
    assert response.status_code == 200
    # A second link for the same contact retires the first.
    out = io.StringIO()
    call_command("survey_link", "--customer", book.zephyr.external_id, stdout=out)
    assert client.get(reverse("loyalty:survey", args=[token])).status_code == 404
    fresh = LINK.search(out.getvalue()).group(1)
    assert client.get(reverse("loyalty:survey", args=[fresh])).status_code == 200


def test_survey_link_without_a_customer_picks_one_still_to_answer(client, unsent):
    out = io.StringIO()
    call_command("survey_link", "--company", "acme", stdout=out)
    token = LINK.search(out.getvalue()).group(1)
    client.post(reverse("loyalty:survey", args=[token]), {"score": "8"})
    out = io.StringIO()
    call_command("survey_link", stdout=out)
    other = LINK.search(out.getvalue()).group(1)
    assert client.get(reverse("loyalty:survey", args=[other])).status_code == 200


def test_survey_link_explains_what_is_wrong(unsent, book, other_company):
    with pytest.raises(CommandError, match="--company"):
        call_command("survey_link", stdout=io.StringIO())  # two companies now
    with pytest.raises(CommandError, match="no customer"):
        call_command("survey_link", "--company", "acme", "--customer", "NOPE", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no company"):
        call_command("survey_link", "--company", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no survey open"):
        call_command("survey_link", "--company", "other", stdout=io.StringIO())
