"""The authoring site at /author/, where program admins edit the playbook and training content."""

from culturegap.training.authoring.site import LinesField, authoring_site

__all__ = ["LinesField", "authoring_site"]
