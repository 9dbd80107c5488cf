"""E-mail each owner one digest of the opportunities left untouched too long; run it daily."""

from django.core.management.base import BaseCommand, CommandError

from culturegap.opportunities.services import alert_stale_opportunities
from culturegap.org.models import Company


class Command(BaseCommand):
    help = (
        "E-mail owners (or the sales queue's recipients) a digest of open opportunities left "
        "untouched longer than their company's limit. Safe to run more than once a day: an "
        "opportunity is alerted once until someone touches it again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", help="Only this company (its slug).")

    def handle(self, *args, company=None, **options):
        companies = Company.objects.all()
        if company:
            companies = companies.filter(slug=company)
            if not companies.exists():
                raise CommandError(f"No company with slug {company!r}.")
        result = alert_stale_opportunities(companies=companies)
        self.stdout.write(
            f"Sent {result['digests']} digest(s) covering {result['opportunities']} "
            "stale opportunit(ies)."
        )
