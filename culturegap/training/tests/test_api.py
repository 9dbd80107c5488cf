"""Training's API: curricula and people's progress through them."""

from culturegap.tests.test_permissions import world  # noqa: F401 (fixture)


def test_enrollments_show_progress(api, tokens, world):  # noqa: F811
    body = api(tokens["manager"]).get("/api/v1/enrollments").json()
    # The manager sees their own and their CRP's, not the salesperson's.
    people = {item["person_id"] for item in body["items"]}
    assert people == {world["staff"]["manager"].pk, world["staff"]["crp"].pk}
    crp = next(i for i in body["items"] if i["person_id"] == world["staff"]["crp"].pk)
    assert (crp["lessons_done"], crp["lessons_total"], crp["percent"]) == (1, 1, 100)
    assert crp["status"] == "completed" and crp["certified_at"]
    curricula = api(tokens["admin"]).get("/api/v1/curricula").json()["items"]
    assert curricula[0]["title"] == "Client Service basics" and curricula[0]["enrolled"] == 5
