"""The page matrix's targets for the API token pages. The JSON API itself (namespace "api") has
its own matrix, generated from the API's operations: culturegap/api/tests/test_api_matrix.py."""

from culturegap.api.services import create_token
from culturegap.org.models import Role
from culturegap.tests.matrix import Target

SKIPPED_NAMESPACES = {"api"}

TARGETS = {
    "tokens:list": Target(),
    # Revoking is a POST; a GET goes back to the list. Only the token's owner finds it.
    "tokens:revoke": Target(
        kwargs=lambda w: {"pk": w["crp_token"].pk},
        expect={role: 404 for role in Role.values} | {Role.CRP: 302},
    ),
}

SECRETS = ["Cara's CRM sync"]


def extend_world(world) -> dict:
    return {"crp_token": create_token(person=world["staff"]["crp"], name="Cara's CRM sync").token}
