import base64
import datetime
import json

import jsonschema
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from culturegap.integrations import xapi
from culturegap.integrations.models import LrsEndpoint
from culturegap.integrations.tests.receiver import Receiver
from culturegap.training.models import Answer, Assessment, Enrollment, LessonProgress
from culturegap.training.tests.factories import curriculum_with_lessons, take_curriculum

# The parts of the xAPI 1.0.3 statement rules (xAPI-Data.md, section 2.4) our statements use.
IRI = {"type": "string", "pattern": "^[a-zA-Z][a-zA-Z0-9+.-]*:[^\\s]+$"}
LANGUAGE_MAP = {"type": "object", "minProperties": 1, "additionalProperties": {"type": "string"}}
EXTENSIONS = {"type": "object", "propertyNames": {"pattern": "^https?://"}}
ACTIVITY = {
    "type": "object",
    "required": ["id"],
    "additionalProperties": False,
    "properties": {
        "objectType": {"const": "Activity"},
        "id": IRI,
        "definition": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": LANGUAGE_MAP,
                "description": LANGUAGE_MAP,
                "type": IRI,
                "interactionType": {
                    "enum": [
                        "true-false",
                        "choice",
                        "fill-in",
                        "long-fill-in",
                        "matching",
                        "performance",
                        "sequencing",
                        "likert",
                        "numeric",
                        "other",
                    ]
                },  # fmt: skip
            },
        },
    },
}
STATEMENT_SCHEMA = {
    "type": "object",
    "required": ["id", "actor", "verb", "object"],
    "additionalProperties": False,
    "properties": {
        "id": {
            "type": "string",
            "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        },
        "actor": {
            "type": "object",
            "required": ["mbox"],
            "additionalProperties": False,
            "properties": {
                "objectType": {"const": "Agent"},
                "name": {"type": "string"},
                "mbox": {"type": "string", "pattern": "^mailto:[^@\\s]+@[^@\\s]+$"},
            },
        },
        "verb": {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": {"id": IRI, "display": LANGUAGE_MAP},
        },
        "object": ACTIVITY,
        "result": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "score": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "scaled": {"type": "number", "minimum": -1, "maximum": 1},
                        "raw": {"type": "number"},
                        "min": {"type": "number"},
                        "max": {"type": "number"},
                    },
                },
                "success": {"type": "boolean"},
                "completion": {"type": "boolean"},
                "duration": {
                    "type": "string",
                    "pattern": "^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?"
                    "(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$",
                },
                "extensions": EXTENSIONS,
            },
        },
        "context": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "platform": {"type": "string"},
                "contextActivities": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        key: {"type": "array", "items": ACTIVITY, "minItems": 1}
                        for key in ("parent", "grouping", "category", "other")
                    },
                },
                "extensions": EXTENSIONS,
            },
        },
        "timestamp": {
            "type": "string",
            "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$",
        },
    },
}


def test_the_schema_catches_a_statement_without_an_actor():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"id": "x", "verb": {}, "object": {}}, STATEMENT_SCHEMA)


@pytest.fixture
def learner(company, staff):
    curriculum = curriculum_with_lessons(
        company=company, title="Client conversations", key="client-conversations"
    )
    enrollment = Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum,
        starts_on=datetime.date(2025, 1, 6),
        due_on=datetime.date(2025, 3, 31),
    )
    return take_curriculum(enrollment)


def _all(company, **window):
    return list(xapi.statements(company=company, **window))


def test_iso_durations():
    assert xapi.iso_duration(0) == "PT0S"
    assert xapi.iso_duration(0.25) == "PT0.25S"
    assert xapi.iso_duration(90.5) == "PT1M30.5S"
    assert xapi.iso_duration(3723) == "PT1H2M3S"
    assert xapi.iso_duration(None) is None


def test_every_statement_follows_the_schema(company, learner):
    statements = _all(company)
    # 4 lessons completed, every answer, and the two assessments.
    answers = Answer.objects.filter(company=company).count()
    assert len(statements) == 4 + answers + 2
    for statement in statements:
        jsonschema.validate(statement, STATEMENT_SCHEMA)
        score = statement.get("result", {}).get("score")
        if score and "raw" in score:
            assert score["min"] <= score["raw"] <= score["max"]
        parent = statement["context"]["contextActivities"]["parent"][0]
        assert parent["id"].endswith("/xapi/activities/acme/curricula/client-conversations")
    assert len({statement["id"] for statement in statements}) == len(statements)


def test_the_kinds_of_statement(company, staff, learner, settings):
    settings.SITE_URL = "https://learn.example"
    statements = _all(company)
    verbs = [statement["verb"]["display"]["en-US"] for statement in statements]
    assert verbs.count("completed") == 4 + 1  # four lessons and the pre-assessment
    assert verbs.count("passed") == 1 and "failed" not in verbs

    lesson = statements[0]
    progress = LessonProgress.objects.order_by("completed_at", "pk")[0]
    assert lesson["actor"] == {
        "objectType": "Agent",
        "name": "Cara CRP",
        "mbox": "mailto:crp@acme.test",
    }
    assert lesson["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert lesson["object"]["id"].startswith(
        "https://learn.example/xapi/activities/acme/curricula/client-conversations/lessons/"
    )
    assert lesson["object"]["definition"]["name"] == {"en-US": progress.lesson.title}
    assert lesson["result"]["completion"] is True
    assert lesson["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {
        "en-US": "Client conversations"
    }

    answer = next(s for s in statements if s["verb"]["display"]["en-US"] == "answered")
    assert answer["object"]["definition"]["interactionType"] == "choice"
    assert answer["result"]["success"] is True
    assert answer["result"]["score"] == {"scaled": 1, "raw": 1, "min": 0, "max": 1}

    passed = next(s for s in statements if s["verb"]["display"]["en-US"] == "passed")
    post = Assessment.objects.get(enrollment=learner, kind="post")
    assert passed["result"]["success"] is True
    assert passed["result"]["score"]["scaled"] == 1.0
    assert (
        passed["result"]["score"]["raw"] == passed["result"]["score"]["max"] == post.items.count()
    )
    assert passed["object"]["id"].endswith("/client-conversations/assessments/post")


def _crp_enrolled(company, staff) -> Enrollment:
    return Enrollment.objects.create(
        company=company,
        person=staff["crp"],
        curriculum=curriculum_with_lessons(company=company),
        starts_on=datetime.date(2025, 1, 6),
        due_on=datetime.date(2025, 3, 31),
    )


def test_a_post_assessment_below_the_pass_mark_is_failed(company, staff):
    take_curriculum(_crp_enrolled(company, staff), right=False)
    [failed] = [s for s in _all(company) if s["verb"]["display"]["en-US"] == "failed"]
    assert failed["result"]["success"] is False
    assert failed["result"]["score"]["scaled"] == 0 and failed["result"]["score"]["raw"] == 0
    answers = [s for s in _all(company) if s["verb"]["display"]["en-US"] == "answered"]
    assert all(s["result"]["success"] is False for s in answers)


def test_a_retaken_final_check_keeps_the_first_statement_and_adds_one_per_attempt(company, staff):
    import uuid

    from culturegap.training import services
    from culturegap.training.models import AssessmentKind

    enrollment = take_curriculum(_crp_enrolled(company, staff), right=False)
    [first] = [s for s in _all(company) if s["verb"]["display"]["en-US"] == "failed"]
    post = services.retake_final_check(enrollment=enrollment)
    choices = {
        item.pk: item.question.options.get(is_correct=True)
        for item in post.items.select_related("question")
    }
    services.submit_assessment(assessment=post, choices=choices, request_id=uuid.uuid4())
    after = _all(company)
    for statement in after:
        jsonschema.validate(statement, STATEMENT_SCHEMA)
    posts = [s for s in after if s["object"]["id"].endswith("/assessments/post")]
    # The first attempt's statement is unchanged, so an LRS that has it accepts it again.
    assert first in posts
    [passed] = [s for s in posts if s["verb"]["display"]["en-US"] == "passed"]
    assert passed["id"] != first["id"] and passed["result"]["score"]["scaled"] == 1.0
    assert passed["result"]["score"]["raw"] == post.items.count()
    assert len(posts) == 2
    assert Assessment.objects.get(enrollment=enrollment, kind=AssessmentKind.POST).attempt == 2


def test_statement_ids_are_the_same_every_time(company, learner):
    first = [statement["id"] for statement in _all(company)]
    assert first == [statement["id"] for statement in _all(company)]


def test_windows_split_the_statements(company, learner):
    everything = _all(company)
    middle = Answer.objects.order_by("answered_at")[3].answered_at
    before = _all(company, until=middle)
    after = _all(company, since=middle)
    assert sorted(s["id"] for s in before + after) == sorted(s["id"] for s in everything)
    assert not {s["id"] for s in before} & {s["id"] for s in after}


# --- Sending to an LRS ----------------------------------------------------------------------


def _lrs(company, url, **fields):
    return LrsEndpoint.objects.create(
        company=company, url=url, username="key", password="s3cret", **fields
    )


def test_statements_are_posted_to_the_lrs_in_batches(company, learner, monkeypatch):
    monkeypatch.setattr(xapi, "BATCH_SIZE", 5)
    total = len(_all(company))
    with Receiver() as receiver:
        lrs = _lrs(company, receiver.url + "/xapi/")
        now = timezone.now()
        assert xapi.send_statements(company_id=company.pk, now=now) == total
    assert [len(json.loads(r.body)) for r in receiver.requests] == [5] * (total // 5) + (
        [total % 5] if total % 5 else []
    )
    request = receiver.requests[0]
    assert request.path == "/xapi/statements"
    assert request.headers["X-Experience-API-Version"] == "1.0.3"
    assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"key:s3cret").decode()
    assert request.headers["Content-Type"].startswith("application/json")
    lrs.refresh_from_db()
    assert lrs.sent_until == now and lrs.last_sent_count == total and lrs.last_error == ""


def test_a_second_send_sends_only_new_statements(company, learner):
    with Receiver() as receiver:
        _lrs(company, receiver.url)
        xapi.send_statements(company_id=company.pk)
        assert xapi.send_statements(company_id=company.pk) == 0
    assert len(receiver.requests) == 1


def test_a_failed_send_moves_nothing_and_retries_with_the_same_ids(company, learner):
    with Receiver(answers=[500]) as receiver:
        lrs = _lrs(company, receiver.url)
        now = timezone.now()
        assert xapi.send_statements(company_id=company.pk, now=now) == 0
        lrs.refresh_from_db()
        assert lrs.sent_until is None and "500" in lrs.last_error
        assert lrs.next_attempt_at == now + datetime.timedelta(minutes=1)
        assert xapi.send_statements(company_id=company.pk, attempt=2) > 0
    first, second = (json.loads(r.body) for r in receiver.requests)
    assert [s["id"] for s in first] == [s["id"] for s in second]
    lrs.refresh_from_db()
    assert lrs.last_error == "" and lrs.next_attempt_at is None


def test_an_inactive_lrs_gets_nothing(company, learner):
    with Receiver() as receiver:
        _lrs(company, receiver.url, is_active=False)
        assert xapi.send_statements(company_id=company.pk) == 0
    assert receiver.requests == []


# --- Pages and command ----------------------------------------------------------------------


def test_admin_downloads_the_statements(client, company, staff, learner):
    client.force_login(staff["admin"])
    response = client.post(reverse("integrations:xapi_export"))
    assert response.status_code == 200 and response.streaming
    statements = json.loads(b"".join(response.streaming_content))
    assert len(statements) == len(_all(company))
    bad = client.post(reverse("integrations:xapi_export"), {"date_from": "last week"})
    assert bad.status_code == 400 and "date_from" in bad.content.decode()
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post(reverse("integrations:xapi_export"), {"date_from": future})
    assert json.loads(b"".join(response.streaming_content)) == []


def test_lrs_form_checks_the_url_and_keeps_the_password(client, company, staff):
    client.force_login(staff["admin"])
    url = reverse("integrations:xapi")
    response = client.post(url, {"url": "ftp://lrs.example", "username": "k", "password": "p"})
    assert response.status_code == 400 and "url" in response.context["form"].errors
    assert not LrsEndpoint.objects.exists()
    client.post(
        url,
        {"url": "https://lrs.example/xapi", "username": "k", "password": "p", "is_active": "on"},
    )
    client.post(url, {"url": "https://lrs.example/xapi2", "username": "k", "is_active": "on"})
    lrs = LrsEndpoint.objects.get(company=company)
    assert (lrs.url, lrs.password) == ("https://lrs.example/xapi2", "p")
    page = client.get(url).content.decode()
    assert 'value="p"' not in page


def test_send_button_queues_the_task(client, company, staff, learner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(staff["admin"])
    response = client.post(reverse("integrations:xapi_send"))
    assert response.status_code == 302  # no LRS yet: a message, nothing sent
    with Receiver() as receiver:
        _lrs(company, receiver.url)
        client.post(reverse("integrations:xapi_send"))
        client.post(reverse("integrations:xapi_send"), {"from_start": "1"})
    sent = [len(json.loads(r.body)) for r in receiver.requests]
    assert sum(sent) == 2 * len(_all(company))


def test_export_xapi_command(company, learner, tmp_path):
    target = tmp_path / "statements.json"
    call_command("export_xapi", str(target), "--company", "acme")
    assert len(json.loads(target.read_text())) == len(_all(company))
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    call_command("export_xapi", str(target), "--since", tomorrow)
    assert json.loads(target.read_text()) == []
