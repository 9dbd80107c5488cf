"""Fixtures of the API tests, the API's own and each feature's (the project's conftest registers
them): a token per role, and a client that sends it. The project's conftest also empties the
cache before each test, so no request counts against a token's rate limit from an earlier one."""

import pytest

from culturegap.api.services import create_token


@pytest.fixture
def tokens(staff):
    """role → the secret of a token of the person with that role."""
    return {
        role: create_token(person=person, name=f"{role} script").secret
        for role, person in staff.items()
    }


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api(client):
    """``api(role_or_secret).get(path, ...)``: the Django test client with the token sent."""

    class Caller:
        def __init__(self, secret):
            self.headers = bearer(secret)

        def get(self, path, data=None):
            return client.get(path, data, **self.headers)

        def post(self, path, json=None):
            return client.post(path, json, content_type="application/json", **self.headers)

        def put(self, path, json=None):
            return client.put(path, json, content_type="application/json", **self.headers)

    return Caller
