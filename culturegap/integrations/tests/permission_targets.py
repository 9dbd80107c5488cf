"""Permission-matrix targets of the integrations pages (culturegap/tests/test_permissions.py)."""

from culturegap.integrations.models import LrsEndpoint, WebhookDelivery, WebhookEndpoint
from culturegap.org.models import Role
from culturegap.tests.matrix import Target

EXPORT_ROLES = (Role.ADMIN, Role.EXECUTIVE, Role.MANAGER)

TARGETS = {
    "integrations:home": Target(),
    "integrations:export_list": Target(),
    # Without ?table= the download answers 400 naming the tables.
    "integrations:export_table": Target(expect=dict.fromkeys(EXPORT_ROLES, 400)),
    "integrations:import_purchases": Target(),
    "integrations:webhook_list": Target(),
    "integrations:webhook_edit": Target(kwargs=lambda w: {"pk": w["webhook_endpoint"].pk}),
    # Actions are POSTs; a GET by a program admin goes back to the page they are on.
    "integrations:webhook_secret": Target(
        kwargs=lambda w: {"pk": w["webhook_endpoint"].pk}, expect={Role.ADMIN: 302}
    ),
    "integrations:webhook_delete": Target(
        kwargs=lambda w: {"pk": w["webhook_endpoint"].pk}, expect={Role.ADMIN: 302}
    ),
    "integrations:delivery_list": Target(),
    "integrations:redeliver": Target(
        kwargs=lambda w: {"pk": w["webhook_delivery"].pk}, expect={Role.ADMIN: 302}
    ),
    "integrations:xapi": Target(),
    "integrations:xapi_send": Target(expect={Role.ADMIN: 405}),
    "integrations:xapi_export": Target(expect={Role.ADMIN: 405}),
}

SECRETS = ["hooks.zephyr-crm.example", "lrs.zephyr-learning.example"]


def extend_world(world) -> dict:
    company = world["company"]
    endpoint = WebhookEndpoint.objects.create(
        company=company,
        url="https://hooks.zephyr-crm.example/culturegap",
        events=["opportunity.won"],
    )
    delivery = WebhookDelivery.objects.create(
        company=company, endpoint=endpoint, event="opportunity.won", body="{}"
    )
    LrsEndpoint.objects.create(
        company=company, url="https://lrs.zephyr-learning.example/xapi", username="key"
    )
    return {"webhook_endpoint": endpoint, "webhook_delivery": delivery}
