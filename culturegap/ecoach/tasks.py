"""Background tasks of the eCoach (django-tasks): rebuilding a company's knowledge index after
its content changed, so that questions find a ready index."""

from django_tasks import task

from culturegap.ecoach import index
from culturegap.ecoach.models import KnowledgeIndexVersion
from culturegap.org.models import Company


@task()
def rebuild_index(company_id: int) -> int | None:
    """Build and store the company's index; the version it reflects. Several changes in a row
    enqueue several runs: the first builds, the others find it built and stop."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return None
    row = KnowledgeIndexVersion.objects.filter(company=company).only("version", "built_version")
    row = row.first()
    if row is not None and row.built_version == row.version:
        return row.version
    return index.rebuild_index(company=company)
