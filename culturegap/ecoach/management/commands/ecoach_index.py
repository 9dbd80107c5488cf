"""``culturegap ecoach_index``: build and store the eCoach's knowledge index of one company or
all, now (say, after a deploy), and print its figures; ``--evaluate`` also runs the evaluation
set against it (meaningful for a company that uses the starter pack)."""

from django.core.management.base import BaseCommand, CommandError

from culturegap.ecoach import index as knowledge
from culturegap.ecoach.evaluation import load_evaluation_set, retrieval_quality, routing
from culturegap.ecoach.selectors import confidence_threshold
from culturegap.org.models import Company


class Command(BaseCommand):
    help = "Build and store the eCoach index of a company (--company SLUG) or of every company."

    def add_arguments(self, parser):
        parser.add_argument("--company", help="slug of the company (default: every company)")
        parser.add_argument(
            "--evaluate", action="store_true", help="run the evaluation set against the index"
        )

    def handle(self, *args, **options):
        companies = Company.objects.order_by("pk")
        if options["company"]:
            companies = companies.filter(slug=options["company"])
            if not companies.exists():
                raise CommandError(f"--company: no company with the slug {options['company']!r}")
        for company in companies:
            version = knowledge.rebuild_index(company=company)
            current = knowledge.current_index(company=company)
            self.stdout.write(f"{company.slug}: version {version}, {len(current.index)} passages")
            if options["evaluate"]:
                evaluation = load_evaluation_set()
                quality = retrieval_quality(current.index, evaluation.questions)
                threshold = confidence_threshold(company=company)
                self.stdout.write(f"  {quality}")
                self.stdout.write(f"  {routing(current.index, evaluation, threshold=threshold)}")
