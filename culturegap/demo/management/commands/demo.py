"""``culturegap demo``: try culturegap on this machine in one command: migrate, load the demo
company into an empty database, print the logins and serve."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from culturegap.demo.company import login_lines, seed_demo_company
from culturegap.org.demo import demo_company_exists
from culturegap.org.models import Company


class Command(BaseCommand):
    help = (
        "Serve culturegap with the demo company: migrates the database, loads the demo "
        "company if there is no company yet, prints the logins and runs the development server."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--addr", default="127.0.0.1", help="address (default 127.0.0.1)")

    def handle(self, *args, **options):
        self.prepare()
        host = options["addr"]
        # An IPv6 address needs brackets in a URL and in runserver's addr:port.
        if ":" in host:
            host = f"[{host}]"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"culturegap is at http://{host}:{options['port']}"))
        if demo_company_exists():
            self.stdout.write("Sign in as one of:")
            for line in login_lines():
                self.stdout.write(line)
        else:
            self.stdout.write(
                "This database already has a company, so the demo company was not loaded; "
                "sign in with your own accounts, or add it with `culturegap seed_demo`."
            )
        self.stdout.write("")
        self.serve(f"{host}:{options['port']}")

    def prepare(self) -> None:
        """Everything before serving: a schema that is up to date and, in an empty database,
        the demo company."""
        call_command("migrate", interactive=False, verbosity=0)
        if not Company.objects.exists():
            self.stdout.write("Loading the demo company…")
            result = seed_demo_company(progress=True)
            self.stdout.write(result.summary())

    def serve(self, addrport: str) -> None:
        # Without the reloader the logins above are printed once, not again by a child process.
        call_command("runserver", addrport, use_reloader=False)
