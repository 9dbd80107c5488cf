"""``culturegap restore FILE``: replace the database's content with a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from culturegap.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup in FILE (made by "
        "`culturegap backup`). Stop the site and the workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, file: Path, interactive: bool, **options):
        if interactive:
            answer = input(
                f"This replaces every row of the database with the content of {file}.\n"
                "Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored from {file}."))
