"""Benchmark: FSRS cards at scale — the due-card query, a day's drills, reviews per second.

    .venv/bin/python bench/reinforcement.py                       # 100,000 learners × 200 cards
    .venv/bin/python bench/reinforcement.py --people 20000        # a smaller run
    .venv/bin/python bench/reinforcement.py --database-url postgres://postgres@127.0.0.1:5432/test_reinforce_bench

Without ``--database-url`` it runs on a throw-away SQLite file (never the project's database);
with it, the database given is EMPTIED first (PostgreSQL: its public schema is dropped and
rebuilt). The learners are the demo company
(``seed_demo_company(people=N, customers=0)``, without the other demo chapters); 200 questions
in 8 skills are created, and every learner gets a card for each, generated inside the database
(INSERT … SELECT over learners × questions, random memory states); the card indexes and, on
PostgreSQL, its foreign keys are dropped during the load and built afterwards, as for any bulk
load. About 8 % of the cards are due.

Prints:
- the due-card query for one learner (``selectors.due_cards``): median and 95th percentile over
  ``--sample`` random learners;
- a learner's predicted retention now (``selectors.retention_of``, 200 cards): median;
- building every learner's drill for a day (``selectors.build_drill``): total time, learners/s;
- reviews recorded per second through the app's own ``services.submit_review`` (an Answer, a
  Review and the card's new schedule, in one transaction) against bare ``fsrs`` ``review_card``
  calls in the same run, and the ratio.
"""

import argparse
import datetime
import os
import random
import statistics
import time
import uuid

from _common import django_for_bench, fresh_schema

SKILLS = ("open", "listen", "discover", "add-value", "recognise-need", "hand-over", "close")
SKILLS += ("follow-up",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--cards", type=int, default=200, help="cards per learner")
    parser.add_argument("--sample", type=int, default=200, help="learners timed one by one")
    parser.add_argument("--reviews", type=int, default=2_000, help="reviews through the app")
    parser.add_argument(
        "--drill-learners", type=int, default=None, help="learners whose drill is built (all)"
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with django_for_bench(args.database_url):
        run(args)


def run(args) -> None:
    import fsrs
    from django.db import connection
    from tqdm import tqdm

    from culturegap.demo import company as demo
    from culturegap.org.models import Person
    from culturegap.reinforcement import selectors, services
    from culturegap.reinforcement.models import Card
    from culturegap.reinforcement.scheduling import scheduler_for

    rng = random.Random(args.seed)
    fresh_schema()
    print(f"database           {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"load average       {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start")

    demo.DEMO_CHAPTERS.clear()  # learners only: the other chapters are not measured here
    started = time.perf_counter()
    result = demo.seed_demo_company(people=args.people, customers=0, progress=True)
    company = result.company
    print(f"learners           {result.people:>12,}   ({time.perf_counter() - started:.0f} s)")

    questions = make_questions(company, args.cards)
    people = list(Person.objects.filter(company=company).values_list("pk", flat=True))
    now = datetime.datetime.now(datetime.UTC)
    started = time.perf_counter()
    load_cards(company, people, questions, now)
    seconds = time.perf_counter() - started
    total = Card.objects.filter(company=company).count()
    print(f"cards              {total:>12,}   ({seconds:.0f} s, {total / seconds:,.0f} rows/s)")
    due_total = Card.objects.filter(company=company, due__lte=now).count()
    print(f"due now            {due_total:>12,}   ({due_total / total:.1%})")

    # 1. The due-card query for one learner.
    sample = [
        Person.objects.select_related("company").get(pk=pk)
        for pk in rng.sample(people, args.sample)
    ]
    size = selectors.settings_for(company).drill_size
    timings = []
    for person in sample:
        t = time.perf_counter()
        selectors.due_cards(person=person, now=now, limit=size)
        timings.append(time.perf_counter() - t)
    print(
        f"due-card query     median {ms(statistics.median(timings))}, "
        f"p95 {ms(percentile(timings, 95))} (over {len(sample)} learners)"
    )
    timings = []
    for person in sample[:50]:
        t = time.perf_counter()
        selectors.retention_of(person=person, now=now)
        timings.append(time.perf_counter() - t)
    print(f"retention, 1 person median {ms(statistics.median(timings))} ({args.cards} cards)")

    # 2. Every learner's drill for a day.
    learners = people[: args.drill_learners] if args.drill_learners else people
    # A batch job holds one company object, so the company's settings are read once.
    persons = Person.objects.filter(company=company).order_by("pk")[: len(learners)]
    persons = persons.iterator(2000)
    drills = cards_in_drills = 0
    started = time.perf_counter()
    for person in tqdm(persons, total=len(learners), desc="Drills", unit=" learners"):
        person.company = company
        built = selectors.build_drill(person=person, now=now)
        drills += bool(built)
        cards_in_drills += len(built)
    seconds = time.perf_counter() - started
    print(
        f"a day's drills     {len(learners):,} learners in {seconds:.1f} s = "
        f"{len(learners) / seconds:,.0f} learners/s ({drills:,} drills, "
        f"{cards_in_drills:,} cards)"
    )

    # 3. Reviews per second: the app against bare fsrs.
    reviewers = rng.sample(people, min(args.reviews, len(people)))
    due = []
    for pk in reviewers:
        card = Card.objects.filter(person_id=pk, due__lte=now).select_related("question").first()
        if card is not None:
            option = rng.choice(list(card.question.options.all()))
            due.append((Person.objects.select_related("company").get(pk=pk), card, option))
    started, cpu = time.perf_counter(), time.process_time()
    for person, card, option in due:
        services.submit_review(
            person=person,
            card=card,
            option=option,
            confident=rng.random() < 0.7,
            response_ms=rng.randint(3_000, 30_000),
            request_id=uuid.uuid4(),
            now=now,
        )
    app_seconds, app_cpu = time.perf_counter() - started, time.process_time() - cpu
    app_rate = len(due) / app_seconds

    scheduler = scheduler_for(selectors.settings_for(company))
    bare = [
        fsrs.Card(
            card_id=n,
            state=fsrs.State.Review,
            stability=rng.uniform(1, 60),
            difficulty=rng.uniform(2, 9),
            due=now,
            last_review=now - datetime.timedelta(days=rng.randint(1, 60)),
        )
        for n in range(20_000)
    ]
    ratings = [rng.choice(list(fsrs.Rating)) for _ in bare]
    started, cpu = time.perf_counter(), time.process_time()
    for card, rating in zip(bare, ratings, strict=True):
        scheduler.review_card(card, rating, review_datetime=now)
    bare_seconds, bare_cpu = time.perf_counter() - started, time.process_time() - cpu
    bare_rate = len(bare) / bare_seconds
    print(
        f"reviews, the app   {app_rate:>12,.0f} /s   ({len(due):,} submit_review calls; "
        f"{len(due) / app_cpu:,.0f} per CPU-second of this process)"
    )
    print(
        f"reviews, bare fsrs {bare_rate:>12,.0f} /s   ({len(bare):,} review_card calls; "
        f"{len(bare) / bare_cpu:,.0f} per CPU-second)"
    )
    print(f"ratio              {bare_rate / app_rate:>12,.0f} × (bare fsrs / the app, wall clock)")
    print(f"load average       {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def make_questions(company, count: int):
    """``count`` questions with three options each, in one lesson per skill."""
    from culturegap.training.models import Curriculum, Lesson, Module, Option, Question

    curriculum = Curriculum.objects.create(company=company, key="bench", title="Bench")
    module = Module.objects.create(company=company, curriculum=curriculum, key="m", title="M")
    lessons = {
        skill: Lesson.objects.create(
            company=company, module=module, key=skill, title=skill, objective="o", body="b"
        )
        for skill in SKILLS
    }
    questions = Question.objects.bulk_create(
        [
            Question(
                company=company,
                lesson=lessons[SKILLS[n % len(SKILLS)]],
                key=f"q{n}",
                skill=SKILLS[n % len(SKILLS)],
                audience="service",
                scenario=f"A customer calls about their account (scenario {n}).",
            )
            for n in range(count)
        ]
    )
    Option.objects.bulk_create(
        [
            Option(question=q, text=f"Option {k}", is_correct=k == 1, feedback="Because.")
            for q in questions
            for k in range(3)
        ]
    )
    return [(q.pk, q.skill) for q in questions]


def drop_indexes(connection, model):
    """Drop the table's secondary indexes and unique constraints before a bulk load; return
    what ``restore_indexes`` needs to build them again."""
    if connection.vendor == "sqlite":
        # SQLite's schema editor rebuilds the whole table to drop a constraint; its unique
        # constraints are plain unique indexes, so drop and recreate them from their SQL.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [model._meta.db_table],
            )
            found = cursor.fetchall()
            for name, _ in found:
                cursor.execute(f'DROP INDEX "{name}"')
        return found
    # PostgreSQL: foreign keys too, or every row of the load fires three integrity checks;
    # they are added back (and so checked over the whole table at once) afterwards.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [model._meta.db_table],
        )
        foreign_keys = cursor.fetchall()
        for name, _ in foreign_keys:
            cursor.execute(f'ALTER TABLE {model._meta.db_table} DROP CONSTRAINT "{name}"')
    with connection.schema_editor() as editor:
        for index in model._meta.indexes:
            editor.remove_index(model, index)
        for constraint in model._meta.constraints:
            editor.remove_constraint(model, constraint)
    return foreign_keys


def restore_indexes(connection, model, saved) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for _, sql in saved:
                cursor.execute(sql)
            return
        for name, definition in saved:
            cursor.execute(
                f'ALTER TABLE {model._meta.db_table} ADD CONSTRAINT "{name}" {definition}'
            )
    with connection.schema_editor() as editor:
        for index in model._meta.indexes:
            editor.add_index(model, index)
        for constraint in model._meta.constraints:
            editor.add_constraint(model, constraint)


# One card per learner and question, generated inside the database (a Python loop writes about
# 10,000 rows a second; this, hundreds of thousands). The random values are drawn once per row
# in a materialised subquery and then used for several columns.
_SQLITE_CARDS = """
WITH drawn AS MATERIALIZED (
    SELECT p.id AS person_id, q.id AS question_id, q.skill AS skill,
           1 + 59 * (random() / 18446744073709551616.0 + 0.5) AS stability,
           2 + 7 * (random() / 18446744073709551616.0 + 0.5) AS difficulty,
           -5 + 65 * (random() / 18446744073709551616.0 + 0.5) AS due_days,
           0.5 + 0.7 * (random() / 18446744073709551616.0 + 0.5) AS factor,
           1 + abs(random()) %% 6 AS reps
    FROM org_person p CROSS JOIN training_question q
    WHERE p.company_id = %s AND q.company_id = %s AND p.id BETWEEN %s AND %s
)
INSERT INTO reinforcement_card ({columns})
SELECT %s, person_id, question_id, skill, 2, NULL, stability, difficulty,
       datetime(julianday(%s) + due_days),
       datetime(julianday(%s) + min(0, due_days - stability * factor)),
       reps, 0, NULL,
       datetime(julianday(%s) + min(0, due_days - stability * factor))
FROM drawn
"""
_POSTGRES_CARDS = """
INSERT INTO reinforcement_card ({columns})
SELECT %s, person_id, question_id, skill, 2, NULL, stability, difficulty, due,
       LEAST(%s::timestamptz, due - stability * factor * interval '1 day'),
       reps, 0, NULL,
       LEAST(%s::timestamptz, due - stability * factor * interval '1 day')
FROM (
    SELECT p.id AS person_id, q.id AS question_id, q.skill AS skill,
           1 + 59 * random() AS stability, 2 + 7 * random() AS difficulty,
           %s::timestamptz + (-5 + 65 * random()) * interval '1 day' AS due,
           0.5 + 0.7 * random() AS factor, 1 + floor(random() * 6)::int AS reps
    FROM org_person p CROSS JOIN training_question q
    WHERE p.company_id = %s AND q.company_id = %s AND p.id BETWEEN %s AND %s
) AS drawn
"""
_COLUMNS = (
    "company_id, person_id, question_id, skill, state, step, stability, difficulty, due, "
    "last_review, reps, lapses, suspended_until, created_at"
)


def load_cards(company, people, questions, now) -> int:
    """Write one card per learner and question, indexes dropped during the load."""
    from django.db import connection, transaction
    from tqdm import tqdm

    from culturegap.reinforcement.models import Card

    saved = drop_indexes(connection, Card)
    people = sorted(people)
    per_batch = 1000
    total = 0
    bar = tqdm(total=len(people) * len(questions), desc="Cards", unit=" cards", unit_scale=True)
    for start in range(0, len(people), per_batch):
        first, last = people[start], people[min(start + per_batch, len(people)) - 1]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(
                    _POSTGRES_CARDS.format(columns=_COLUMNS),
                    [company.pk, now, now, now, company.pk, company.pk, first, last],
                )
            else:
                stamp = now.strftime("%Y-%m-%d %H:%M:%S")
                cursor.execute(
                    _SQLITE_CARDS.format(columns=_COLUMNS),
                    [company.pk, company.pk, first, last, company.pk, stamp, stamp, stamp],
                )
        done = (min(start + per_batch, len(people)) - start) * len(questions)
        total += done
        bar.update(done)
    bar.close()
    started = time.perf_counter()
    restore_indexes(connection, Card, saved)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Card._meta.db_table}")
    print(f"card indexes built in {time.perf_counter() - started:.0f} s")
    return total


if __name__ == "__main__":
    main()
