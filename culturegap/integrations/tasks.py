"""Background tasks of integrations (django-tasks): one webhook attempt per task, and sending
xAPI statements to a company's Learning Record Store."""

from django_tasks import task

from culturegap.integrations import webhooks, xapi


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one webhook delivery; a failed attempt enqueues the next one itself."""
    return webhooks.deliver(delivery_id=delivery_id)


@task()
def send_to_lrs(company_id: int, attempt: int = 1) -> int:
    """The company's new xAPI statements to its LRS; returns how many were sent."""
    return xapi.send_statements(company_id=company_id, attempt=attempt)
