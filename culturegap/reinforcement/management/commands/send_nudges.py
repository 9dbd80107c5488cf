"""Enqueue the nudges due now: run it every hour (cron), with `culturegap db_worker` running."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from culturegap.reinforcement.nudges import enqueue_nudges


class Command(BaseCommand):
    help = (
        "Enqueue the morning digests of companies whose local time is their digest hour, and on "
        "Mondays the managers' alerts. Run it hourly; each nudge is sent at most once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Pretend it is this moment (ISO 8601 with a UTC offset), e.g. for a test run.",
        )

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            try:
                now = datetime.datetime.fromisoformat(options["now"])
            except ValueError as error:
                raise CommandError(f"--now: {error}") from error
            if now.tzinfo is None:
                raise CommandError("--now needs a UTC offset, e.g. 2026-11-25T08:00:00+00:00")
        enqueued = enqueue_nudges(now=now)
        self.stdout.write(
            f"Enqueued {enqueued.digests} digest(s) and {enqueued.alerts} manager alert(s)."
        )
