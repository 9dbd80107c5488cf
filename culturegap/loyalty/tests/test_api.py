"""Loyalty's API: the NPS over a period and the answers it counts."""

import datetime

from django.utils import timezone

from culturegap.loyalty.tests.factories import SurveyCampaignFactory, SurveyResponseFactory


def test_nps_over_the_answers_in_the_period(api, tokens, company):
    # Scores 10, 9, 7, 3: 2 promoters, 1 passive, 1 detractor of 4 → 100 × (2 − 1) / 4 = 25.
    campaign = SurveyCampaignFactory(company=company)
    for score in (10, 9, 7, 3):
        SurveyResponseFactory(campaign=campaign, score=score)
    SurveyResponseFactory(
        campaign=campaign, score=0, answered_at=timezone.now() - datetime.timedelta(days=400)
    )
    body = api(tokens["executive"]).get("/api/v1/loyalty/nps").json()
    assert body["responses"] == 4 and body["nps"] == 25.0
    assert (body["promoters"], body["passives"], body["detractors"]) == (2, 1, 1)
    answers = api(tokens["executive"]).get("/api/v1/loyalty/responses").json()
    assert answers["count"] == 5
    assert {item["category"] for item in answers["items"]} == {"promoter", "passive", "detractor"}
    assert api(tokens["crp"]).get("/api/v1/loyalty/nps").status_code == 403


def test_nps_with_a_backwards_period_is_400(api, tokens):
    response = api(tokens["admin"]).get(
        "/api/v1/loyalty/nps", {"since": "2025-06-01", "until": "2025-01-01"}
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "until"
