"""``culturegap send_survey CAMPAIGN_ID``: e-mail every invitation of a campaign not sent yet."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from culturegap.loyalty import selectors, services
from culturegap.loyalty.models import SurveyCampaign
from culturegap.org.scope import company_today


class Command(BaseCommand):
    help = (
        "Send the survey link to every contact of a campaign who has not had it yet, in "
        "batches; run it again after an interruption to send the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaign_id", type=int)
        parser.add_argument(
            "--base-url",
            default=None,
            help="address of the site in the links (default: the SITE_URL setting, else "
            "http://127.0.0.1:8000)",
        )
        parser.add_argument("--batch-size", type=int, default=services.SEND_BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="show no progress bar")

    def handle(self, *args, **options):
        campaign = SurveyCampaign.objects.select_related("company").filter(
            pk=options["campaign_id"]
        )
        campaign = campaign.first()
        if campaign is None:
            raise CommandError(f"There is no campaign {options['campaign_id']}.")
        if not campaign.is_open_on(company_today(campaign.company)):
            raise CommandError(
                f"“{campaign}” is open from {campaign.opens_on} to {campaign.closes_on}, not "
                "today: invitations go out only while it is open."
            )
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        to_send = selectors.unanswered_invitations(campaign=campaign).filter(sent_at=None).count()
        with tqdm(
            total=to_send,
            desc="Invitations",
            unit=" e-mails",
            disable=options["no_progress"],
            file=self.stderr,
        ) as bar:
            sent = services.send_invitations(
                campaign=campaign,
                base_url=options["base_url"],
                batch_size=options["batch_size"],
                progress=bar.update,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Sent {sent:,} invitation{'s' if sent != 1 else ''} for “{campaign}”."
            )
        )
