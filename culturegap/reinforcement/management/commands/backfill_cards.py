"""Build FSRS cards and their review history from answers recorded before reinforcement."""

from django.core.management.base import BaseCommand, CommandError

from culturegap.org.models import Company
from culturegap.reinforcement.services import backfill_cards


class Command(BaseCommand):
    help = (
        "Turn every answer that has no card review yet into one, oldest first, in bulk. "
        "Safe to re-run: answers already reviewed are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", help="Slug of one company (default: every company).")
        parser.add_argument(
            "--no-fuzz",
            action="store_true",
            help="Schedule without FSRS's random fuzz, so the result is reproducible.",
        )

    def handle(self, *args, **options):
        companies = Company.objects.order_by("pk")
        if options["company"]:
            companies = companies.filter(slug=options["company"])
            if not companies.exists():
                raise CommandError(f"No company with slug {options['company']!r}.")
        for company in companies:
            result = backfill_cards(
                company=company, progress=options["verbosity"] > 0, fuzz=not options["no_fuzz"]
            )
            self.stdout.write(
                f"{company.name}: {result.answers} answers reviewed, "
                f"{result.cards_created} new cards."
            )
