"""Facts about a company's customers that one feature app learns and another acts on.

Declared here, beneath both, because the feature apps (loyalty, opportunities, ...) are
independent of each other: the sender and the receiver each import only this module. Sent
inside the transaction of the change; see docs/events.md for who sends and who listens.
"""

from django.dispatch import Signal

# Sent by ``loyalty.services.submit_answer`` for each service a survey answer says the customer
# would value, inside the transaction that records the answer: a receiver that fails undoes the
# answer (all or nothing). Arguments: ``company`` (Company), ``customer`` (Customer),
# ``service`` (Service), ``need`` (str: what the customer would value, in their words),
# ``channel`` and ``source`` (str: how and by whom it was heard, e.g. ``"survey"``).
service_wanted = Signal()
