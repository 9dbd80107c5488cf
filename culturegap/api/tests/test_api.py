"""The JSON API as a whole: token authentication, the rate limit, errors, pagination and the docs
(each feature's operations are tested in its own tests/test_api.py)."""

import hashlib
import re

import pytest

from culturegap.api import auth
from culturegap.api.models import ApiToken
from culturegap.api.services import create_token, revoke_token
from culturegap.org.tests.factories import CustomerFactory

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
