"""A nudge whose worker is SIGKILLed mid-task is neither lost nor sent twice, once
``requeue_stale_tasks`` has put it back in the queue."""

import datetime
import os
import signal
import time

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from culturegap.ops.tasks_recovery import requeue_stale_tasks
from culturegap.org.tests.factories import PersonFactory
from culturegap.reinforcement import tasks
from culturegap.reinforcement.models import Nudge
from culturegap.reinforcement.tests.factories import card, make_question
from culturegap.reinforcement.tests.test_workers import (
    database_url,
    emails_per_recipient,
    start_worker,
    wait_until_started,
)

TIMEOUT = 60


def _running(result_id, *, minutes_ago):
    DBTaskResult.objects.filter(pk=result_id).update(
        status="RUNNING", started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def test_only_tasks_running_too_long_are_requeued(company):
    person = PersonFactory(company=company)
    old = tasks.send_digest.enqueue(person_id=person.pk, period_key="digest:2026-01-05")
    fresh = tasks.send_digest.enqueue(person_id=person.pk, period_key="digest:2026-01-06")
    done = tasks.send_digest.enqueue(person_id=person.pk, period_key="digest:2026-01-07")
    _running(old.id, minutes_ago=20)
    _running(fresh.id, minutes_ago=2)
    DBTaskResult.objects.filter(pk=done.id).update(
        status="SUCCESSFUL", started_at=timezone.now() - datetime.timedelta(hours=2)
    )
    assert requeue_stale_tasks() == 1
    statuses = {str(pk): status for pk, status in DBTaskResult.objects.values_list("pk", "status")}
    assert statuses[old.id] == "READY"
    assert statuses[fresh.id] == "RUNNING" and statuses[done.id] == "SUCCESSFUL"
    call_command("requeue_stale_tasks", "--minutes", "1")
    assert DBTaskResult.objects.get(pk=fresh.id).status == "READY"


# --- A real worker process, killed with SIGKILL (PostgreSQL) -----------------------------------


def _raw_connection() -> psycopg.Connection:
    """A second connection to the test database, outside Django's transaction handling."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )


def _wait(condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


@pytest.fixture
def setup(company, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: worker processes share the test database with this one")
    now = timezone.now()
    person = PersonFactory(company=company, email="learner@acme.test")
    card(person, make_question(company), due=now - datetime.timedelta(hours=1))
    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = os.environ | {
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"filemail:///{outbox}",
        "LOG_LEVEL": "INFO",
        "CONN_MAX_AGE": "0",
    }
    period = f"digest:{now.date().isoformat()}"
    result = tasks.send_digest.enqueue(person_id=person.pk, period_key=period)
    return {"person": person, "outbox": outbox, "env": env, "period": period, "id": result.id}


def _status(result_id) -> str:
    return DBTaskResult.objects.get(pk=result_id).status


def _kill(worker) -> None:
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    worker.stdout.close()


def _run_to_the_end(setup) -> None:
    """Re-queue the abandoned task and let a new worker run it."""
    assert requeue_stale_tasks(older_than=datetime.timedelta(0)) == 1
    worker = start_worker("worker-after", setup["env"])
    try:
        wait_until_started(worker)
        _wait(lambda: _status(setup["id"]) == "SUCCESSFUL", "the re-queued task ran")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        worker.stdout.close()


@pytest.mark.timeout_heavy
@pytest.mark.django_db(transaction=True)
def test_worker_killed_before_the_claim_the_nudge_is_sent_once(setup):
    person = setup["person"]
    # Another transaction holds the same claim, uncommitted: the worker's claim waits on it.
    blocker = _raw_connection()
    blocker.execute(
        "INSERT INTO reinforcement_nudge (company_id, person_id, kind, period_key, claimed_at, "
        "error) VALUES (%s, %s, 'digest', %s, now(), '')",
        [person.company_id, person.pk, setup["period"]],
    )
    worker = start_worker("worker-killed", setup["env"])
    try:
        wait_until_started(worker)
        _wait(lambda: _status(setup["id"]) == "RUNNING", "the worker claimed the task")
        _wait(
            lambda: blocker.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            ).fetchone()[0]
            > 0,
            "the worker waits on the claim",
        )
        _kill(worker)
    finally:
        if worker.poll() is None:
            _kill(worker)
        blocker.rollback()
        blocker.close()
    time.sleep(1)
    # Without recovery the task stays RUNNING for ever, and nothing was sent.
    assert _status(setup["id"]) == "RUNNING"
    assert emails_per_recipient(setup["outbox"]) == {}

    _run_to_the_end(setup)
    assert emails_per_recipient(setup["outbox"]) == {person.email: 1}
    assert DBTaskResult.objects.get(pk=setup["id"]).return_value is True
    assert Nudge.objects.get(person=person).sent_at is not None


@pytest.mark.timeout_heavy
@pytest.mark.django_db(transaction=True)
def test_worker_killed_after_sending_the_nudge_is_not_sent_again(setup):
    person = setup["person"]
    # Recording that the e-mail went out stalls, so the worker is killed between sending the
    # e-mail and marking the task finished.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION stall_nudge_update() RETURNS trigger AS $$ "
            "BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        cursor.execute(
            "CREATE TRIGGER stall_nudge_update BEFORE UPDATE ON reinforcement_nudge "
            "FOR EACH ROW EXECUTE FUNCTION stall_nudge_update()"
        )
    worker = start_worker("worker-killed", setup["env"])
    try:
        wait_until_started(worker)
        _wait(lambda: emails_per_recipient(setup["outbox"]) != {}, "the e-mail was sent")
        _kill(worker)
    finally:
        if worker.poll() is None:
            _kill(worker)
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER stall_nudge_update ON reinforcement_nudge")
            cursor.execute("DROP FUNCTION stall_nudge_update()")
    assert _status(setup["id"]) == "RUNNING"
    assert emails_per_recipient(setup["outbox"]) == {person.email: 1}

    _run_to_the_end(setup)
    # The second run found the claim and sent nothing.
    assert emails_per_recipient(setup["outbox"]) == {person.email: 1}
    assert DBTaskResult.objects.get(pk=setup["id"]).return_value is False
    assert Nudge.objects.filter(person=person).count() == 1
