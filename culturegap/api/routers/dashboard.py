"""The executive dashboard's figures."""

from ninja import Router

router = Router(tags=["dashboard"])
