"""The culture survey's results: aggregates only (culturegap.culture.selectors), under the
survey's anonymity rule — a team below the minimum group size counts in no figure."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from culturegap.culture import selectors
from culturegap.culture.models import Wave
from culturegap.org.api_support import Id, PageQuery, allow, page_of, paginate, person_of, responses
from culturegap.org.models import Role

router = Router(tags=["culture"])

# Who sees the survey's results, as on the results page.
RESULTS_ROLES = (Role.EXECUTIVE, Role.ADMIN, Role.MANAGER)


class WaveGapOut(Schema):
    wave_id: int
    name: str
    opened_on: datetime.date
    respondents: int = Field(description="Answers counted (teams large enough to show).")
    sales_mean: dict[str, float | None] = Field(
        description="Dimension → mean (1–5) of sales-team respondents; null when too few."
    )
    crp_mean: dict[str, float | None] = Field(description="The same for CRP teams.")
    gap: dict[str, float | None] = Field(
        description="Dimension → |sales − CRP|; null when either side is too small to show."
    )


WaveGapPage = page_of(WaveGapOut, "WaveGapPage")


class TeamScoreOut(Schema):
    team_id: int
    team_name: str
    team_kind: str
    respondents: int
    shown: bool = Field(description="False when too few answered: no means are given then.")
    means: dict[str, float] | None
    distance_to_target: dict[str, float] | None = Field(description="Target − mean per dimension.")


TeamScorePage = page_of(TeamScoreOut, "TeamScorePage")


def _teams(request):
    """None (the whole company) for executives and program admins; a manager's teams."""
    return selectors.results_teams(viewer=person_of(request))


@router.get(
    "/culture/waves",
    response=responses({200: WaveGapPage}),
    summary="The culture gap of each survey wave",
    description="Oldest first. Managers get the figures of their teams only.",
)
@allow(*RESULTS_ROLES)
def wave_list(request, page: Query[PageQuery]):
    gaps = selectors.wave_gaps(person_of(request).company, teams=_teams(request))
    return paginate(gaps, page)


@router.get(
    "/culture/waves/{wave_id}/teams",
    response=responses({200: TeamScorePage}),
    summary="Each team's scores in one wave",
)
@allow(*RESULTS_ROLES)
def wave_teams(request, wave_id: Id, page: Query[PageQuery]):
    company = person_of(request).company
    wave = get_object_or_404(Wave.objects.filter(company=company), pk=wave_id)
    return paginate(selectors.team_scores(company, wave, teams=_teams(request)), page)
