"""Coaching: observations of real customer conversations, scored on the behaviour scorecard."""

import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from culturegap.coaching.models import ObservationRating
from culturegap.coaching.selectors import observations_visible_to
from culturegap.org.api_support import (
    ANY_ROLE,
    Id,
    PeriodQuery,
    allow,
    page_of,
    paginate,
    person_of,
    resolve_period,
    responses,
)

router = Router(tags=["coaching"])


class RatingOut(Schema):
    skill: str
    behaviour: str
    rating: int | None = Field(description="1 not yet seen … 4 role model; null: not observed.")

    @staticmethod
    def resolve_skill(rating) -> str:
        return rating.item.skill

    @staticmethod
    def resolve_behaviour(rating) -> str:
        return rating.item.behaviour


class ObservationOut(Schema):
    id: int
    person_id: int
    observer_id: int | None
    customer_id: int | None
    kind: str = Field(description="manager (observed by a manager) or self (self-assessment).")
    channel: str
    observed_on: datetime.date
    comment: str
    ratings: list[RatingOut]

    @staticmethod
    def resolve_ratings(observation) -> list:
        return observation.ratings.all()


ObservationPage = page_of(ObservationOut, "ObservationPage")


class ObservationQuery(PeriodQuery):
    person_id: Id | None = None


def _observations(request):
    ratings = ObservationRating.objects.select_related("item").order_by("item__order", "item__pk")
    return observations_visible_to(viewer=person_of(request)).prefetch_related(
        Prefetch("ratings", queryset=ratings)
    )


@router.get(
    "/observations",
    response=responses({200: ObservationPage}),
    summary="Observations and self-assessments",
    description=(
        "Observations about you; a manager's also those of their reporting line and the ones "
        "they made; executives' and program admins' the whole company. `since`/`until` filter "
        "on the day observed."
    ),
)
@allow(*ANY_ROLE)
def observation_list(request, query: Query[ObservationQuery]):
    resolve_period(query, person_of(request).company)
    observations = _observations(request).order_by("-observed_on", "-created_at", "-pk")
    if query.person_id is not None:
        observations = observations.filter(person_id=query.person_id)
    if query.since is not None:
        observations = observations.filter(observed_on__gte=query.since)
    if query.until is not None:
        observations = observations.filter(observed_on__lte=query.until)
    return paginate(observations, query)


@router.get(
    "/observations/{observation_id}",
    response=responses({200: ObservationOut}),
    summary="One observation with its ratings",
)
@allow(*ANY_ROLE)
def observation_detail(request, observation_id: Id):
    return get_object_or_404(_observations(request), pk=observation_id)
