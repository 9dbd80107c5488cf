"""Benchmark of the eCoach on the starter pack: time to answer each evaluation question.

Usage: .venv/bin/python bench/ecoach.py [--rounds 5] [--keep]

Loads the starter pack into a company of a throwaway SQLite database in a temporary directory,
then, for every question of culturegap/ecoach/evaluation.yaml (answerable and not), times:
  ask        the whole service a page calls: current index (one query), answer with cited
             sentences and confidence, routing when unsure, and the log row written;
  answer     composing the answer from the cached index (no database);
  bm25s      a bare ``BM25.retrieve`` of the top 3 on the same index, for comparison.
Also the time to build the index and to load the stored one. Prints p50/p95 in milliseconds.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {p50 * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms   max {ordered[-1] * 1000:7.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="times each question is asked")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="culturegap-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "culturegap.settings"
    os.environ["DEBUG"] = "1"
    os.environ["CULTUREGAP_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from culturegap.ecoach import index as knowledge
    from culturegap.ecoach import services
    from culturegap.ecoach.evaluation import load_evaluation_set, retrieval_quality
    from culturegap.ecoach.models import DEFAULT_CONFIDENCE_THRESHOLD
    from culturegap.ecoach.retrieval import tokenize
    from culturegap.org.models import Company, Person
    from culturegap.training.packs import import_starter_pack

    try:
        call_command("migrate", verbosity=0)
        company = Company.objects.create(name="Bench Ltd", slug="bench")
        person = Person.objects.create_user(
            "crp@bench.test", "not-used-here", name="Bench CRP", company=company, is_crp=True
        )
        result = import_starter_pack(company=company)
        if not result.ok:
            raise SystemExit(f"starter pack failed: {result.errors[:3]}")
        evaluation = load_evaluation_set()
        questions = [item.question for item in evaluation.questions] + evaluation.unanswerable

        started = time.perf_counter()
        knowledge.rebuild_index(company=company)  # what the background task does
        build = time.perf_counter() - started
        knowledge.clear_cache()
        started = time.perf_counter()
        current = knowledge.current_index(company=company)  # a fresh process loading it
        load = time.perf_counter() - started
        index = current.index

        for question in questions:  # warm up: caches of sentences, numpy, the database
            services.compose_answer(index=index, question=question, threshold=0.4)
            index.retriever.retrieve([tokenize([question])[0]], k=3, show_progress=False)
        timings: dict[str, list[float]] = {"ask": [], "answer": [], "bm25s": []}
        for _ in range(args.rounds):
            for question in questions:
                started = time.perf_counter()
                services.ask(person=person, question=question)
                timings["ask"].append(time.perf_counter() - started)

                started = time.perf_counter()
                services.compose_answer(
                    index=index, question=question, threshold=DEFAULT_CONFIDENCE_THRESHOLD
                )
                timings["answer"].append(time.perf_counter() - started)

                tokens = [tokenize([question])[0]]
                started = time.perf_counter()
                index.retriever.retrieve(tokens, k=3, show_progress=False, n_threads=1)
                timings["bm25s"].append(time.perf_counter() - started)

        quality = retrieval_quality(index, evaluation.questions)
        lessons = len({passage.group for passage in index.passages if passage.group})
        print(f"passages              {len(index):>8}   ({lessons} lessons, also scored whole)")
        print(f"questions             {len(questions):>8}   × {args.rounds} rounds")
        print(f"build index           {build * 1000:8.1f} ms   (the background task)")
        print(f"load stored index     {load * 1000:8.1f} ms   (a new app process)")
        print(f"ask (service, db)     {percentiles(timings['ask'])}")
        print(f"answer (in memory)    {percentiles(timings['answer'])}")
        print(f"bare bm25s retrieve   {percentiles(timings['bm25s'])}")
        print(f"quality               {quality}")
    finally:
        if args.keep:
            print(f"database kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
