"""The API token pages: create (shown once), list, revoke."""

from django.urls import reverse

from culturegap.api.models import ApiToken
from culturegap.api.services import MAX_ACTIVE_TOKENS, create_token


def test_a_new_token_is_shown_once(client, staff):
    client.force_login(staff["crp"])
    response = client.post(reverse("tokens:list"), {"name": "CRM sync"})
    assert response.status_code == 201
    secret = response.context["created"].secret
    assert secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    listing = client.get(reverse("tokens:list")).content.decode()
    assert "CRM sync" in listing and secret not in listing
    token = ApiToken.objects.get()
    assert f"cg_{token.prefix}" in listing
    # The secret opens the API as its owner.
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.json()["email"] == "crp@acme.test"


def test_a_token_needs_a_name(client, staff):
    client.force_login(staff["crp"])
    response = client.post(reverse("tokens:list"), {"name": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_tokens_are_capped_per_person(client, staff):
    for number in range(MAX_ACTIVE_TOKENS):
        create_token(person=staff["crp"], name=f"script {number}")
    client.force_login(staff["crp"])
    response = client.post(reverse("tokens:list"), {"name": "one more"})
    assert response.status_code == 400
    assert "revoke one" in response.content.decode()
    assert ApiToken.objects.count() == MAX_ACTIVE_TOKENS


def test_revoking_stops_the_token(client, staff):
    created = create_token(person=staff["sales"], name="Quotes")
    client.force_login(staff["sales"])
    response = client.post(reverse("tokens:revoke", args=[created.token.pk]))
    assert response.status_code == 302
    created.token.refresh_from_db()
    assert created.token.revoked_at is not None
    assert "revoked" in client.get(reverse("tokens:list")).content.decode()
    api = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    assert api.status_code == 401


def test_nobody_revokes_someone_elses_token(client, staff):
    created = create_token(person=staff["sales"], name="Quotes")
    client.force_login(staff["admin"])
    response = client.post(reverse("tokens:revoke", args=[created.token.pk]))
    assert response.status_code == 404
    created.token.refresh_from_db()
    assert created.token.revoked_at is None
