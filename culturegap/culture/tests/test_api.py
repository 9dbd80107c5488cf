"""The culture survey's API: the gap per wave and team scores, small teams kept hidden."""


def test_culture_gap_and_team_scores_keep_small_teams_hidden(api, tokens, staff, company):
    from culturegap.culture.tests.factories import add_answers, make_wave
    from culturegap.org.tests.factories import TeamFactory

    wave = make_wave(company)
    sales_team, service_team = staff["sales"].team, staff["crp"].team
    # Sales: five answers of vision 4 → mean 4; service: five of vision 2 → mean 2; gap 2.
    add_answers(wave, sales_team, [(4, 3, 3)] * 5)
    add_answers(wave, service_team, [(2, 3, 4)] * 5)
    # Two answers only: never shown, never counted.
    add_answers(wave, TeamFactory(company=company, name="Tiny", kind="support"), [(1, 1, 1)] * 2)

    waves = api(tokens["executive"]).get("/api/v1/culture/waves").json()
    assert waves["count"] == 1
    gap = waves["items"][0]
    assert gap["respondents"] == 10
    assert gap["sales_mean"]["vision"] == 4.0 and gap["crp_mean"]["vision"] == 2.0
    assert gap["gap"] == {"vision": 2.0, "strategy": 0.0, "behaviours": 1.0}

    teams = api(tokens["executive"]).get(f"/api/v1/culture/waves/{wave.pk}/teams").json()
    by_name = {team["team_name"]: team for team in teams["items"]}
    assert by_name["Tiny"]["shown"] is False and by_name["Tiny"]["means"] is None
    assert by_name["Client Service"]["means"]["behaviours"] == 4.0
    # A manager sees their own team only; a CRP no results at all.
    managed = api(tokens["manager"]).get(f"/api/v1/culture/waves/{wave.pk}/teams").json()
    assert [team["team_name"] for team in managed["items"]] == ["Client Service"]
    assert api(tokens["crp"]).get("/api/v1/culture/waves").status_code == 403


def test_another_companys_wave_is_not_found(api, tokens, other_company):
    from culturegap.culture.tests.factories import make_wave

    theirs = make_wave(other_company)
    response = api(tokens["executive"]).get(f"/api/v1/culture/waves/{theirs.pk}/teams")
    assert response.status_code == 404
