"""The API's permission matrix, generated from the operations the API registers (so a new
endpoint without an entry in ``OPERATIONS`` fails ``test_every_operation_has_a_target``):
anonymous callers get 401; each role's token gets the expected status (the roles of ``allow``
→ the target's success status, others 403, unless the target says otherwise); another
company's tokens get 404 for our objects and find none of our data in lists."""

import datetime
import json
from dataclasses import dataclass, field

import pytest

from culturegap.api.api import api
from culturegap.api.services import create_token
from culturegap.culture.models import Wave
from culturegap.opportunities.models import Opportunity
from culturegap.org.models import Role
from culturegap.tests.test_permissions import SECRETS, outsiders, world  # noqa: F401

NEW_CUSTOMER = {
    "external_id": "API-9",
    "name": "Brightwater Dental",
    "sales_owner_email": "sales@acme.test",
    "services": ["ACC"],
    "since": "2024-02-01",
}


@dataclass
class ApiTarget:
    """How to call one operation with the ``world`` fixture's objects, and which statuses
    differ from the rule (allowed role → ``ok``, other role → 403)."""

    path: object = None  # callable(world) -> dict of path parameters
    body: object = None  # callable(world) -> JSON body
    ok: int = 200
    expect: dict[str, int] = field(default_factory=dict)


OPERATIONS: dict[str, ApiTarget] = {
    "GET /me": ApiTarget(),
    "GET /teams": ApiTarget(),
    "GET /teams/{team_id}": ApiTarget(path=lambda w: {"team_id": w["staff"]["crp"].team_id}),
    "GET /people": ApiTarget(),
    # Salespeople see only themselves; a CRP is looked at here.
    "GET /people/{person_id}": ApiTarget(
        path=lambda w: {"person_id": w["staff"]["crp"].pk}, expect={Role.SALES: 404}
    ),
    "GET /services": ApiTarget(),
    "GET /services/{service_id}": ApiTarget(path=lambda w: {"service_id": w["service"].pk}),
    "GET /customers": ApiTarget(),
    "GET /customers/{customer_id}": ApiTarget(path=lambda w: {"customer_id": w["customer"].pk}),
    "POST /customers": ApiTarget(body=lambda w: NEW_CUSTOMER, ok=201),
    "PUT /customers/{customer_id}": ApiTarget(
        path=lambda w: {"customer_id": w["customer"].pk},
        body=lambda w: {"name": "Zephyr Joinery Ltd", "services": ["ACC"], "since": "2023-01-01"},
    ),
    "POST /customers/import": ApiTarget(body=lambda w: {"customers": [NEW_CUSTOMER]}),
    "GET /curricula": ApiTarget(),
    "GET /curricula/{curriculum_id}": ApiTarget(
        path=lambda w: {"curriculum_id": w["curriculum"].pk}
    ),
    "GET /enrollments": ApiTarget(),
    # The CRP's enrollment: theirs, their manager's line, the whole company's for executives
    # and admins; not the salesperson's.
    "GET /enrollments/{enrollment_id}": ApiTarget(
        path=lambda w: {"enrollment_id": w["certified"].pk}, expect={Role.SALES: 404}
    ),
    "GET /reviews": ApiTarget(),
    "GET /observations": ApiTarget(),
    "GET /observations/{observation_id}": ApiTarget(
        path=lambda w: {"observation_id": w["observation"].pk}, expect={Role.SALES: 404}
    ),
    "GET /opportunities": ApiTarget(),
    "GET /opportunities/{opportunity_id}": ApiTarget(
        path=lambda w: {"opportunity_id": w["opportunity"].pk}
    ),
    "POST /opportunities": ApiTarget(
        body=lambda w: {"customer_id": w["customer"].pk, "need": "Payroll", "channel": "phone"},
        ok=201,
    ),
    "POST /opportunities/{opportunity_id}/move": ApiTarget(
        path=lambda w: {"opportunity_id": w["opportunity"].pk},
        body=lambda w: {"to_status": "contacted"},
    ),
    "POST /opportunities/{opportunity_id}/take": ApiTarget(
        path=lambda w: {"opportunity_id": w["queued_opportunity"].pk}
    ),
    "GET /loyalty/responses": ApiTarget(),
    "GET /loyalty/nps": ApiTarget(),
    "GET /culture/waves": ApiTarget(),
    "GET /culture/waves/{wave_id}/teams": ApiTarget(path=lambda w: {"wave_id": w["api_wave"].pk}),
    "GET /dashboard": ApiTarget(),
    "GET /dashboard/impact": ApiTarget(),
}


def registered_operations() -> dict[str, object]:
    """``"METHOD /path"`` → the view function, for every operation of the API."""
    found = {}
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found[f"{method} {path}"] = operation.view_func
    return found


@pytest.fixture
def api_world(world):  # noqa: F811
    queued = Opportunity.objects.create(
        company=world["company"],
        customer=world["customer"],
        need="Wants a quote for audits",
        channel="email",
        found_by=world["staff"]["crp"],
        found_by_team=world["staff"]["crp"].team,
        owner=None,
    )
    wave = Wave.objects.create(
        company=world["company"],
        name="Spring survey",
        opened_on=datetime.date(2025, 3, 1),
        closed_on=datetime.date(2025, 3, 31),
    )
    return world | {"queued_opportunity": queued, "api_wave": wave}


def _call(client, name: str, objects, secret: str | None):
    target = OPERATIONS[name]
    method, path = name.split(" ", 1)
    if target.path:
        path = path.format(**target.path(objects))
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    url = "/api/v1" + path
    if method == "GET":
        return client.get(url, **headers)
    body = json.dumps(target.body(objects)) if target.body else ""
    call = getattr(client, method.lower())
    return call(url, body, content_type="application/json", **headers)


def test_every_operation_has_a_target():
    assert sorted(set(registered_operations()) - set(OPERATIONS)) == []
    assert sorted(set(OPERATIONS) - set(registered_operations())) == []


def test_every_operation_declares_its_roles():
    undeclared = [
        name
        for name, view in registered_operations().items()
        if not getattr(view, "allowed_roles", None)
    ]
    assert undeclared == []


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_anonymous_callers_get_401(client, api_world, name):
    response = _call(client, name, api_world, None)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_each_role_token_in_its_own_company(client, api_world, name, role):
    secret = create_token(person=api_world["staff"][role], name="matrix").secret
    response = _call(client, name, api_world, secret)
    allowed = role in registered_operations()[name].allowed_roles
    target = OPERATIONS[name]
    expected = target.expect.get(role, target.ok if allowed else 403)
    assert response.status_code == expected, f"{role} on {name}: {response.content[:300]}"
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name", sorted(n for n in OPERATIONS if OPERATIONS[n].path))
def test_another_company_never_reaches_our_objects(client, api_world, outsiders, name, role):  # noqa: F811
    secret = create_token(person=outsiders[role], name="matrix").secret
    response = _call(client, name, api_world, secret)
    allowed = role in registered_operations()[name].allowed_roles
    assert response.status_code == (404 if allowed else 403), response.content[:300]


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name", sorted(n for n in OPERATIONS if not OPERATIONS[n].path))
def test_another_company_finds_none_of_our_data(client, api_world, outsiders, name, role):  # noqa: F811
    secret = create_token(person=outsiders[role], name="matrix").secret
    response = _call(client, name, api_world, secret)
    body = response.content.decode()
    for secret_text in SECRETS:
        assert secret_text not in body, f"{secret_text} leaked to {role} of another company"
    if name.startswith("GET ") and response.status_code == 200 and "items" in response.json():
        # The other company has its own teams and people; it has no customer data at all.
        if name not in {"GET /teams", "GET /people"}:
            assert response.json()["count"] == 0, f"{role} of another company on {name}"
