"""The Today page's tasks say what to do and when: for every role, with a curriculum overdue, a
culture survey and a loyalty survey open, and needs passed on."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from culturegap.culture import services as culture
from culturegap.opportunities.tests.factories import OpportunityFactory
from culturegap.org.models import Role
from culturegap.org.tests.factories import CustomerFactory

# A day ("8 May"), or words that say when: due today, this week, so far, since, until, before…
WHEN = re.compile(
    r"\b\d{1,2}[ \u00a0](Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|"
    r"\btoday\b|\bthis week\b|"
    r"\bso far\b|\bbefore\b|\bwhen a customer\b|\byet\b|\boverdue\b|\bwhile you are away\b|"
    r"\bwithin \d+ days\b"
)


def _tasks(client, person, role):
    client.force_login(person)
    sections = client.get(reverse("today")).context["sections"]
    return next(section for section in sections if section.role == role).tasks


@pytest.mark.parametrize("role", Role.values)
def test_every_task_of_every_role_says_what_and_when(client, staff, busy, role):
    tasks = _tasks(client, staff[role], role)
    assert tasks
    for task in tasks:
        assert task.url, task.text  # what: a task leads to where it is done
        assert task.done or WHEN.search(task.text), f"{role}: {task.text!r} does not say when"


def test_the_final_check_names_its_curriculum_its_due_date_and_that_it_is_overdue(
    client, staff, busy
):
    due = date_format(busy, "j M").replace(" ", "\u00a0")
    for role in ("crp", "sales"):
        texts = [task.text for task in _tasks(client, staff[role], role)]
        assert f"Take the final check of Communication essentials, due {due} — overdue" in texts


def test_the_culture_survey_task_names_the_wave_and_since_when_it_is_open(client, staff, busy):
    opened = date_format(timezone.localdate() - datetime.timedelta(days=5), "j M").replace(
        " ", "\u00a0"
    )
    texts = [task.text for task in _tasks(client, staff["crp"], Role.CRP)]
    assert (
        f"Answer the culture survey “Spring 2026” — open since {opened}: 3 minutes, anonymous"
        in (texts)
    )


def test_a_crp_sees_what_their_needs_did_for_customers_and_pipeline_viewers_see_won(
    client, staff, busy
):
    texts = [task.text for task in _tasks(client, staff["crp"], Role.CRP)]
    assert "Pass on a customer need when a customer mentions one" in texts
    assert "Needs you passed on: 3 so far — 1 customer now uses what they asked for" in texts
    # A manager who also passes needs on follows the pipeline: the won count stays.
    manager = staff["manager"]
    manager.is_crp = True
    manager.save()
    OpportunityFactory(customer=CustomerFactory(company=manager.company), found_by=manager)
    texts = [task.text for task in _tasks(client, manager, Role.CRP)]
    assert "Your opportunities: 0 won of 1 handed to sales so far" in texts


def test_the_executive_is_told_which_surveys_are_open_and_until_when(client, staff, busy):
    texts = [task.text for task in _tasks(client, staff["executive"], Role.EXECUTIVE)]
    assert any(
        text.startswith("Read the culture survey's results: survey “Spring 2026” open since")
        for text in texts
    )
    closes = date_format(timezone.localdate() + datetime.timedelta(days=21), "j M").replace(
        " ", "\u00a0"
    )
    assert f"See the answers to the loyalty survey “Winter check-in”: open until {closes}" in texts


def test_a_wave_named_after_the_survey_is_not_repeated(client, company, staff):
    culture.open_wave(
        company=company, name="Culture survey: now", opened_on=timezone.localdate(), opened_by=None
    )
    texts = [task.text for task in _tasks(client, staff["crp"], Role.CRP)]
    assert any(text.startswith("Answer the culture survey — open since") for text in texts)
