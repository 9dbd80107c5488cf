"""The JSON API: token authentication, the rate limit, errors, and each resource's happy path
and bad input (field named, 4xx, nothing written)."""

import datetime
import hashlib
import re

import pytest
from django.utils import timezone

from culturegap.api import auth
from culturegap.api.models import ApiToken
from culturegap.api.services import create_token, revoke_token
from culturegap.coaching.tests.factories import ObservationFactory, scorecard_with_steps
from culturegap.loyalty.tests.factories import SurveyCampaignFactory, SurveyResponseFactory
from culturegap.opportunities.models import Opportunity, OpportunityEvent
from culturegap.org.models import Customer, CustomerService
from culturegap.org.tests.factories import CustomerFactory, ServiceFactory
from culturegap.reinforcement.models import Review
from culturegap.reinforcement.tests.factories import card, make_question
from culturegap.tests.test_permissions import world  # noqa: F401 (fixture)

# --- tokens and authentication ------------------------------------------------------------------


def test_a_token_is_stored_as_its_hash_only(staff):
    created = create_token(person=staff["crp"], name="CRM sync")
    stored = ApiToken.objects.get()
    assert created.secret.startswith("cg_") and len(created.secret) > 40
    assert stored.secret_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert stored.prefix == created.secret[3:11]
    assert created.secret not in str(ApiToken.objects.values_list().get())


def test_the_token_acts_for_its_owner(api, staff, tokens):
    response = api(tokens["crp"]).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == "crp@acme.test"
    assert response.json()["roles"] == ["crp"]
    assert ApiToken.objects.get(person=staff["crp"]).last_used_at is not None


def test_a_revoked_token_is_refused(api, staff, tokens):
    token = ApiToken.objects.get(person=staff["admin"])
    assert api(tokens["admin"]).get("/api/v1/customers").status_code == 200
    revoke_token(token=token, actor=staff["admin"])
    response = api(tokens["admin"]).get("/api/v1/customers")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"].startswith("Authentication required")


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer cg_nothing", "Bearer not-ours", "Basic YWRtaW46YWRtaW4=", "Token x"],
)
def test_unknown_and_malformed_tokens_are_refused(client, tokens, header):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["errors"] == []


def test_the_token_of_someone_who_left_is_refused(api, staff, tokens):
    staff["sales"].is_active = False
    staff["sales"].save()
    assert api(tokens["sales"]).get("/api/v1/me").status_code == 401


def test_a_token_has_its_owners_roles(api, tokens):
    assert api(tokens["crp"]).get("/api/v1/people").status_code == 403
    assert api(tokens["executive"]).get("/api/v1/people").status_code == 200
    body = api(tokens["crp"]).get("/api/v1/teams").json()
    assert body == {"detail": "Your roles do not allow this operation.", "errors": []}


def test_another_companys_customer_is_not_found(api, tokens, other_company):
    theirs = CustomerFactory(company=other_company, name="Their Client")
    response = api(tokens["admin"]).get(f"/api/v1/customers/{theirs.pk}")
    assert response.status_code == 404
    assert "Their Client" not in api(tokens["admin"]).get("/api/v1/customers").content.decode()


def test_the_rate_limit_answers_429_with_retry_after(api, tokens, monkeypatch):
    monkeypatch.setattr(auth, "RATE_LIMIT_PER_MINUTE", 3)
    caller = api(tokens["admin"])
    statuses = [caller.get("/api/v1/me").status_code for _ in range(4)]
    # The window may turn over between two calls; then the fourth is the first of a new one.
    if statuses[-1] == 200:
        statuses = [caller.get("/api/v1/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429] or statuses[-1] == 429
    response = caller.get("/api/v1/me")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "Retry-After" in response.json()["detail"]
    # The limit is per token: another person's token still works.
    assert api(tokens["crp"]).get("/api/v1/me").status_code == 200


# --- errors and pagination ----------------------------------------------------------------------


def test_bad_parameters_are_400_naming_the_field(api, tokens):
    response = api(tokens["admin"]).get("/api/v1/customers", {"limit": 500, "offset": -1})
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"limit", "offset"}
    response = api(tokens["admin"]).get("/api/v1/opportunities", {"since": "yesterday"})
    assert [error["field"] for error in response.json()["errors"]] == ["since"]
    response = api(tokens["admin"]).get(
        "/api/v1/reviews", {"since": "2025-02-01", "until": "2025-01-01"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "until"


def test_a_body_that_is_not_json_is_400(client, tokens):
    response = client.post(
        "/api/v1/customers/import",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['admin']}",
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_body_too_large_is_400(client, tokens, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(
        "/api/v1/customers/import",
        '{"customers": []}' + " " * 2000,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tokens['admin']}",
    )
    assert response.status_code == 400
    assert "larger than" in response.json()["detail"]


def test_pages_count_everything_and_return_a_slice(api, tokens, company):
    for number in range(5):
        CustomerFactory(company=company, name=f"Customer {number}", external_id=f"C{number}")
    body = api(tokens["admin"]).get("/api/v1/customers", {"limit": 2, "offset": 3}).json()
    assert body["count"] == 5 and body["limit"] == 2 and body["offset"] == 3
    assert [item["name"] for item in body["items"]] == ["Customer 3", "Customer 4"]


# --- customers ----------------------------------------------------------------------------------


@pytest.fixture
def catalog(company):
    return {
        "ACC": ServiceFactory(company=company, code="ACC", name="Year-end accounts"),
        "PAY": ServiceFactory(company=company, code="PAY", name="Payroll"),
    }


def _customer(external_id, **fields):
    return {
        "external_id": external_id,
        "name": f"Customer {external_id}",
        "sales_owner_email": "sales@acme.test",
        "services": ["ACC"],
        "since": "2024-01-15",
    } | fields


def test_import_creates_then_changes_nothing(api, tokens, catalog):
    body = {"customers": [_customer("A1"), _customer("A2", services=["acc", "PAY"])]}
    response = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert CustomerService.objects.filter(customer__external_id="A2").count() == 2
    again = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 2}
    listed = api(tokens["admin"]).get("/api/v1/customers", {"search": "A2"}).json()["items"]
    assert listed[0]["services"] == ["ACC", "PAY"]
    assert listed[0]["sales_owner_email"] == "sales@acme.test"


def test_import_with_a_bad_item_writes_nothing_and_names_it(api, tokens, catalog):
    body = {
        "customers": [
            _customer("B1"),
            _customer("B2", services=["NOPE"]),
            _customer("B3", sales_owner_email="crp@acme.test"),
        ]
    }
    response = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert set(errors) == {"customers.1.services", "customers.2.sales_owner_email"}
    assert "NOPE" in errors["customers.1.services"]
    assert "salesperson" in errors["customers.2.sales_owner_email"]
    assert not Customer.objects.exists()


def test_import_repeats_name_the_item_not_a_csv_line(api, tokens, catalog):
    body = {"customers": [_customer("D1"), _customer("D1")]}
    response = api(tokens["admin"]).post("/api/v1/customers/import", body)
    assert response.json()["errors"] == [
        {"field": "customers.1.external_id", "message": "D1 is also on item 0"}
    ]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"since": "15/01/2024"}, "customers.0.since"),
        ({"name": "Two\nlines"}, "customers.0.name"),
        ({"name": "nul\x00"}, "customers.0.name"),
        ({"services": "ACC"}, "customers.0.services"),
        ({"services": ["A;B"]}, "customers.0.services"),
        ({"since": "2999-01-01"}, "customers.0.since"),
    ],
)
def test_import_refuses_malformed_items(api, tokens, catalog, fields, field):
    response = api(tokens["admin"]).post(
        "/api/v1/customers/import", {"customers": [_customer("E1", **fields)]}
    )
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}
    assert not Customer.objects.exists()


def test_create_then_update_a_customer(api, tokens, catalog):
    created = api(tokens["admin"]).post("/api/v1/customers", _customer("F1"))
    assert created.status_code == 201
    assert created.json()["services"] == ["ACC"]
    again = api(tokens["admin"]).post("/api/v1/customers", _customer("F1"))
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "external_id"
    pk = created.json()["id"]
    updated = api(tokens["admin"]).put(
        f"/api/v1/customers/{pk}",
        {"name": "F One", "services": ["PAY"], "since": "2024-01-15"},
    )
    assert updated.status_code == 200
    assert updated.json()["name"] == "F One" and updated.json()["services"] == ["PAY"]
    assert updated.json()["sales_owner_id"] is None


def test_a_bad_update_changes_nothing(api, tokens, catalog):
    pk = api(tokens["admin"]).post("/api/v1/customers", _customer("G1")).json()["id"]
    response = api(tokens["admin"]).put(
        f"/api/v1/customers/{pk}",
        {"name": "", "sales_owner_email": "nobody@acme.test", "since": "2024-01-15"},
    )
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"name", "sales_owner_email"}
    assert Customer.objects.get(pk=pk).name == "Customer G1"


# --- opportunities ------------------------------------------------------------------------------


@pytest.fixture
def customer(company, staff, catalog):
    return CustomerFactory(company=company, name="Zephyr Joinery", sales_owner=staff["sales"])


def test_a_crp_records_a_need_for_the_sales_owner(api, tokens, staff, customer, catalog):
    response = api(tokens["crp"]).post(
        "/api/v1/opportunities",
        {
            "customer_id": customer.pk,
            "service_id": catalog["PAY"].pk,
            "need": "Payroll help",
            "channel": "phone",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner_id"] == staff["sales"].pk and body["found_by_id"] == staff["crp"].pk
    assert body["status"] == "new" and body["source"] == "crp"
    assert OpportunityEvent.objects.filter(opportunity_id=body["id"]).count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"need": ""}, "need"),
        ({"customer_id": 10**9}, "customer_id"),
        ({"service_id": 10**9}, "service_id"),
        ({"customer_id": "x"}, "customer_id"),
    ],
)
def test_recording_a_bad_need_names_the_field(api, tokens, customer, fields, field):
    body = {"customer_id": customer.pk, "need": "Payroll", "channel": "phone"} | fields
    response = api(tokens["crp"]).post("/api/v1/opportunities", body)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not Opportunity.objects.exists()


def test_the_owner_moves_an_opportunity_through_the_pipeline(api, tokens, customer):
    pk = (
        api(tokens["crp"])
        .post(
            "/api/v1/opportunities",
            {"customer_id": customer.pk, "need": "Audit", "channel": "email"},
        )
        .json()["id"]
    )
    move = f"/api/v1/opportunities/{pk}/move"
    assert api(tokens["sales"]).post(move, {"to_status": "contacted"}).status_code == 200
    refused = api(tokens["sales"]).post(move, {"to_status": "won"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "value"
    assert Opportunity.objects.get(pk=pk).status == "contacted"
    won = api(tokens["sales"]).post(move, {"to_status": "won", "value": "12000.50"})
    assert won.status_code == 200
    assert won.json()["status"] == "won" and won.json()["value"] == 12000.5
    final = api(tokens["sales"]).post(move, {"to_status": "lost", "reason": "changed mind"})
    assert final.status_code == 400 and final.json()["errors"][0]["field"] == "to_status"


def test_values_that_cannot_be_stored_are_refused(api, tokens, customer):
    pk = (
        api(tokens["crp"])
        .post(
            "/api/v1/opportunities",
            {"customer_id": customer.pk, "need": "Audit", "channel": "email"},
        )
        .json()["id"]
    )
    api(tokens["sales"]).post(f"/api/v1/opportunities/{pk}/move", {"to_status": "contacted"})
    for value in ["0.001", "-5", "1e20", "NaN"]:
        response = api(tokens["sales"]).post(
            f"/api/v1/opportunities/{pk}/move", {"to_status": "won", "value": value}
        )
        assert response.status_code == 400, value
        assert response.json()["errors"][0]["field"] == "value"
    assert Opportunity.objects.get(pk=pk).status == "contacted"


def test_a_salesperson_takes_from_the_queue_once(api, tokens, staff, company, catalog):
    queue_customer = CustomerFactory(company=company, sales_owner=None)
    pk = (
        api(tokens["crp"])
        .post(
            "/api/v1/opportunities",
            {"customer_id": queue_customer.pk, "need": "Tax", "channel": "chat"},
        )
        .json()["id"]
    )
    taken = api(tokens["sales"]).post(f"/api/v1/opportunities/{pk}/take")
    assert taken.status_code == 200 and taken.json()["owner_id"] == staff["sales"].pk
    again = api(tokens["sales"]).post(f"/api/v1/opportunities/{pk}/take")
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "owner"


def test_opportunities_filter_by_day_recorded(api, tokens, company, customer, staff):
    old = Opportunity.objects.create(
        company=company,
        customer=customer,
        need="Old",
        channel="phone",
        found_by=staff["crp"],
        owner=staff["sales"],
        created_at=timezone.now() - datetime.timedelta(days=40),
    )
    new = Opportunity.objects.create(
        company=company,
        customer=customer,
        need="New",
        channel="phone",
        found_by=staff["crp"],
        owner=staff["sales"],
    )
    since = (timezone.now() - datetime.timedelta(days=10)).date().isoformat()
    body = api(tokens["admin"]).get("/api/v1/opportunities", {"since": since}).json()
    assert [item["id"] for item in body["items"]] == [new.pk]
    body = api(tokens["admin"]).get("/api/v1/opportunities", {"until": since}).json()
    assert [item["id"] for item in body["items"]] == [old.pk]


# --- loyalty ------------------------------------------------------------------------------------


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


# --- training, reinforcement, coaching ----------------------------------------------------------


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


# --- documentation ------------------------------------------------------------------------------


def test_the_docs_work_without_internet(client):
    page = client.get("/api/v1/docs")
    html = page.content.decode()
    assert page.status_code == 200
    # Every script, stylesheet and icon comes from this site.
    assert "cdn" not in html.lower()
    assert all(url.startswith("/") for url in re.findall(r'(?:src|href)="([^"]*)"', html))
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"/api/v1/docs/assets/{asset}" in html
        response = client.get(f"/api/v1/docs/assets/{asset}")
        assert response.status_code == 200 and b"".join(response.streaming_content)
    assert client.get("/api/v1/docs/assets/..%2Fsettings.py").status_code == 404
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


# --- culture survey and dashboard ---------------------------------------------------------------


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
