"""The executive dashboard's API: its figures, and bad filters."""

from culturegap.tests.test_permissions import world  # noqa: F401 (fixture)


def test_dashboard_figures(api, tokens, world):  # noqa: F811
    body = api(tokens["executive"]).get("/api/v1/dashboard", {"period": "24m"}).json()
    assert body["period"] == "24m" and body["team_id"] is None
    assert body["training"]["enrolled"] == 5 and body["training"]["certified"] == 1
    assert body["opportunities"]["found"] == 1
    assert body["loyalty"]["responses"] == 1 and body["loyalty"]["nps"] == 100.0
    assert {table["key"] for table in body["tables"]} == {
        "culture_gap",
        "training_by_team",
        "opportunities_by_team",
        "nps_trend",
        "loyalty_by_team",
    }
    team = world["staff"]["crp"].team_id
    narrowed = api(tokens["manager"]).get("/api/v1/dashboard", {"team": team}).json()
    assert narrowed["team_id"] == team


def test_dashboard_bad_filters(api, tokens, other_company):
    from culturegap.org.tests.factories import TeamFactory

    response = api(tokens["executive"]).get("/api/v1/dashboard", {"period": "7y"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "period"
    theirs = TeamFactory(company=other_company, name="Their team")
    response = api(tokens["executive"]).get("/api/v1/dashboard", {"team": theirs.pk})
    assert response.status_code == 404
