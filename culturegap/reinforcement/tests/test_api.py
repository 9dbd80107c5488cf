"""Reinforcement's API: the reviews of the people one may see."""

import datetime

from django.utils import timezone

from culturegap.reinforcement.models import Review
from culturegap.reinforcement.tests.factories import card, make_question


def test_reviews_of_the_people_one_may_see(api, tokens, staff):
    question = make_question(staff["crp"].company)
    now = timezone.now()
    made = card(staff["crp"], question, due=now)
    Review.objects.create(
        company=staff["crp"].company,
        card=made,
        person=staff["crp"],
        rating=3,
        correct=True,
        answered_at=now,
        scheduled_due_after=now + datetime.timedelta(days=3),
        stability_after=3.0,
        difficulty_after=5.0,
    )
    mine = api(tokens["crp"]).get("/api/v1/reviews").json()
    assert mine["count"] == 1 and mine["items"][0]["skill"] == "discover"
    assert api(tokens["sales"]).get("/api/v1/reviews").json()["count"] == 0
    tomorrow = (timezone.now() + datetime.timedelta(days=2)).date().isoformat()
    assert api(tokens["crp"]).get("/api/v1/reviews", {"since": tomorrow}).json()["count"] == 0
