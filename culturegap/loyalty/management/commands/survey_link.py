"""``culturegap survey_link [--customer EXTERNAL_ID]``: print a working survey link to try the
customer's side of the loyalty survey (for demos and support)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from culturegap.loyalty import selectors, services
from culturegap.org.models import Company, Contact


class Command(BaseCommand):
    help = (
        "Print a fresh link to the campaign open today, for one customer's contact (the first "
        "one still to answer when no customer is given). Any earlier link of that contact "
        "stops working."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customer", help="the customer's id (external id), e.g. HL-000042")
        parser.add_argument(
            "--company", help="the company's slug (needed when there are several companies)"
        )
        parser.add_argument("--base-url", default=None, help="address of the site in the link")

    def handle(self, *args, **options):
        company = self._company(options["company"])
        campaign = selectors.open_campaign(company=company)
        if campaign is None:
            raise CommandError(
                f"{company} has no survey open today; a program admin can start one from "
                "Loyalty → Surveys."
            )
        contact = self._contact(company, campaign, options["customer"])
        try:
            _, token = services.issue_link(campaign=campaign, contact=contact)
        except ValidationError as error:
            hint = " Leave out --customer to get a link for someone still to answer."
            message = " ".join(error.messages) + (hint if options["customer"] else "")
            raise CommandError(message) from error
        self.stdout.write(
            f"{contact.customer} ({contact.customer.external_id}), {contact.name}, “{campaign}”:"
        )
        self.stdout.write(services.survey_url(token, base_url=options["base_url"]))

    def _company(self, slug):
        companies = Company.objects.all()
        if slug:
            company = companies.filter(slug=slug).first()
            if company is None:
                raise CommandError(f"There is no company {slug!r}.")
            return company
        found = list(companies[:2])
        if len(found) != 1:
            raise CommandError("Say which company with --company SLUG.")
        return found[0]

    def _contact(self, company, campaign, external_id):
        contacts = Contact.objects.filter(company=company).select_related("customer")
        if external_id:
            contact = contacts.filter(customer__external_id=external_id).first()
            if contact is None:
                raise CommandError(
                    f"{company} has no customer {external_id!r} with a contact to survey."
                )
            return contact
        waiting = selectors.unanswered_invitations(campaign=campaign).order_by("pk").first()
        if waiting is not None:
            return contacts.get(pk=waiting.contact_id)
        customer = (
            selectors.customers_with_contact_without_invitation(campaign=campaign)
            .order_by("pk")
            .first()
        )
        if customer is None:
            raise CommandError(f"Every contact has answered “{campaign}” already.")
        return contacts.filter(customer=customer).first()
