"""The home page: the learner's drill and the manager's people below the threshold."""

import datetime

from django.urls import reverse
from django.utils import timezone

from culturegap.reinforcement.models import ReinforcementSettings
from culturegap.reinforcement.tests.factories import card, make_question


def test_the_crp_home_page_shows_the_drill(client, staff):
    crp = staff["crp"]
    now = timezone.now()
    for n in range(3):
        card(crp, make_question(crp.company), due=now - datetime.timedelta(hours=n + 1))
    client.force_login(crp)
    html = client.get(reverse("today")).content.decode()
    assert "Your drill: 3 questions due (about 1 minute)" in html
    assert reverse("reinforcement:drill") in html


def test_nothing_due_says_so(client, staff):
    client.force_login(staff["crp"])
    assert "Your drill: nothing due today" in client.get(reverse("today")).content.decode()


def test_the_manager_home_page_counts_people_below_the_threshold(client, staff, company):
    ReinforcementSettings.objects.create(company=company, alert_threshold=0.8)
    now = timezone.now()
    card(
        staff["crp"],
        make_question(company),
        due=now,
        stability=2,
        last_review=now - datetime.timedelta(days=30),
    )
    client.force_login(staff["manager"])
    html = client.get(reverse("today")).content.decode()
    assert "1 person below the retention threshold" in html
