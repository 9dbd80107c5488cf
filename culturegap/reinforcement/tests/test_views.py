"""The drill page (htmx and plain form), retention pages, holds, e-mail choices, settings."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from culturegap.org.tests.factories import PersonFactory, TeamFactory
from culturegap.reinforcement.models import (
    Card,
    NudgePreference,
    ReinforcementSettings,
    Review,
    VacationHold,
)
from culturegap.reinforcement.tests.factories import card, make_question
from culturegap.training.models import Answer

DRILL = reverse("reinforcement:drill")
ANSWER = reverse("reinforcement:answer")


@pytest.fixture
def crp(staff):
    return staff["crp"]


@pytest.fixture
def due_cards(crp):
    """Three due cards in two skills."""
    now = timezone.now()
    return [
        card(
            crp, make_question(crp.company, skill=skill), due=now - datetime.timedelta(hours=n + 1)
        )
        for n, skill in enumerate(("open", "discover", "open"))
    ]


def token_of(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def option_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="option" value="(\d+)"', html)]


def shown_card(html: str, cards) -> Card:
    options = set(option_ids(html))
    return next(c for c in cards if options == set(c.question.options.values_list("pk", flat=True)))


def test_the_drill_shows_one_question_with_its_options(client, crp, due_cards):
    client.force_login(crp)
    response = client.get(DRILL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Question 1 of 3" in html and "about 1 minute" in html
    assert "I&#x27;m sure" in html or "I'm sure" in html
    shown = shown_card(html, due_cards)
    assert shown.question.scenario in html


def test_answering_wrong_with_htmx_shows_the_feedback_and_the_card_comes_back_tomorrow(
    client, crp, due_cards
):
    client.force_login(crp)
    html = client.get(DRILL).content.decode()
    shown = shown_card(html, due_cards)
    wrong = shown.question.options.filter(is_correct=False).first()
    response = client.post(
        ANSWER,
        {"token": token_of(html), "option": wrong.pk, "confidence": "sure"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # a partial for htmx
    assert "Not quite" in body and wrong.feedback in body
    assert "comes back tomorrow" in body
    assert "A better answer" in body
    review = Review.objects.get()
    assert review.rating == 1 and review.confident is True and review.response_ms is not None
    assert Answer.objects.get().context == "drill"


def test_without_javascript_the_answer_posts_and_renders_the_whole_page(client, crp, due_cards):
    client.force_login(crp)
    html = client.get(DRILL).content.decode()
    shown = shown_card(html, due_cards)
    right = shown.question.options.get(is_correct=True)
    response = client.post(
        ANSWER, {"token": token_of(html), "option": right.pk, "confidence": "guess"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" in body
    assert "Right" in body and right.feedback in body
    assert Review.objects.get().rating == 2  # right but guessed → Hard


def test_a_double_submit_records_one_review_and_shows_the_same_feedback(client, crp, due_cards):
    client.force_login(crp)
    html = client.get(DRILL).content.decode()
    shown = shown_card(html, due_cards)
    right = shown.question.options.get(is_correct=True)
    data = {"token": token_of(html), "option": right.pk}
    first = client.post(ANSWER, data, HTTP_HX_REQUEST="true")
    second = client.post(ANSWER, data, HTTP_HX_REQUEST="true")
    assert first.status_code == second.status_code == 200
    assert Review.objects.count() == 1 and Answer.objects.count() == 1
    assert "Right" in second.content.decode()


def test_a_whole_drill_then_done_for_today(client, crp, due_cards):
    client.force_login(crp)
    for _ in due_cards:
        html = client.get(DRILL).content.decode()
        shown = shown_card(html, due_cards)
        right = shown.question.options.get(is_correct=True)
        client.post(ANSWER, {"token": token_of(html), "option": right.pk})
    html = client.get(DRILL).content.decode()
    assert "Done for today" in html and "got 3 right" in html
    assert "1 day" in html  # the streak
    assert Review.objects.count() == 3


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"token": "forged", "option": "1"},
        {"token": "", "option": "abc"},
    ],
)
def test_bad_answers_are_a_400_not_a_500(client, crp, due_cards, data):
    client.force_login(crp)
    response = client.post(ANSWER, data)
    assert response.status_code == 400
    assert Review.objects.count() == 0


def test_an_answer_without_an_option_shows_the_question_again(client, crp, due_cards):
    client.force_login(crp)
    html = client.get(DRILL).content.decode()
    response = client.post(ANSWER, {"token": token_of(html)})
    body = response.content.decode()
    assert response.status_code == 400 and "Choose one of the answers." in body
    assert "Check my answer" in body


def test_an_option_of_another_question_is_refused(client, crp, due_cards):
    client.force_login(crp)
    html = client.get(DRILL).content.decode()
    shown = shown_card(html, due_cards)
    other = next(c for c in due_cards if c != shown).question.options.first()
    response = client.post(ANSWER, {"token": token_of(html), "option": other.pk})
    assert response.status_code == 400
    assert Review.objects.count() == 0


def test_a_token_from_someone_elses_drill_is_a_404(client, crp, staff, due_cards):
    client.force_login(crp)
    html = client.get(DRILL).content.decode()
    client.force_login(staff["manager"])
    shown = shown_card(html, due_cards)
    response = client.post(
        ANSWER, {"token": token_of(html), "option": shown.question.options.first().pk}
    )
    assert response.status_code == 404
    assert Review.objects.count() == 0


def test_nothing_due(client, crp):
    client.force_login(crp)
    assert "Nothing due right now" in client.get(DRILL).content.decode()


def test_my_retention_page_shows_skills_and_charts(client, crp, due_cards):
    client.force_login(crp)
    response = client.get(reverse("reinforcement:retention"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "My retention" in html and "Open" in html and "Discover" in html
    assert 'data-figure="' in html and "plotly.min.js" in html


def test_a_crp_cannot_see_anyone_elses_retention(client, crp, staff):
    client.force_login(crp)
    url = reverse("reinforcement:person_retention", args=[staff["manager"].pk])
    assert client.get(url).status_code == 404


def test_a_manager_sees_their_reporting_line_only(client, company, staff, due_cards):
    elsewhere = TeamFactory(company=company, name="Tax advice", kind="professional")
    stranger = PersonFactory(company=company, team=elsewhere, name="Tara Tax")
    manager = staff["manager"]
    client.force_login(manager)
    assert (
        client.get(reverse("reinforcement:person_retention", args=[staff["crp"].pk])).status_code
        == 200
    )
    assert (
        client.get(reverse("reinforcement:person_retention", args=[stranger.pk])).status_code == 404
    )
    assert client.get(reverse("reinforcement:team_detail", args=[elsewhere.pk])).status_code == 404
    listing = client.get(reverse("reinforcement:team_list")).content.decode()
    # A team name a random CSRF token cannot contain (it has a space).
    assert "Client Service" in listing and "Tax advice" not in listing
    team = client.get(reverse("reinforcement:team_detail", args=[staff["crp"].team_id]))
    assert "Cara CRP" in team.content.decode() and 'data-figure="' in team.content.decode()


def test_an_executive_sees_any_team(client, company, staff):
    elsewhere = TeamFactory(company=company, name="Tax advice", kind="professional")
    client.force_login(staff["executive"])
    assert client.get(reverse("reinforcement:team_detail", args=[elsewhere.pk])).status_code == 200


def test_another_companys_team_is_a_404(client, staff, other_company):
    theirs = TeamFactory(company=other_company, name="Theirs")
    client.force_login(staff["executive"])
    assert client.get(reverse("reinforcement:team_detail", args=[theirs.pk])).status_code == 404


def test_setting_and_ending_a_hold(client, crp, due_cards):
    client.force_login(crp)
    url = reverse("reinforcement:preferences")
    today = timezone.localdate()
    data = {
        "action": "hold",
        "hold-starts_on": today.isoformat(),
        "hold-ends_on": (today + datetime.timedelta(days=6)).isoformat(),
    }
    assert client.post(url, data).status_code == 302
    assert VacationHold.objects.filter(person=crp).count() == 1
    assert "You are away" in client.get(DRILL).content.decode()
    assert client.post(url, {"action": "cancel_hold"}).status_code == 302
    assert "Question 1 of 3" in client.get(DRILL).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "hold", "hold-starts_on": "2020-01-01", "hold-ends_on": "2020-01-05"},
        {"action": "hold", "hold-starts_on": "not a date", "hold-ends_on": ""},
        {"action": "something-else"},
    ],
)
def test_bad_hold_input_is_a_400(client, crp, data):
    client.force_login(crp)
    assert client.post(reverse("reinforcement:preferences"), data).status_code == 400
    assert VacationHold.objects.count() == 0


def test_opting_out_of_the_digest(client, crp):
    client.force_login(crp)
    response = client.post(reverse("reinforcement:preferences"), {"action": "mail"})
    assert response.status_code == 302
    preference = NudgePreference.objects.get(person=crp)
    assert not preference.daily_digest


def test_an_admin_changes_the_drill_size_and_bad_values_are_refused(client, staff):
    client.force_login(staff["admin"])
    url = reverse("reinforcement:settings")
    good = {"drill_size": 7, "desired_retention": 0.85, "alert_threshold": 0.6, "digest_hour": 7}
    assert client.post(url, good).status_code == 302
    saved = ReinforcementSettings.objects.get(company=staff["admin"].company)
    assert (saved.drill_size, saved.digest_hour) == (7, 7)
    bad = good | {"drill_size": 9}
    assert client.post(url, bad).status_code == 400
    assert client.post(url, good | {"desired_retention": "x"}).status_code == 400
    saved.refresh_from_db()
    assert saved.drill_size == 7


def test_the_django_admin_lists_open_for_platform_staff(client, crp, due_cards):
    operator = PersonFactory(
        company=None, team=None, email="ops@platform.test", is_staff=True, is_superuser=True
    )
    client.force_login(operator)
    for model in ("reinforcementsettings", "card", "drill", "vacationhold", "nudge"):
        assert client.get(f"/django-admin/reinforcement/{model}/").status_code == 200
    assert (
        client.get(f"/django-admin/reinforcement/card/{due_cards[0].pk}/change/").status_code == 200
    )
