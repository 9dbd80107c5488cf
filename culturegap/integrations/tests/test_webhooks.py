import datetime
import hashlib
import hmac
import json
import socket

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from culturegap.integrations import webhooks
from culturegap.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from culturegap.integrations.tests.receiver import Receiver
from culturegap.opportunities import services as opportunity_services
from culturegap.org.tests.factories import CustomerFactory, ServiceFactory
from culturegap.training.models import Enrollment
from culturegap.training.tests.factories import curriculum_with_lessons, take_curriculum

ALL_EVENTS = ["opportunity.created", "opportunity.won", "opportunity.lost", "certificate.earned"]
T0 = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


def _endpoint(company, url, events=ALL_EVENTS, **fields) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(company=company, url=url, events=events, **fields)


def _delivery(company, endpoint, *, at=T0) -> WebhookDelivery:
    return webhooks.emit(
        company=company, event="opportunity.won", data={"opportunity": {"id": 7}}, now=at
    )[0]


def test_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"id":"e1","type":"opportunity.won"}'
    # Worked out independently: HMAC-SHA256(key="whsec_test", msg="1700000000." + body).
    expected = hmac.new(b"whsec_test", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature(secret="whsec_test", timestamp=1700000000, body=body) == (
        "sha256=" + expected
    )
    header = "sha256=" + expected
    assert webhooks.verify(
        secret="whsec_test", timestamp="1700000000", body=body, header=header, now=1700000100
    )
    # Tampered body, wrong secret, stale timestamp (replay), junk timestamp: all refused.
    assert not webhooks.verify(
        secret="whsec_test", timestamp="1700000000", body=body + b" ", header=header, now=1.7e9
    )
    assert not webhooks.verify(
        secret="other", timestamp="1700000000", body=body, header=header, now=1.7e9
    )
    assert not webhooks.verify(
        secret="whsec_test", timestamp="1700000000", body=body, header=header, now=1700000301
    )
    assert not webhooks.verify(secret="whsec_test", timestamp="soon", body=body, header=header)


def test_backoff_schedule():
    minutes = [webhooks.retry_delay(n) for n in range(1, 6)]
    assert minutes == [
        datetime.timedelta(minutes=1),
        datetime.timedelta(minutes=5),
        datetime.timedelta(minutes=30),
        datetime.timedelta(hours=2),
        None,
    ]


def test_a_delivery_is_signed_and_the_receiver_verifies_it(company):
    with Receiver() as receiver:
        endpoint = _endpoint(company, receiver.url + "/hook")
        receiver.secret = endpoint.secret
        delivery = _delivery(company, endpoint)
        now = timezone.now()
        assert webhooks.deliver(delivery_id=delivery.pk, now=now) == DeliveryStatus.DELIVERED
    assert receiver.rejected == 0
    [request] = receiver.requests
    assert request.path == "/hook"
    assert request.headers["X-Culturegap-Event"] == "opportunity.won"
    assert request.headers["X-Culturegap-Delivery"] == str(delivery.event_id)
    assert request.headers["X-Culturegap-Timestamp"] == str(int(now.timestamp()))
    payload = json.loads(request.body)
    assert payload == {
        "id": str(delivery.event_id),
        "type": "opportunity.won",
        "created_at": "2025-03-03T09:00:00Z",
        "company": "acme",
        "data": {"opportunity": {"id": 7}},
    }
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 1, 200)
    assert delivery.delivered_at == now and delivery.next_attempt_at is None


def test_a_receiver_with_another_secret_refuses_and_the_delivery_waits(company):
    with Receiver(secret="not-the-secret") as receiver:
        endpoint = _endpoint(company, receiver.url)
        delivery = _delivery(company, endpoint)
        assert webhooks.deliver(delivery_id=delivery.pk, now=T0) == DeliveryStatus.PENDING
    assert receiver.rejected == 1
    delivery.refresh_from_db()
    assert delivery.response_code == 401 and "401" in delivery.last_error


def test_a_500_is_retried_after_a_minute_and_then_delivered(company):
    with Receiver(answers=[500]) as receiver:
        endpoint = _endpoint(company, receiver.url)
        receiver.secret = endpoint.secret
        delivery = _delivery(company, endpoint)
        now = timezone.now()
        assert webhooks.deliver(delivery_id=delivery.pk, now=now) == "pending"
        delivery.refresh_from_db()
        assert delivery.attempts == 1 and delivery.response_code == 500
        assert delivery.next_attempt_at == now + datetime.timedelta(minutes=1)
        # A worker that runs early does nothing; one at the right time delivers.
        early = now + datetime.timedelta(seconds=30)
        assert webhooks.deliver(delivery_id=delivery.pk, now=early) == "pending"
        assert len(receiver.requests) == 1
        later = now + datetime.timedelta(minutes=1)
        assert webhooks.deliver(delivery_id=delivery.pk, now=later) == "delivered"
    assert len(receiver.requests) == 2 and receiver.rejected == 0
    # The same event id and body on the retry: the receiver can drop duplicates.
    assert receiver.requests[0].body == receiver.requests[1].body
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code, delivery.last_error) == (2, 200, "")


def test_the_retry_is_enqueued_with_its_backoff(company, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with Receiver(answers=[503]) as receiver:
        delivery = _delivery(company, _endpoint(company, receiver.url))
        webhooks.deliver(delivery_id=delivery.pk, now=T0)
    task = DBTaskResult.objects.get(task_path__endswith="deliver_webhook")
    assert task.args_kwargs["kwargs"] == {"delivery_id": delivery.pk}
    assert task.run_after == T0 + datetime.timedelta(minutes=1)


def test_five_failures_with_growing_waits_then_failed(company):
    with Receiver(answers=[500] * 5) as receiver:
        delivery = _delivery(company, _endpoint(company, receiver.url))
        moments, at = [], T0
        for _ in range(5):
            webhooks.deliver(delivery_id=delivery.pk, now=at)
            delivery.refresh_from_db()
            moments.append(delivery.next_attempt_at)
            at = delivery.next_attempt_at or at
    assert moments == [
        T0 + datetime.timedelta(minutes=1),
        T0 + datetime.timedelta(minutes=6),
        T0 + datetime.timedelta(minutes=36),
        T0 + datetime.timedelta(minutes=156),
        None,
    ]
    assert delivery.status == "failed" and delivery.attempts == 5
    assert len(receiver.requests) == 5


def test_an_unreachable_endpoint_is_an_attempt_with_an_error(company):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nobody listens there
    delivery = _delivery(company, _endpoint(company, f"http://127.0.0.1:{port}/hook"))
    assert webhooks.deliver(delivery_id=delivery.pk, now=T0) == "pending"
    delivery.refresh_from_db()
    assert delivery.response_code is None and delivery.last_error
    assert delivery.attempts == 1


def test_a_redirect_is_not_a_delivery(company):
    with Receiver(answers=[302]) as receiver:
        delivery = _delivery(company, _endpoint(company, receiver.url))
        assert webhooks.deliver(delivery_id=delivery.pk, now=T0) == "pending"
    delivery.refresh_from_db()
    assert delivery.response_code == 302


def test_only_active_subscribed_endpoints_of_the_company_get_the_event(company, other_company):
    wanted = _endpoint(company, "https://a.example/hook", events=["opportunity.won"])
    _endpoint(company, "https://b.example/hook", events=["opportunity.lost"])
    _endpoint(company, "https://c.example/hook", is_active=False)
    _endpoint(other_company, "https://d.example/hook")
    deliveries = webhooks.emit(company=company, event="opportunity.won", data={})
    assert [d.endpoint for d in deliveries] == [wanted]
    with pytest.raises(ValueError):
        webhooks.emit(company=company, event="opportunity.maybe", data={})


# --- Events fired by the product, after commit ----------------------------------------------


@pytest.fixture
def hooked(company):
    return _endpoint(company, "https://crm.example/hook")


def _events(company) -> list[str]:
    return list(
        WebhookDelivery.objects.filter(company=company)
        .order_by("pk")
        .values_list("event", flat=True)
    )


def test_recording_an_opportunity_fires_created_after_commit(
    company, staff, hooked, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        opportunity = opportunity_services.record_opportunity(
            company=company,
            customer=customer,
            need="Payroll for 12 staff",
            channel="phone",
            found_by=staff["crp"],
        )
    assert _events(company) == []  # not before the commit
    for callback in callbacks:
        callback()
    assert _events(company) == ["opportunity.created"]
    data = json.loads(WebhookDelivery.objects.get().body)["data"]["opportunity"]
    assert data["id"] == opportunity.pk
    assert data["status"] == "new"
    assert data["found_by"] == {"email": "crp@acme.test", "name": "Cara CRP"}
    assert data["owner"]["email"] == "sales@acme.test"


def test_won_and_lost_fire_their_events(company, staff, hooked, django_capture_on_commit_callbacks):
    customer = CustomerFactory(company=company, sales_owner=staff["sales"])
    service = ServiceFactory(company=company, code="PAY")
    with django_capture_on_commit_callbacks(execute=True):
        first = opportunity_services.record_opportunity(
            company=company, customer=customer, need="Payroll", channel="phone", service=service
        )
        second = opportunity_services.record_opportunity(
            company=company, customer=customer, need="Audit", channel="email"
        )
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_services.move_opportunity(
            opportunity=first, to_status="contacted", actor=staff["sales"]
        )
    assert _events(company) == ["opportunity.created", "opportunity.created"]
    with django_capture_on_commit_callbacks(execute=True):
        opportunity_services.move_opportunity(
            opportunity=first, to_status="won", actor=staff["sales"], value="2400"
        )
        opportunity_services.move_opportunity(
            opportunity=second, to_status="lost", actor=staff["sales"], reason="Has an auditor"
        )
    assert _events(company)[2:] == ["opportunity.won", "opportunity.lost"]
    won, lost = (
        json.loads(d.body)["data"]["opportunity"]
        for d in WebhookDelivery.objects.order_by("pk")[2:]
    )
    assert (won["status"], won["value"], won["service"]["code"]) == ("won", "2400.00", "PAY")
    assert (lost["status"], lost["lost_reason"]) == ("lost", "Has an auditor")
    assert won["closed_at"].endswith("Z")


def test_a_rolled_back_change_fires_nothing(company, staff, hooked):
    from django.db import transaction

    customer = CustomerFactory(company=company)
    with pytest.raises(RuntimeError), transaction.atomic():
        opportunity_services.record_opportunity(
            company=company, customer=customer, need="Payroll", channel="phone"
        )
        raise RuntimeError("rolled back")
    assert _events(company) == []


def test_earning_a_certificate_fires_certificate_earned(
    company, staff, hooked, django_capture_on_commit_callbacks
):
    curriculum = curriculum_with_lessons(company=company, title="Client conversations")
    enrollment = Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum,
        starts_on=datetime.date(2025, 1, 6),
        due_on=datetime.date(2025, 3, 31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        take_curriculum(enrollment, post=False)
    assert _events(company) == []  # lessons alone: no certificate yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        take_curriculum(enrollment)
    assert _events(company) == []
    for callback in callbacks:
        callback()
    assert _events(company) == ["certificate.earned"]
    enrollment.refresh_from_db()
    certificate = json.loads(WebhookDelivery.objects.get().body)["data"]["certificate"]
    assert certificate["code"] == str(enrollment.certificate_code)
    assert certificate["person"]["email"] == "crp@acme.test"
    assert certificate["curriculum"]["title"] == "Client conversations"
    assert certificate["post_assessment_score"] == 100


def test_a_failed_course_fires_no_certificate(
    company, staff, hooked, django_capture_on_commit_callbacks
):
    curriculum = curriculum_with_lessons(company=company)
    enrollment = Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum,
        starts_on=datetime.date(2025, 1, 6),
        due_on=datetime.date(2025, 3, 31),
    )
    with django_capture_on_commit_callbacks(execute=True):
        take_curriculum(enrollment, right=False)
    assert _events(company) == []


def test_end_to_end_with_the_immediate_task_backend(
    company, staff, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    customer = CustomerFactory(company=company)
    with Receiver() as receiver:
        endpoint = _endpoint(company, receiver.url)
        receiver.secret = endpoint.secret
        with django_capture_on_commit_callbacks(execute=True):
            opportunity_services.record_opportunity(
                company=company, customer=customer, need="Payroll", channel="phone"
            )
    assert len(receiver.requests) == 1 and receiver.rejected == 0
    assert WebhookDelivery.objects.get().status == "delivered"


# --- Pages ----------------------------------------------------------------------------------


def test_adding_an_endpoint_shows_the_secret_once(client, company, staff):
    client.force_login(staff["admin"])
    url = reverse("integrations:webhook_list")
    response = client.post(
        url,
        {"url": "https://crm.example/hook", "events": ["opportunity.won"], "is_active": "on"},
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(company=company)
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    assert endpoint.secret not in client.get(url).content.decode()
    edit = client.get(reverse("integrations:webhook_edit", args=[endpoint.pk]))
    assert endpoint.secret not in edit.content.decode()
    old = endpoint.secret
    regenerated = client.post(reverse("integrations:webhook_secret", args=[endpoint.pk]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in regenerated.content.decode()


@pytest.mark.parametrize(
    "bad_url",
    [
        "ftp://crm.example/hook",
        "javascript:alert(1)",
        "crm.example/hook",
        "http://",
        "https://u:p@x.example/",
    ],
)
def test_an_endpoint_url_must_be_http_or_https(client, company, staff, bad_url):
    client.force_login(staff["admin"])
    response = client.post(
        reverse("integrations:webhook_list"), {"url": bad_url, "events": ["opportunity.won"]}
    )
    assert response.status_code == 400
    assert "url" in response.context["form"].errors
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_known_events(client, company, staff):
    client.force_login(staff["admin"])
    url = reverse("integrations:webhook_list")
    response = client.post(url, {"url": "https://crm.example/hook"})
    assert response.status_code == 400
    assert response.context["form"].errors["events"] == ["Choose at least one event."]
    response = client.post(url, {"url": "https://crm.example/hook", "events": ["nope"]})
    assert response.status_code == 400 and "events" in response.context["form"].errors


def test_editing_pauses_an_endpoint_and_bad_input_is_400(client, company, staff, hooked):
    client.force_login(staff["admin"])
    url = reverse("integrations:webhook_edit", args=[hooked.pk])
    response = client.post(url, {"url": "mailto:x@y.example", "events": ["opportunity.won"]})
    assert response.status_code == 400
    response = client.post(url, {"url": hooked.url, "events": ["opportunity.won"]})
    assert response.status_code == 302
    hooked.refresh_from_db()
    assert hooked.is_active is False and hooked.events == ["opportunity.won"]


def test_delivery_log_and_redeliver(client, company, staff, hooked):
    delivery = _delivery(company, hooked)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=5, response_code=500, next_attempt_at=None
    )
    client.force_login(staff["admin"])
    log = client.get(reverse("integrations:delivery_list"), {"status": "failed"})
    assert log.status_code == 200 and "opportunity.won" in log.content.decode()
    assert client.get(reverse("integrations:delivery_list"), {"status": "x"}).status_code == 400
    response = client.post(reverse("integrations:redeliver", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert delivery.next_attempt_at is not None


def test_another_company_cannot_redeliver(client, company, other_company, staff, hooked):
    from culturegap.org.tests.factories import PersonFactory

    delivery = _delivery(company, hooked)
    outsider = PersonFactory(company=other_company, is_program_admin=True)
    client.force_login(outsider)
    assert client.post(reverse("integrations:redeliver", args=[delivery.pk])).status_code == 404
    assert client.post(reverse("integrations:webhook_delete", args=[hooked.pk])).status_code == 404
    assert WebhookEndpoint.objects.filter(pk=hooked.pk).exists()


def test_without_a_listening_endpoint_no_callback_is_queued(
    company, staff, django_capture_on_commit_callbacks
):
    _endpoint(company, "https://crm.example/hook", events=["certificate.earned"])
    customer = CustomerFactory(company=company)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        opportunity_services.record_opportunity(
            company=company, customer=customer, need="Payroll", channel="phone"
        )
    # Only the e-mail to sales waits for the commit; nobody listens for opportunity.created.
    assert len(callbacks) == 1
    assert _events(company) == []


def test_lost_deliveries_are_enqueued_again(company, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    endpoint = _endpoint(company, "https://crm.example/hook")
    now = timezone.now()
    stuck = _delivery(company, endpoint)  # claimed 20 minutes ago, never finished
    WebhookDelivery.objects.filter(pk=stuck.pk).update(
        next_attempt_at=None, last_attempt_at=now - datetime.timedelta(minutes=20)
    )
    overdue = _delivery(company, endpoint)  # its task should have run half an hour ago
    WebhookDelivery.objects.filter(pk=overdue.pk).update(
        next_attempt_at=now - datetime.timedelta(minutes=30)
    )
    running = _delivery(company, endpoint)  # claimed a minute ago: still in flight
    WebhookDelivery.objects.filter(pk=running.pk).update(
        next_attempt_at=None, last_attempt_at=now - datetime.timedelta(minutes=1)
    )
    waiting = _delivery(company, endpoint)  # a retry due later
    WebhookDelivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=now + datetime.timedelta(minutes=4)
    )
    DBTaskResult.objects.all().delete()
    assert webhooks.requeue_lost(now=now) == 2
    queued = sorted(t.args_kwargs["kwargs"]["delivery_id"] for t in DBTaskResult.objects.all())
    assert queued == sorted([stuck.pk, overdue.pk])


def test_a_paused_endpoint_is_not_called(company):
    with Receiver() as receiver:
        endpoint = _endpoint(company, receiver.url)
        delivery = _delivery(company, endpoint)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
        assert webhooks.deliver(delivery_id=delivery.pk, now=T0) == "failed"
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert delivery.last_error == "the endpoint is paused" and delivery.attempts == 0
