"""At most once, for real: two ``db_worker`` processes drain the same queue of digest tasks,
each person's task enqueued twice, on PostgreSQL; every person gets exactly one e-mail."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from culturegap.org.tests.factories import PersonFactory
from culturegap.reinforcement import tasks
from culturegap.reinforcement.models import Nudge
from culturegap.reinforcement.tests.factories import card, make_question

pytestmark = [pytest.mark.timeout_heavy, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = 30
TIMEOUT_SECONDS = 120


def database_url() -> str:
    """The test database (not the one named in DATABASE_URL) as a URL for the workers."""
    db = connection.settings_dict
    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def start_worker(worker_id: str, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "culturegap.cli", "db_worker", "--no-reload"]
    command += ["--no-startup-delay", "--interval", "0.05", "--worker-id", worker_id]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def wait_until_started(worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        if "Starting worker" in line:
            return
        if not line and worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}")
    pytest.fail("the worker did not start")


def digests():
    """The digest tasks (other apps may queue work of their own when content changes)."""
    return DBTaskResult.objects.filter(task_path=tasks.send_digest.module_path)


def emails_per_recipient(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in folder.iterdir():
        for line in path.read_text().splitlines():
            if line.startswith("To: "):
                counts[line[4:]] = counts.get(line[4:], 0) + 1
    return counts


def test_two_workers_send_each_digest_exactly_once(company, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "needs PostgreSQL: the race between two worker processes is run against a real "
            "server (the SQLite test database lives in this process's memory)"
        )
    now = datetime.datetime.now(datetime.UTC)
    people = [PersonFactory(company=company, email=f"learner{n}@acme.test") for n in range(PEOPLE)]
    for person in people:
        card(person, make_question(company), due=now - datetime.timedelta(hours=1))

    outbox = tmp_path / "mail"
    outbox.mkdir()
    env = os.environ | {
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        # Four slashes: django-environ drops one from an absolute path.
        "EMAIL_URL": f"filemail:///{outbox}",
        "LOG_LEVEL": "INFO",
        "CONN_MAX_AGE": "0",
    }
    workers = [start_worker(f"worker-{n}", env) for n in (1, 2)]
    try:
        for worker in workers:
            wait_until_started(worker)
        period = f"digest:{now.date().isoformat()}"
        for person in people:
            # Twice in a row: the two workers pick up the pair at the same moment.
            tasks.send_digest.enqueue(person_id=person.pk, period_key=period)
            tasks.send_digest.enqueue(person_id=person.pk, period_key=period)
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while digests().filter(status__in=["READY", "RUNNING"]).exists():
            assert time.monotonic() < deadline, "the queue was not drained in time"
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
            worker.stdout.close()

    results = list(digests())
    assert len(results) == 2 * PEOPLE
    assert {result.status for result in results} == {"SUCCESSFUL"}
    assert sorted(result.return_value for result in results) == [False] * PEOPLE + [True] * PEOPLE
    # Both workers took part, so the pairs really were raced.
    assert {result.worker_ids[-1] for result in results} == {"worker-1", "worker-2"}
    assert emails_per_recipient(outbox) == {person.email: 1 for person in people}
    assert Nudge.objects.filter(sent_at__isnull=False).count() == PEOPLE
