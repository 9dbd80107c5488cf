"""Which company a command-line import or export goes to."""

from culturegap.org.models import Company


class UnknownCompany(LookupError):
    """The company an import should go to cannot be decided; the message says why."""


def company_for_import(*, slug: str | None) -> Company:
    """The company named by ``slug``, or the only company when there is exactly one."""
    if slug:
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            known = ", ".join(Company.objects.order_by("slug").values_list("slug", flat=True))
            raise UnknownCompany(f"No company with slug '{slug}'. Known: {known or 'none'}.")
        return company
    companies = list(Company.objects.order_by("slug")[:2])
    if len(companies) == 1:
        return companies[0]
    if not companies:
        raise UnknownCompany("There is no company yet: create one before importing.")
    raise UnknownCompany("There is more than one company: say which with --company SLUG.")
