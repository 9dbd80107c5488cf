"""xAPI (Experience API 1.0.3) learning records: lessons completed, questions answered and
assessments taken, as statements for a Learning Record Store.

Three kinds of statement, each from one table:

- a completed lesson (``LessonProgress.completed_at``) → verb *completed*, the lesson as object,
  result ``completion: true`` and the time from opening to completing it;
- an answer (``Answer``, in a lesson, an assessment or a drill) → verb *answered*, the question
  as a ``choice`` interaction, result ``success`` and score 1 or 0 (scaled and raw), the answer
  time, and whether the learner said they were sure (an extension);
- a completed assessment → verb *passed* or *failed* for the post-assessment (against the
  curriculum's pass mark), *completed* for the pre-assessment; result with the score scaled
  (0–1), raw (questions right, of ``max`` questions), success and completion, and the time it
  took.

The actor is the learner (``mailto:`` of their e-mail, and name); every statement has the
curriculum as its parent activity. Activity ids are IRIs under ``SITE_URL/xapi/activities/``
built from content keys, which survive pack re-imports. Statement ids are UUID 5 of the source
row, so a statement sent twice has the same id and an LRS keeps one.
"""

import base64
import datetime
import json
import logging
import uuid
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from culturegap.integrations import webhooks
from culturegap.integrations.exports import utc_iso
from culturegap.integrations.models import LrsEndpoint
from culturegap.org.models import Company
from culturegap.training.models import (
    Answer,
    Assessment,
    AssessmentAttempt,
    AssessmentKind,
    LessonProgress,
)
from culturegap.training.services import passes

logger = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
# Fixed for ever: the statement ids of every installation derive from it.
STATEMENT_NAMESPACE = uuid.UUID("6f1c2b1e-5d0a-4c59-9a57-3c8e2f0b7a41")
BATCH_SIZE = 500
CHUNK_SIZE = 2000

VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "answered": "http://adlnet.gov/expapi/verbs/answered",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
}


def _base() -> str:
    return settings.SITE_URL.rstrip("/") + "/xapi"


def activity_iri(company_slug: str, curriculum_key: str, *parts: str) -> str:
    return "/".join([_base(), "activities", company_slug, "curricula", curriculum_key, *parts])


def extension_iri(name: str) -> str:
    return f"{_base()}/extensions/{name}"


def statement_id(company_slug: str, kind: str, pk: int | str) -> str:
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{company_slug}:{kind}:{pk}"))


def iso_duration(seconds: float | None) -> str | None:
    """ISO 8601 duration as xAPI wants it: ``PT1H2M3.5S`` (hundredths of a second at most)."""
    if seconds is None or seconds < 0:
        return None
    hundredths = round(seconds * 100)
    hours, rest = divmod(hundredths, 360000)
    minutes, rest = divmod(rest, 6000)
    whole, fraction = divmod(rest, 100)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if whole or fraction or text == "PT":
        text += f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") + "S"
    return text


def _actor(email: str, name: str) -> dict:
    return {"objectType": "Agent", "name": name, "mbox": f"mailto:{email}"}


def _verb(name: str) -> dict:
    return {"id": VERBS[name], "display": {"en-US": name}}


def _activity(iri: str, kind: str, name: str, **definition) -> dict:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": ACTIVITY_TYPES[kind], "name": {"en-US": name}, **definition},
    }


def _context(company_slug: str, curriculum_key: str, curriculum_title: str, **more) -> dict:
    parent = _activity(activity_iri(company_slug, curriculum_key), "course", curriculum_title)
    context = {"platform": "culturegap", "contextActivities": {"parent": [parent]}}
    if more.get("grouping"):
        context["contextActivities"]["grouping"] = more["grouping"]
    if more.get("extensions"):
        context["extensions"] = more["extensions"]
    return context


def _seconds(start, end) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def _window(rows, field: str, since, until):
    if since is not None:
        rows = rows.filter(**{f"{field}__gt": since})
    if until is not None:
        rows = rows.filter(**{f"{field}__lte": until})
    return rows


def lesson_statements(*, company: Company, since=None, until=None) -> Iterator[dict]:
    rows = _window(
        LessonProgress.objects.filter(company=company, completed_at__isnull=False),
        "completed_at",
        since,
        until,
    )
    for row in (
        rows.order_by("completed_at", "pk")
        .values(
            "pk",
            "started_at",
            "completed_at",
            "enrollment__person__email",
            "enrollment__person__name",
            "lesson__key",
            "lesson__title",
            "lesson__module__key",
            "enrollment__curriculum__key",
            "enrollment__curriculum__title",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        curriculum = row["enrollment__curriculum__key"]
        result = {"completion": True}
        duration = iso_duration(_seconds(row["started_at"], row["completed_at"]))
        if duration:
            result["duration"] = duration
        yield {
            "id": statement_id(company.slug, "lesson-completed", row["pk"]),
            "actor": _actor(row["enrollment__person__email"], row["enrollment__person__name"]),
            "verb": _verb("completed"),
            "object": _activity(
                activity_iri(
                    company.slug,
                    curriculum,
                    "lessons",
                    row["lesson__module__key"],
                    row["lesson__key"],
                ),
                "lesson",
                row["lesson__title"],
            ),
            "result": result,
            "context": _context(company.slug, curriculum, row["enrollment__curriculum__title"]),
            "timestamp": utc_iso(row["completed_at"]),
        }


def answer_statements(*, company: Company, since=None, until=None) -> Iterator[dict]:
    rows = _window(Answer.objects.filter(company=company), "answered_at", since, until)
    for row in (
        rows.order_by("answered_at", "pk")
        .values(
            "pk",
            "answered_at",
            "is_correct",
            "confident",
            "response_ms",
            "context",
            "person__email",
            "person__name",
            "question__key",
            "question__skill",
            "question__scenario",
            "question__lesson__key",
            "question__lesson__title",
            "question__lesson__module__key",
            "question__lesson__module__curriculum__key",
            "question__lesson__module__curriculum__title",
        )
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        curriculum = row["question__lesson__module__curriculum__key"]
        lesson_parts = (
            "lessons",
            row["question__lesson__module__key"],
            row["question__lesson__key"],
        )
        correct = bool(row["is_correct"])
        result = {
            "success": correct,
            "completion": True,
            "score": {
                "scaled": 1 if correct else 0,
                "raw": 1 if correct else 0,
                "min": 0,
                "max": 1,
            },
        }
        duration = iso_duration(row["response_ms"] / 1000 if row["response_ms"] else None)
        if duration:
            result["duration"] = duration
        if row["confident"] is not None:
            result["extensions"] = {extension_iri("confident"): row["confident"]}
        scenario = row["question__scenario"]
        yield {
            "id": statement_id(company.slug, "answer", row["pk"]),
            "actor": _actor(row["person__email"], row["person__name"]),
            "verb": _verb("answered"),
            "object": _activity(
                activity_iri(
                    company.slug, curriculum, *lesson_parts, "questions", row["question__key"]
                ),
                "question",
                scenario if len(scenario) <= 120 else scenario[:119] + "…",
                description={"en-US": scenario},
                interactionType="choice",
            ),
            "result": result,
            "context": _context(
                company.slug,
                curriculum,
                row["question__lesson__module__curriculum__title"],
                grouping=[
                    _activity(
                        activity_iri(company.slug, curriculum, *lesson_parts),
                        "lesson",
                        row["question__lesson__title"],
                    )
                ],
                extensions={
                    extension_iri("answered-in"): row["context"],
                    extension_iri("skill"): row["question__skill"],
                },
            ),
            "timestamp": utc_iso(row["answered_at"]),
        }


def _attempt_key(assessment_id: int, number: int) -> str:
    """The statement key of an assessment's attempt: the first keeps the assessment's own id,
    so a statement sent before a retake keeps its id (an LRS refuses a changed statement under
    an id it has)."""
    return str(assessment_id) if number == 1 else f"{assessment_id}-{number}"


ASSESSMENT_FIELDS = (
    "enrollment__person__email",
    "enrollment__person__name",
    "enrollment__curriculum__key",
    "enrollment__curriculum__title",
    "enrollment__curriculum__pass_mark",
)


def assessment_statements(*, company: Company, since=None, until=None) -> Iterator[dict]:
    """One statement per completed sitting: each assessment's latest attempt, and the earlier
    attempts at a retaken final check."""
    rows = _window(
        Assessment.objects.filter(company=company, completed_at__isnull=False),
        "completed_at",
        since,
        until,
    ).annotate(
        item_count=Count("items"),
        right_count=Count("items", filter=Q(items__answer__is_correct=True)),
    )
    for row in (
        rows.order_by("completed_at", "pk")
        .values(
            "pk",
            "kind",
            "attempt",
            "score",
            "started_at",
            "completed_at",
            "item_count",
            "right_count",
            *ASSESSMENT_FIELDS,
        )
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        yield _assessment_statement(company, row, _attempt_key(row["pk"], row["attempt"]))
    earlier = _window(
        AssessmentAttempt.objects.filter(company=company), "completed_at", since, until
    )
    for row in (
        earlier.order_by("completed_at", "pk")
        .values(
            "assessment_id",
            "number",
            "score",
            "started_at",
            "completed_at",
            *(f"assessment__{name}" for name in ASSESSMENT_FIELDS),
            kind=F("assessment__kind"),
            item_count=F("questions"),
            right_count=F("right"),
        )
        .iterator(chunk_size=CHUNK_SIZE)
    ):
        row.update({name: row.pop(f"assessment__{name}") for name in ASSESSMENT_FIELDS})
        yield _assessment_statement(company, row, _attempt_key(row["assessment_id"], row["number"]))


def _assessment_statement(company: Company, row: dict, key: str) -> dict:
    curriculum = row["enrollment__curriculum__key"]
    title = row["enrollment__curriculum__title"]
    is_post = row["kind"] == AssessmentKind.POST
    result: dict = {"completion": True}
    if row["score"] is not None:
        result["score"] = {"scaled": round(row["score"] / 100, 4)}
        if row["item_count"]:
            result["score"].update(raw=row["right_count"], min=0, max=row["item_count"])
    if is_post:
        success = passes(score=row["score"], pass_mark=row["enrollment__curriculum__pass_mark"])
        result["success"] = success
        verb = "passed" if success else "failed"
    else:
        verb = "completed"
    duration = iso_duration(_seconds(row["started_at"], row["completed_at"]))
    if duration:
        result["duration"] = duration
    label = AssessmentKind(row["kind"]).label
    return {
        "id": statement_id(company.slug, "assessment", key),
        "actor": _actor(row["enrollment__person__email"], row["enrollment__person__name"]),
        "verb": _verb(verb),
        "object": _activity(
            activity_iri(company.slug, curriculum, "assessments", row["kind"]),
            "assessment",
            f"{label}: {title}",
        ),
        "result": result,
        "context": _context(company.slug, curriculum, title),
        "timestamp": utc_iso(row["completed_at"]),
    }


def statements(
    *,
    company: Company,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> Iterator[dict]:
    """Every statement of the company whose moment is after ``since`` and at or before
    ``until`` (both optional): lessons, then answers, then assessments, each oldest first."""
    yield from lesson_statements(company=company, since=since, until=until)
    yield from answer_statements(company=company, since=since, until=until)
    yield from assessment_statements(company=company, since=since, until=until)


def json_array_chunks(items: Iterable[dict]) -> Iterator[str]:
    """A JSON array written piece by piece, for a streamed download or a file."""
    yield "["
    first = True
    for item in items:
        yield ("\n" if first else ",\n") + json.dumps(item, ensure_ascii=False)
        first = False
    yield "\n]\n"


# ---------------------------------------------------------------------------------------------
# Sending to a Learning Record Store


def _headers(lrs: LrsEndpoint) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Experience-API-Version": XAPI_VERSION,
        "User-Agent": "culturegap-xapi/1",
    }
    if lrs.username or lrs.password:
        token = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    return headers


def statements_url(lrs: LrsEndpoint) -> str:
    return lrs.url.rstrip("/") + "/statements"


def send_statements(
    *, company_id: int, attempt: int = 1, now: datetime.datetime | None = None
) -> int:
    """POST the statements after the last window sent, in batches of ``BATCH_SIZE``.

    On success the window's end becomes ``sent_until``. On a failure nothing moves forward (the
    batches already accepted are sent again next time, with the same ids, which an LRS keeps
    once) and the send is retried after the webhook backoff (1 min, 5 min, 30 min, 2 h)."""
    lrs = LrsEndpoint.objects.select_related("company").filter(company_id=company_id).first()
    if lrs is None or not lrs.is_active:
        return 0
    now = now or timezone.now()
    url, headers = statements_url(lrs), _headers(lrs)
    sent = 0
    batch: list[dict] = []
    error = ""

    def flush() -> str:
        code, problem = webhooks.post(
            url=url, body=json.dumps(batch, ensure_ascii=False).encode(), headers=headers
        )
        if code is not None and 200 <= code < 300:
            return ""
        return problem or f"HTTP {code}"

    for statement in statements(company=lrs.company, since=lrs.sent_until, until=now):
        batch.append(statement)
        if len(batch) == BATCH_SIZE:
            error = flush()
            if error:
                break
            sent += len(batch)
            batch = []
    if batch and not error:
        error = flush()
        if not error:
            sent += len(batch)

    lrs.last_attempt_at = now
    lrs.last_sent_count = sent
    lrs.last_error = error[: webhooks.ERROR_MAX_LENGTH]
    if error:
        wait = webhooks.retry_delay(attempt)
        lrs.next_attempt_at = now + wait if wait else None
    else:
        lrs.sent_until = now
        lrs.next_attempt_at = None
    lrs.save(
        update_fields=[
            "last_attempt_at",
            "last_sent_count",
            "last_error",
            "next_attempt_at",
            "sent_until",
        ]
    )
    if error and lrs.next_attempt_at is not None:
        _enqueue_send(company_id, attempt=attempt + 1, at=lrs.next_attempt_at)
    return sent


def _enqueue_send(company_id: int, *, attempt: int = 1, at=None) -> None:
    from culturegap.integrations.tasks import send_to_lrs

    task = send_to_lrs
    if at is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=at)
    try:
        task.enqueue(company_id=company_id, attempt=attempt)
    except Exception:
        logger.exception("Could not enqueue the LRS send of company %s", company_id)


def queue_send(*, company: Company) -> None:
    """Send the new statements in the background, now."""
    _enqueue_send(company.pk)
