"""Reinforcement: the reviews of drill and lesson cards (what FSRS was told, and when)."""

import datetime

from ninja import Field, Query, Router, Schema

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
from culturegap.org.scope import company_zone, people_visible_to
from culturegap.reinforcement.models import Review

router = Router(tags=["reinforcement"])


class ReviewOut(Schema):
    id: int
    person_id: int
    card_id: int
    skill: str
    rating: int = Field(description="The FSRS rating: 1 again, 2 hard, 3 good, 4 easy.")
    correct: bool
    confident: bool | None
    answered_at: datetime.datetime
    next_due_at: datetime.datetime

    @staticmethod
    def resolve_skill(review) -> str:
        return review.card.skill

    @staticmethod
    def resolve_next_due_at(review) -> datetime.datetime:
        return review.scheduled_due_after


ReviewPage = page_of(ReviewOut, "ReviewPage")


class ReviewQuery(PeriodQuery):
    person_id: Id | None = None


def day_start(day: datetime.date, zone) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


@router.get(
    "/reviews",
    response=responses({200: ReviewPage}),
    summary="Card reviews",
    description=(
        "Your own reviews; a manager's also include their reporting line, executives' and "
        "program admins' the whole company. `since`/`until`: days answered, in the company's "
        "time zone."
    ),
)
@allow(*ANY_ROLE)
def review_list(request, query: Query[ReviewQuery]):
    resolve_period(query, person_of(request).company)
    viewer = person_of(request)
    reviews = (
        Review.objects.filter(company_id=viewer.company_id)
        .filter(person__in=people_visible_to(viewer=viewer))
        .select_related("card")
        .order_by("-answered_at", "-pk")
    )
    if query.person_id is not None:
        reviews = reviews.filter(person_id=query.person_id)
    zone = company_zone(viewer.company)
    if query.since is not None:
        reviews = reviews.filter(answered_at__gte=day_start(query.since, zone))
    if query.until is not None:
        end = day_start(query.until + datetime.timedelta(days=1), zone)
        reviews = reviews.filter(answered_at__lt=end)
    return paginate(reviews, query)
