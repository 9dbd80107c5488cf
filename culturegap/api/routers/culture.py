"""The culture survey's results: aggregates only, under the survey's anonymity rule."""

from ninja import Router

router = Router(tags=["culture"])
