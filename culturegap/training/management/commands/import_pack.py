"""``culturegap import_pack FILE``: load a content pack (playbook and curricula) into a company."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from culturegap.org.imports import UnknownCompany, company_for_import
from culturegap.training.packs import STARTER_PACK, import_pack


class Command(BaseCommand):
    help = (
        "Import a content pack (YAML or JSON, format culturegap-pack/1; see "
        "docs/content-packs.md). The whole pack is checked first: if anything is wrong every "
        "problem is listed with its place in the file and nothing is written. Importing the "
        "same pack again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help="the pack file (.yaml, .yml or .json), or - for standard input"
        )
        parser.add_argument(
            "--starter", action="store_true", help="import the starter pack shipped with culturegap"
        )
        parser.add_argument(
            "--company", metavar="SLUG", help="the company's slug; optional if there is only one"
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the pack's playbook now (by default it is published only when the "
            "company has no published playbook, otherwise it becomes the draft)",
        )

    def handle(self, *args, **options):
        name = options["file"]
        if options["starter"] == bool(name):
            raise CommandError("Give either a pack FILE or --starter (not both).")
        try:
            company = company_for_import(slug=options["company"])
        except UnknownCompany as error:
            raise CommandError(str(error)) from error
        path = STARTER_PACK if options["starter"] else None
        filename = path.name if path else ("pack.yaml" if name == "-" else name)
        data = self._read(path or name)
        result = import_pack(
            company=company,
            data=data,
            filename=filename,
            publish=True if options["publish"] else None,
        )
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)} problem(s) in {filename}; nothing was imported."
            )
        self.stdout.write(f"{company.name}: {result.summary()}")
        for line in result.details():
            self.stdout.write(f"  {line}")

    def _read(self, name) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}") from error
