"""``culturegap backup FILE``: a backup of the whole database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from culturegap.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a backup of the whole database to FILE: a SQLite copy made with the online "
        "backup API, or a pg_dump custom-format archive for PostgreSQL. The site may keep "
        "running. Restore it with `culturegap restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = file.stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Backed up to {file} ({size:,} bytes)."))
