"""``culturegap retry_webhooks``: enqueue again webhook deliveries whose task was lost."""

from django.core.management.base import BaseCommand

from culturegap.integrations.webhooks import requeue_lost


class Command(BaseCommand):
    help = (
        "Enqueue again the pending webhook deliveries whose task was lost (a worker stopped "
        "mid-attempt, or the queue was unavailable). Safe to run every few minutes from cron."
    )

    def handle(self, *args, **options):
        count = requeue_lost()
        self.stdout.write(f"{count} deliver{'y' if count == 1 else 'ies'} enqueued again.")
