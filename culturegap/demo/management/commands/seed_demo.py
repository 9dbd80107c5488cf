"""``culturegap seed_demo``: load the demo company, Harbourline Partners, into the database."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from culturegap.demo.company import login_lines, remove_demo_company, seed_demo_company
from culturegap.org.demo import DEMO_SLUG, MAX_CUSTOMERS, DemoCompanyExists


class Command(BaseCommand):
    help = (
        "Load the demo company (a regional accounting and consulting firm) with its teams, "
        "people, services and customers. The same seed gives the same data; every demo login "
        "has the password 'demo'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=200, help="staff (default 200)")
        parser.add_argument(
            "--customers",
            type=int,
            default=None,
            help=f"customers (default ten per member of staff, at most {MAX_CUSTOMERS:,})",
        )
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        parser.add_argument(
            "--replace", action="store_true", help="delete the demo company first if it exists"
        )
        parser.add_argument("--no-progress", action="store_true", help="show no progress bar")

    def handle(self, *args, **options):
        # One transaction: if loading fails, a replaced demo company is still there.
        with transaction.atomic():
            if options["replace"] and remove_demo_company():
                self.stdout.write("Deleted the existing demo company.")
            try:
                result = seed_demo_company(
                    people=options["people"],
                    customers=options["customers"],
                    seed=options["seed"],
                    progress=not options["no_progress"],
                )
            except DemoCompanyExists as error:
                raise CommandError(
                    f"The demo company (slug {DEMO_SLUG!r}) is already loaded. "
                    "Run with --replace to delete it and load it again."
                ) from error
            except ValueError as error:
                raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(result.summary()))
        self.stdout.write("Sign in with:")
        for line in login_lines():
            self.stdout.write(line)
