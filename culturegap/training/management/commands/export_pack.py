"""``culturegap export_pack FILE``: write a company's playbook and curricula as a content pack."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from culturegap.org.imports import UnknownCompany, company_for_import
from culturegap.training.packs import UnknownCurriculum, dump_pack, export_pack


class Command(BaseCommand):
    help = (
        "Export a company's published playbook and curricula as a content pack: YAML, or JSON "
        "when FILE ends in .json (- writes YAML to standard output). The file imports back "
        "unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="where to write the pack (.yaml, .yml or .json), or -")
        parser.add_argument(
            "--company", metavar="SLUG", help="the company's slug; optional if there is only one"
        )
        parser.add_argument(
            "--curriculum",
            metavar="KEY",
            action="append",
            help="export only this curriculum (repeat for more); default: all of them",
        )
        parser.add_argument(
            "--draft", action="store_true", help="export the draft playbook, not the published one"
        )
        parser.add_argument(
            "--no-playbook", action="store_true", help="leave the playbook out of the pack"
        )

    def handle(self, *args, **options):
        try:
            company = company_for_import(slug=options["company"])
        except UnknownCompany as error:
            raise CommandError(str(error)) from error
        try:
            pack = export_pack(
                company=company,
                curriculum_keys=options["curriculum"],
                draft=options["draft"],
                include_playbook=not options["no_playbook"],
            )
        except UnknownCurriculum as error:
            raise CommandError(str(error)) from error
        name = options["file"]
        content = dump_pack(pack, filename="pack.yaml" if name == "-" else name)
        if name == "-":
            self.stdout.write(content.decode("utf-8"), ending="")
            return
        try:
            Path(name).write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {name}: {error.strerror}") from error
        curricula = len(pack["curricula"])
        self.stdout.write(
            f"{company.name}: wrote {name} ({curricula} curricul{'um' if curricula == 1 else 'a'}"
            f"{', with the playbook' if 'playbook' in pack else ', no playbook'})."
        )
