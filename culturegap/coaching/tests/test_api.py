"""Coaching's API: observations with their ratings."""

from culturegap.coaching.tests.factories import ObservationFactory, scorecard_with_steps


def test_observations_with_their_ratings(api, tokens, staff):
    observation = ObservationFactory(
        person=staff["crp"],
        scorecard=scorecard_with_steps(staff["crp"].company),
        ratings={"open": 3},
    )
    body = api(tokens["manager"]).get(f"/api/v1/observations/{observation.pk}").json()
    assert body["person_id"] == staff["crp"].pk
    assert {"skill": "open", "rating": 3} in [
        {"skill": r["skill"], "rating": r["rating"]} for r in body["ratings"]
    ]
    assert api(tokens["sales"]).get(f"/api/v1/observations/{observation.pk}").status_code == 404
