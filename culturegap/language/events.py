"""What the language app tells the apps above it: a new version of the playbook is published.

Sent inside the transaction of the change, so a receiver joins that unit of work or defers what
lies outside the database with ``transaction.on_commit``; see docs/events.md for who listens.
"""

from django.dispatch import Signal

# Sent by ``services.publish_draft`` once the draft is the published version (and the one it
# replaced is archived), inside the same transaction. Arguments: ``company`` (Company),
# ``playbook`` (Playbook, the version now published). A content-pack import that publishes its
# playbook sends ``training.events.content_published`` instead.
playbook_published = Signal()
