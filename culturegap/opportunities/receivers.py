"""What the opportunities app does about events of other apps: a service a customer would value
becomes an opportunity for sales."""

from culturegap.opportunities import services
from culturegap.opportunities.models import ContactWay
from culturegap.org import events as org_events


def service_wanted(sender, *, company, customer, service, need, channel, source, **kwargs) -> None:
    # Runs in the sender's transaction: an opportunity that cannot be recorded undoes the
    # survey answer that asked for it.
    services.record_opportunity(
        company=company,
        customer=customer,
        need=need,
        channel=channel,
        source=source,
        service=service,
        # The customer asked for the service in their own answer: that is their agreement to
        # be contacted about it, in whatever way suits the colleague.
        customer_agreed=True,
        contact_way=ContactWay.ANY,
    )


def connect() -> None:
    org_events.service_wanted.connect(
        service_wanted, dispatch_uid="opportunities-from-service-wanted"
    )
