"""Fault drills: PostgreSQL restarted under load, and a task worker killed mid-task.

    .venv/bin/python bench/faults.py --pg-cluster 15/main
    .venv/bin/python bench/faults.py --only worker-kill

1. ``db-restart``: ``bench/load.py --restart-db`` for ``--minutes`` (2): 200 learners and 20
   managers while ``pg_ctlcluster`` restarts the cluster half-way; prints the failed requests
   (503, at once, no hang) and that gunicorn recovered without a restart.
2. ``worker-kill``: the two SIGKILL cases of ``culturegap/ops/tests/test_tasks_recovery.py``
   with real ``db_worker`` processes on the PostgreSQL server of ``--database-url`` — killed
   before its claim (the nudge is sent once after ``requeue_stale_tasks``) and after sending
   (it is not sent again).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/cg_load")
    parser.add_argument("--pg-cluster", default="15/main")
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--only", choices=["db-restart", "worker-kill"])
    args = parser.parse_args()
    failed = False
    if args.only in (None, "db-restart"):
        print("== PostgreSQL restarted under load ==", flush=True)
        command = [sys.executable, str(ROOT / "bench" / "load.py")]
        command += ["--database-url", args.database_url, "--restart-db"]
        command += ["--pg-cluster", args.pg_cluster, "--minutes", str(args.minutes)]
        command += ["--think", "10", "--capacity-seconds", "10"]
        failed |= subprocess.run(command, cwd=ROOT).returncode != 0
    if args.only in (None, "worker-kill"):
        print("\n== A nudge worker killed with SIGKILL ==", flush=True)
        started = time.monotonic()
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        command += ["culturegap/ops/tests/test_tasks_recovery.py", "-k", "killed", "-rA"]
        result = subprocess.run(
            command, cwd=ROOT, env={**os.environ, "DATABASE_URL": args.database_url}
        )
        print(
            f"worker-kill drills: {'passed' if result.returncode == 0 else 'FAILED'} "
            f"in {time.monotonic() - started:.0f} s"
        )
        failed |= result.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
