"""``culturegap requeue_stale_tasks``: re-queue background tasks whose worker died."""

import datetime

from django.core.management.base import BaseCommand

from culturegap.ops.tasks_recovery import STALE_AFTER, requeue_stale_tasks


class Command(BaseCommand):
    help = (
        "Put background tasks that have been RUNNING for longer than --minutes (default "
        f"{STALE_AFTER.total_seconds() / 60:.0f}) back in the queue: their worker was killed. "
        "Run it from cron, e.g. every 10 minutes next to send_nudges."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--minutes",
            type=float,
            default=STALE_AFTER.total_seconds() / 60,
            help="how long a task may run before it counts as abandoned",
        )

    def handle(self, *args, minutes: float, **options):
        count = requeue_stale_tasks(older_than=datetime.timedelta(minutes=minutes))
        self.stdout.write(f"Re-queued {count} task{'s' if count != 1 else ''}.")
