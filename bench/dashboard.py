"""Benchmark: the executive dashboard of a big company on PostgreSQL, against its bare SQL.

    .venv/bin/python bench/dashboard.py                      # 10,000 people, then top up
    .venv/bin/python bench/dashboard.py --runs 20 --keep     # time again, reusing the data

The database (default ``postgres://postgres@127.0.0.1:5432/cg_dashbench``) is created when
missing. Without ``--keep`` it is emptied (public schema dropped), migrated and loaded with the
demo company at ``--people`` staff (``seed_demo_company``: teams, customers, the training
rollout, two years of opportunities and loyalty surveys, cards and drills); the volumes are
then topped up inside the database (INSERT … SELECT, no round trips per row) to at least
``--reviews`` FSRS reviews (copies of the demo's reviews on the demo's cards),
``--opportunities`` opportunities (copies of the demo's, over the same two years) and
``--responses`` loyalty answers (extra survey campaigns to every customer contact, scores
drawn at random, answered over the last two years). Progress is printed.

Prints the warm render time of ``/dashboard/`` for the executive (whole company) and for the
demo manager (one reporting line) through Django's test Client — median of ``--runs`` after
two warm-up renders — beside the time of the bare SQL statements the page ran (captured from
one render and re-executed with a plain cursor, median of the same number of runs), and the
ratio: what the Python around the queries (statistics, tables, charts, template) costs.

Each page is timed twice: as people see it, with the figures the page keeps (recall and
customer figures for ten minutes, the impact analysis until new data arrives), and with
nothing kept (the cache cleared before every render, so every figure is computed afresh).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cg_dashbench"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=1_000_000)
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--responses", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="reuse the data already loaded")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("this benchmark runs on PostgreSQL")

    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # Production settings serve hashed static files: collected once into a scratch folder.
    os.environ.setdefault("STATIC_ROOT", "/tmp/culturegap-bench-static")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "culturegap.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    create_database(args.database_url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    if not args.keep:
        load(args)
    measure(args)


def create_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"Created database {name}")


def step(label: str):
    class _Step:
        def __enter__(self):
            self.started = time.perf_counter()
            print(f"{label} …", flush=True)

        def __exit__(self, *exc):
            print(f"  done in {time.perf_counter() - self.started:.1f} s", flush=True)

    return _Step()


def load(args) -> None:
    from django.core.management import call_command
    from django.db import connection

    from culturegap.demo.company import seed_demo_company

    with step("Emptying and migrating the database"):
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        call_command("migrate", verbosity=0)
    with step(f"Demo company with {args.people:,} people"):
        result = seed_demo_company(people=args.people, progress=True)
        print(" ", result.summary())
    company = result.company
    top_up_reviews(company, args.reviews)
    top_up_opportunities(company, args.opportunities)
    top_up_responses(company, args.responses)
    with step("ANALYZE"):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def count(model, company) -> int:
    return model.objects.filter(company=company).count()


def top_up_reviews(company, target: int) -> None:
    from django.db import connection

    from culturegap.reinforcement.models import Card, Review

    have = count(Review, company)
    cards = count(Card, company)
    print(f"Reviews: {have:,} from the demo on {cards:,} cards")
    if have >= target or not have:
        return
    table = Review._meta.db_table
    columns = [
        f.column
        for f in Review._meta.concrete_fields
        if f.column not in ("id", "request_id", "answer_id", "drill_id")
    ]
    listed = ", ".join(columns)
    with step(f"Topping reviews up to {target:,}"):
        with connection.cursor() as cursor:
            while have < target:
                batch = min(target - have, have)
                cursor.execute(
                    f"INSERT INTO {table} ({listed}, request_id) "
                    f"SELECT {listed}, gen_random_uuid() FROM {table} "
                    f"WHERE company_id = %s ORDER BY id LIMIT %s",
                    [company.pk, batch],
                )
                have += batch
                print(f"  {have:,} reviews", flush=True)


def top_up_opportunities(company, target: int) -> None:
    from django.db import connection

    from culturegap.opportunities.models import Opportunity

    have = count(Opportunity, company)
    print(f"Opportunities: {have:,} from the demo")
    if have >= target or not have:
        return
    table = Opportunity._meta.db_table
    columns = [f.column for f in Opportunity._meta.concrete_fields if f.column != "id"]
    listed = ", ".join(columns)
    with step(f"Topping opportunities up to {target:,}"):
        with connection.cursor() as cursor:
            while have < target:
                batch = min(target - have, have)
                cursor.execute(
                    f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {table} "
                    f"WHERE company_id = %s ORDER BY id LIMIT %s",
                    [company.pk, batch],
                )
                have += batch
                print(f"  {have:,} opportunities", flush=True)


def top_up_responses(company, target: int) -> None:
    import datetime

    from django.db import connection
    from django.utils import timezone

    from culturegap.loyalty.models import SurveyCampaign, SurveyInvitation, SurveyResponse
    from culturegap.org.models import Contact, Customer

    have = count(SurveyResponse, company)
    print(f"Loyalty answers: {have:,} from the demo")
    if have >= target:
        return
    invitations = SurveyInvitation._meta.db_table
    responses = SurveyResponse._meta.db_table
    contacts, customers = Contact._meta.db_table, Customer._meta.db_table
    today = timezone.localdate()
    number = 0
    with step(f"Topping loyalty answers up to {target:,}"):
        while have < target:
            number += 1
            campaign = SurveyCampaign.objects.create(
                company=company,
                name=f"Benchmark survey {number}",
                opens_on=today - datetime.timedelta(days=730),
                closes_on=today - datetime.timedelta(days=1),
            )
            batch = target - have
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {invitations} (company_id, campaign_id, customer_id, "
                    "contact_id, sent_at, answered_at) "
                    "SELECT k.company_id, %s, k.customer_id, k.id, k.at, k.at FROM "
                    "(SELECT company_id, customer_id, id, "
                    "now() - random() * interval '729 days' AS at "
                    f"FROM {contacts} WHERE company_id = %s ORDER BY id LIMIT %s) k",
                    [campaign.pk, company.pk, batch],
                )
                cursor.execute(
                    f"INSERT INTO {responses} (company_id, campaign_id, invitation_id, "
                    "customer_id, team_id, score, reason, answered_at) "
                    "SELECT i.company_id, i.campaign_id, i.id, i.customer_id, c.serving_team_id, "
                    "LEAST(10, FLOOR(random() * 11))::int, '', i.answered_at "
                    f"FROM {invitations} i JOIN {customers} c ON c.id = i.customer_id "
                    "WHERE i.campaign_id = %s",
                    [campaign.pk],
                )
                added = cursor.rowcount
            if added <= 0:
                print("  no customer contacts to invite: stopping")
                return
            have += added
            print(f"  {have:,} answers", flush=True)


def measure(args) -> None:
    from django.test import Client

    from culturegap.loyalty.models import SurveyResponse
    from culturegap.opportunities.models import Opportunity
    from culturegap.org.demo import DEMO_EMAILS, DEMO_SLUG
    from culturegap.org.models import Company, Person, Role
    from culturegap.reinforcement.models import Card, Review

    company = Company.objects.get(slug=DEMO_SLUG)
    print()
    print(
        f"{count(Person, company):,} people, {count(Review, company):,} reviews on "
        f"{count(Card, company):,} cards, {count(Opportunity, company):,} opportunities, "
        f"{count(SurveyResponse, company):,} loyalty answers"
    )
    print(f"Machine load (1, 5, 15 min): {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for role in (Role.EXECUTIVE, Role.MANAGER):
        viewer = Person.objects.get(email=DEMO_EMAILS[role])
        client = Client()
        client.force_login(viewer)
        for recompute in (False, True):
            time_page(client, role, recompute=recompute, runs=args.runs)


def time_page(client, role, *, recompute: bool, runs: int) -> None:
    """Median warm render against the median of its bare SELECTs. ``recompute``: the cache is
    cleared before every render, so the kept figures' queries and the impact fits count too."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def render():
        if recompute:
            cache.clear()
        response = client.get("/dashboard/", secure=True)
        assert response.status_code == 200, response.status_code

    for _ in range(2):
        render()
    renders = []
    for _ in range(runs):
        started = time.perf_counter()
        render()
        renders.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        render()
    statements = [
        query["sql"]
        for query in captured.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT")
    ]
    bare = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
            bare.append(time.perf_counter() - started)
    page, sql = statistics.median(renders), statistics.median(bare)
    mode = "nothing kept " if recompute else "figures kept"
    print(
        f"{role.label:<10} {mode}: page median {page * 1000:.0f} ms "
        f"(min {min(renders) * 1000:.0f}, max {max(renders) * 1000:.0f}, {runs} warm renders); "
        f"its {len(statements)} SELECTs alone median {sql * 1000:.0f} ms; ratio {page / sql:.1f}×",
        flush=True,
    )


if __name__ == "__main__":
    main()
