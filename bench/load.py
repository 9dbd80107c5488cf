"""Load test: gunicorn with production settings on PostgreSQL, driven by locust on loopback.

    .venv/bin/python bench/load.py                                  # 5 minutes, 200 + 20 users
    .venv/bin/python bench/load.py --minutes 1 --learners 50 --managers 5
    .venv/bin/python bench/load.py --restart-db --pg-cluster 15/main  # restart PostgreSQL

The database (``--database-url``, default ``postgres://postgres@127.0.0.1:5432/cg_load``) is
created and migrated if needed and gets the demo company once (``seed_demo --people N``); it is
never emptied. Before each run the learners' cards are all made due, so every learner has a
drill, and a session is stored for each simulated person (see bench/locustfile.py).

Four phases, against the same gunicorn (``--workers``, DEBUG=0, a SECRET_KEY):
1. ``/healthz`` (the bare Django view: one ``SELECT 1``) as fast as 20 clients can go, then
   ``/healthz/me`` (the bare view behind sign-in: the session and the person, no template), the
   fair baseline for a page a learner opens;
2. learners answering drill questions without pausing, as fast as they can go (capacity);
3. the realistic mix for ``--minutes``: ``--learners`` learners doing drills (a question, a
   pause of about ``--think`` seconds, the answer) and ``--managers`` managers reading team
   pages. With ``--restart-db`` the PostgreSQL cluster is restarted (``pg_ctlcluster``) half-way
   through and the errors around it and the time to recover are reported; gunicorn is never
   restarted.

Prints requests per second, the 50th/95th/99th percentiles per request type and the errors, the
health checks' throughput, the ratio of the signed-in one to the drill's (goal: at most
``GOAL_RATIO``) and the app's CPU per drill request (gunicorn's workers, from /proc; goal: at
most ``GOAL_CPU_MS``).
"""

import argparse
import csv
import datetime
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Processes whose CPU time is counted per phase: {"gunicorn": [pid], "PostgreSQL": [pid]}.
WATCHED: dict[str, list[int]] = {}
LOCUSTFILE = ROOT / "bench" / "locustfile.py"
GOAL_P95_MS = 200
GOAL_RATIO = 3
GOAL_CPU_MS = 8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cg_load")
    parser.add_argument("--people", type=int, default=1000, help="demo company size (1000)")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--managers", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--think", type=float, default=3.0, help="seconds a learner reads (3)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--capacity-seconds", type=int, default=30)
    parser.add_argument("--restart-db", action="store_true")
    parser.add_argument(
        "--pg-cluster", default="15/main", help="VERSION/NAME for pg_ctlcluster (15/main)"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="culturegap-load-"))
    env = server_env(args, work)
    os.environ.update(env)
    prepare_database(args)
    sessions = prepare_people(args, work)
    subprocess.run(
        [sys.executable, "-m", "culturegap.cli", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = start_gunicorn(args, env, work)
    WATCHED["gunicorn"] = [server.pid]
    if (postgres := postmaster_pid()) is not None:
        WATCHED["PostgreSQL"] = [postgres]
    try:
        host = f"http://127.0.0.1:{args.port}"
        wait_for(host + "/healthz")
        print(f"gunicorn: {args.workers} workers on {host}; load average {load_average()}")
        dashboard = probe_dashboard(host, sessions)
        common = {"CULTUREGAP_LOAD_SESSIONS": str(sessions), "CULTUREGAP_LOAD_DASHBOARD": dashboard}

        print(f"\n1. /healthz, 20 clients without pause, {args.capacity_seconds} s")
        health = run_locust(
            host, ["HealthProbe"], 20, args.capacity_seconds, work / "health", common, env
        )
        print(f"   /healthz/me, 20 signed-in clients without pause, {args.capacity_seconds} s")
        signed_in = run_locust(
            host, ["SignedInProbe"], 20, args.capacity_seconds, work / "me", common, env
        )
        print(f"\n2. drill capacity: 20 learners without pause, {args.capacity_seconds} s")
        capacity = run_locust(
            host,
            ["Learner"],
            20,
            args.capacity_seconds,
            work / "capacity",
            common | {"CULTUREGAP_LOAD_THINK": "0"},
            env,
        )
        users = args.learners + args.managers
        seconds = int(args.minutes * 60)
        print(
            f"\n3. {args.learners} learners (pause ≈ {args.think} s) and {args.managers} "
            f"managers, {seconds} s"
            + (" — PostgreSQL restarted half-way" if args.restart_db else "")
        )
        restart = None
        mix_env = common | {"CULTUREGAP_LOAD_THINK": str(args.think)}
        if args.restart_db:
            restart = {"after": seconds / 2, "cluster": args.pg_cluster}
        mix = run_locust(
            host,
            ["Learner", "Manager"],
            users,
            seconds,
            work / "mix",
            mix_env,
            env,
            learners_and_managers=(args.learners, args.managers),
            restart=restart,
        )
        after = urllib.request.urlopen(host + "/healthz", timeout=10).status
        alive = server.poll() is None
        report(args, health, signed_in, capacity, mix, restart, after, alive)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


def server_env(args, work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env |= {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": args.database_url,
        "SECURE_SSL_REDIRECT": "0",
        "CULTUREGAP_DATA_DIR": str(work),
        "STATIC_ROOT": str(work / "static"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "culturegap.settings",
    }
    return env


def prepare_database(args) -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(args.database_url)
    admin = psycopg.connect(
        dbname="postgres",
        user=config["USER"],
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        autocommit=True,
    )
    exists = admin.execute(
        "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
    ).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()
    manage = [sys.executable, "-m", "culturegap.cli"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, check=True)

    import django

    django.setup()
    from culturegap.org.demo import DEMO_SLUG
    from culturegap.org.models import Company

    if not Company.objects.filter(slug=DEMO_SLUG).exists():
        print(f"Seeding the demo company with {args.people} people (once per database)…")
        started = time.monotonic()
        subprocess.run(
            [*manage, "seed_demo", "--people", str(args.people), "--no-progress"],
            cwd=ROOT,
            check=True,
        )
        print(f"  seeded in {time.monotonic() - started:.0f} s")


def prepare_people(args, work: Path) -> Path:
    """Every learner's cards due now, a session per simulated person; returns the JSON file."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count
    from django.utils import timezone

    from culturegap.org.demo import DEMO_SLUG
    from culturegap.org.models import Person
    from culturegap.reinforcement.models import Card

    people = Person.objects.filter(company__slug=DEMO_SLUG, is_active=True)
    learners = list(
        people.filter(is_crp=True)
        .annotate(card_count=Count("cards"))
        .filter(card_count__gt=0)
        .order_by("-card_count", "pk")[: args.learners]
    )
    if len(learners) < args.learners:
        sys.exit(f"Only {len(learners)} learners have cards; seed a bigger demo (--people).")
    managers = list(people.filter(is_manager=True, team__isnull=False).order_by("pk"))
    managers = managers[: args.managers]
    if not managers:
        sys.exit("The demo company has no manager with a team.")
    now = timezone.now()
    due = Card.objects.filter(person__in=learners).update(
        due=now - datetime.timedelta(hours=1), suspended_from=None, suspended_until=None
    )
    print(
        f"{len(learners)} learners ({due:,} cards, all due now), {len(managers)} managers; "
        f"load average {load_average()}"
    )
    backend = "culturegap.org.auth.PersonBackend"

    def session(person) -> str:
        store = SessionStore()
        store[SESSION_KEY] = str(person.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = person.get_session_auth_hash()
        store.set_expiry(24 * 3600)
        store.save()
        return store.session_key

    data = {
        "csrf": secrets.token_hex(16),
        "learner": [{"session": session(p), "email": p.email} for p in learners],
        "manager": [{"session": session(p), "email": p.email, "team": p.team_id} for p in managers],
    }
    path = work / "sessions.json"
    path.write_text(json.dumps(data))
    return path


def start_gunicorn(args, env: dict, work: Path) -> subprocess.Popen:
    log = open(work / "gunicorn.log", "w")
    command = [sys.executable, "-m", "gunicorn", "culturegap.wsgi:application"]
    command += ["--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers)]
    command += ["--timeout", "30", "--graceful-timeout", "10"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer within {seconds:.0f} s")


def probe_dashboard(host: str, sessions: Path) -> str:
    """'1' when /dashboard/ answers a manager with 200 (the executive dashboard is there)."""
    data = json.loads(sessions.read_text())
    request = urllib.request.Request(
        host + "/dashboard/",
        headers={
            "Cookie": f"sessionid={data['manager'][0]['session']}",
            "X-Forwarded-Proto": "https",
        },
    )
    try:
        return "1" if urllib.request.urlopen(request, timeout=30).status == 200 else "0"
    except OSError:
        return "0"


def run_locust(
    host, classes, users, seconds, prefix, extra_env, env, learners_and_managers=None, restart=None
) -> dict:
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"]
    command += ["--host", host, "-u", str(users), "-r", str(max(1, users // 10))]
    command += ["-t", f"{seconds}s", "--csv", str(prefix), "--only-summary", "--stop-timeout", "10"]
    if learners_and_managers:
        # Fixed counts per class rather than weights: exactly N learners and M managers.
        learners, managers = learners_and_managers
        extra_env = extra_env | {
            "CULTUREGAP_LOAD_LEARNERS": str(learners),
            "CULTUREGAP_LOAD_MANAGERS": str(managers),
        }
    command += classes
    started = time.monotonic()
    cpu_before = {name: cpu_seconds(pids) for name, pids in WATCHED.items()}
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env | extra_env,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{prefix}.log", "w"),
    )
    restart_info = None
    if restart:
        time.sleep(restart["after"])
        version, name = restart["cluster"].split("/")
        at = time.monotonic() - started
        took = time.monotonic()
        subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True)
        restart_info = {"at": at, "took": time.monotonic() - took}
        restart |= restart_info
    process.wait()
    # PostgreSQL's pid changes when it is restarted: the figure is then left out.
    stats = read_stats(prefix)
    requests = int(stats["rows"]["Aggregated"]["Request Count"]) or 1
    stats["cpu_ms"] = {
        name: (cpu_seconds(pids) - cpu_before[name]) * 1000 / requests
        for name, pids in WATCHED.items()
        if not (restart and name == "PostgreSQL")
    }
    stats["history"] = read_history(prefix)
    return stats


def read_stats(prefix: Path) -> dict:
    rows = {}
    with open(f"{prefix}_stats.csv") as file:
        for row in csv.DictReader(file):
            rows[row["Name"]] = row
    failures = []
    with open(f"{prefix}_failures.csv") as file:
        failures = list(csv.DictReader(file))
    return {"rows": rows, "failures": failures}


def read_history(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_stats_history.csv")
    if not path.exists():
        return []
    with open(path) as file:
        return [row for row in csv.DictReader(file) if row["Name"] == "Aggregated"]


def _ms(row, column) -> str:
    value = row.get(column, "N/A")
    return value if value in {"N/A", ""} else f"{float(value):.0f}"


def print_table(stats: dict) -> None:
    header = f"{'request':<30} {'count':>7} {'errors':>6} {'req/s':>7}"
    print(f"  {header} {'p50':>5} {'p95':>5} {'p99':>5}")
    for name, row in stats["rows"].items():
        print(
            f"  {name:<30} {int(row['Request Count']):>7} {int(row['Failure Count']):>6} "
            f"{float(row['Requests/s']):>7.1f} {_ms(row, '50%'):>5} {_ms(row, '95%'):>5} "
            f"{_ms(row, '99%'):>5}"
        )
    cpu = ", ".join(f"{name} {ms:.1f} ms" for name, ms in stats.get("cpu_ms", {}).items())
    if cpu:
        print(f"  CPU per request: {cpu}")
    for failure in stats["failures"][:10]:
        print(
            f"    {failure['Occurrences']} × {failure['Method']} {failure['Name']}: "
            f"{failure['Error'][:120]}"
        )


def report(args, health, signed_in, capacity, mix, restart, after_status, alive) -> None:
    print("\nResults (times in ms)")
    print("1. health checks")
    print_table(health)
    print_table(signed_in)
    print("2. drill capacity")
    print_table(capacity)
    print("3. realistic mix")
    print_table(mix)
    health_rps = float(health["rows"]["GET /healthz"]["Requests/s"])
    answers = capacity["rows"].get("POST /drill/answer/")
    pages = capacity["rows"].get("GET /drill/")
    drill_rps = float(answers["Requests/s"]) if answers else 0.0
    requests_rps = float(capacity["rows"]["Aggregated"]["Requests/s"])
    print(
        f"\n/healthz: {health_rps:.0f} req/s; drill at capacity: {requests_rps:.0f} req/s "
        f"({drill_rps:.0f} answers/s) — the bare view serves {health_rps / requests_rps:.1f}× "
        "the drill's requests"
    )
    me_rps = float(signed_in["rows"]["GET /healthz/me"]["Requests/s"])
    ratio = me_rps / requests_rps
    cpu_ms = capacity["cpu_ms"].get("gunicorn", 0.0)
    print(
        f"/healthz/me: {me_rps:.0f} req/s — {ratio:.1f}× the drill's requests "
        f"(goal ≤ {GOAL_RATIO}×: {'met' if ratio <= GOAL_RATIO else 'NOT met'}); "
        f"app CPU per drill request {cpu_ms:.1f} ms "
        f"(goal ≤ {GOAL_CPU_MS} ms: {'met' if cpu_ms <= GOAL_CPU_MS else 'NOT met'}), "
        f"per /healthz/me {signed_in['cpu_ms'].get('gunicorn', 0.0):.1f} ms"
    )
    if pages and answers:
        print(
            f"drill p95 at capacity: page {_ms(pages, '95%')} ms, answer {_ms(answers, '95%')} ms"
        )
    rows = mix["rows"]
    errors = int(rows["Aggregated"]["Failure Count"])
    total = int(rows["Aggregated"]["Request Count"])
    drill_p95 = max(
        float(rows[name]["95%"]) for name in ("GET /drill/", "POST /drill/answer/") if name in rows
    )
    print(
        f"mix: {total:,} requests, {float(rows['Aggregated']['Requests/s']):.1f} req/s, "
        f"{errors} errors; drill p95 {drill_p95:.0f} ms "
        f"(goal: 0 errors, p95 < {GOAL_P95_MS} ms: "
        f"{'met' if errors == 0 and drill_p95 < GOAL_P95_MS else 'NOT met'})"
    )
    if restart:
        print(
            f"PostgreSQL restarted at {restart['at']:.0f} s (pg_ctlcluster took "
            f"{restart['took']:.1f} s); {errors} failed requests in the whole run"
        )
        last_failure = None
        previous = 0
        for row in mix["history"]:
            failures = int(row["Total Failure Count"])
            if failures > previous:
                last_failure = int(row["Timestamp"])
            previous = failures
        first = int(mix["history"][0]["Timestamp"]) if mix["history"] else 0
        if last_failure is not None:
            print(f"  last failure {last_failure - first - restart['at']:.0f} s after the restart")
        print(
            f"  after the run /healthz answers {after_status}; gunicorn "
            f"{'still the same process (never restarted)' if alive else 'DIED'}"
        )
    print(f"load average at the end: {load_average()}")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def cpu_seconds(root_pids: list[int]) -> float:
    """User + system CPU of these processes and their children (gunicorn's workers,
    PostgreSQL's backends), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for root in root_pids:
        for pid in [root, *_children(root)]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
            if pid == root:
                # Children that have exited (a PostgreSQL backend whose connection closed).
                total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / ticks


def postmaster_pid() -> int | None:
    """The PostgreSQL server's process, when it runs on this machine."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setting FROM pg_settings WHERE name = 'data_directory'")
            data_directory = cursor.fetchone()[0]
        connection.close()
        return int(Path(data_directory, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
