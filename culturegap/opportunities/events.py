"""What the opportunities app tells the apps above it: an opportunity recorded, one moved along
the pipeline.

Sent inside the transaction of the change, so a receiver joins that unit of work or defers what
lies outside the database with ``transaction.on_commit``; see docs/events.md for who listens.
"""

from django.dispatch import Signal

# Sent by ``services.record_opportunity`` once the opportunity and its first pipeline event are
# written, inside the same transaction. Arguments: ``opportunity`` (Opportunity).
opportunity_created = Signal()

# Sent by ``services.move_opportunity`` after every change of status (contacted, qualified, won,
# lost), inside the same transaction. Arguments: ``opportunity`` (Opportunity, saved with its new
# status), ``from_status`` and ``to_status`` (``Status`` values).
opportunity_moved = Signal()
