"""The authoring site at /author/, where program admins edit the playbook and training content."""

# Importing the playbook and content modules registers their pages on the site.
from culturegap.training.authoring import content, playbook  # noqa: F401
from culturegap.training.authoring.forms import LinesField
from culturegap.training.authoring.site import authoring_site

__all__ = ["LinesField", "authoring_site"]
