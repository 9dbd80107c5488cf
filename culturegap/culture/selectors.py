"""Read queries of the culture survey: who is asked, the open wave, and the results (team
scores, the sales/CRP gap, the trend), always scoped to one company and always under the
anonymity rule of ``culturegap.measures.culture`` (no team below MIN_GROUP respondents in a
wave counts in any figure of that wave)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from culturegap.culture.models import CultureTarget, Dimension, Participation, Response, Wave
from culturegap.measures import culture as measure
from culturegap.org.figures import Table
from culturegap.org.models import Company, Person, Team
from culturegap.org.scope import sees_whole_company

# --- who answers ----------------------------------------------------------------------------


def eligible_staff(*, company: Company) -> QuerySet[Person]:
    """Customer-contact staff: active CRPs and salespeople of the company."""
    return Person.objects.filter(company=company, is_active=True).filter(
        Q(is_crp=True) | Q(is_salesperson=True)
    )


def is_eligible(person: Person) -> bool:
    return bool(person.company_id and person.is_active and (person.is_crp or person.is_salesperson))


def open_wave(*, company: Company) -> Wave | None:
    return Wave.objects.filter(company=company, closed_on=None).first()


def has_answered(*, person: Person, wave: Wave) -> bool:
    return Participation.objects.filter(wave=wave, person=person).exists()


def open_wave_for(person: Person) -> Wave | None:
    """The open wave ``person`` is asked to answer and has not answered yet, or None."""
    if not is_eligible(person):
        return None
    return (
        Wave.objects.filter(company_id=person.company_id, closed_on=None)
        .exclude(participations__person=person)
        .first()
    )


_OPEN_WAVE_MEMO = "_culture_open_wave"


def open_wave_for_viewer(person: Person) -> Wave | None:
    """``open_wave_for`` the signed-in person, asked once per request: the menu and the Today
    page both show it. Kept on the person object, which each request loads afresh."""
    if not hasattr(person, _OPEN_WAVE_MEMO):
        setattr(person, _OPEN_WAVE_MEMO, open_wave_for(person))
    return getattr(person, _OPEN_WAVE_MEMO)


# --- waves, statements, targets -------------------------------------------------------------


def wave_list(*, company: Company) -> QuerySet[Wave]:
    """The company's waves, newest first, with how many answered."""
    return (
        Wave.objects.filter(company=company)
        .annotate(answered=Count("participations"))
        .order_by("-opened_on", "-pk")
    )


def wave_detail(*, company: Company, pk) -> Wave | None:
    return Wave.objects.filter(company=company, pk=pk).first()


def targets(*, company: Company) -> dict[str, float]:
    """Dimension → the company's target (DEFAULT_TARGET where none is set)."""
    found = dict(CultureTarget.objects.filter(company=company).values_list("dimension", "target"))
    return {
        dimension: float(found.get(dimension, measure.DEFAULT_TARGET))
        for dimension in measure.DIMENSIONS
    }


def dimension_labels() -> dict[str, str]:
    return dict(Dimension.choices)


# --- results --------------------------------------------------------------------------------


def _responses(company: Company, teams) -> QuerySet[Response]:
    responses = Response.objects.filter(company=company)
    if teams is not None:
        responses = responses.filter(team__in=teams)
    return responses


def group_totals(company: Company, *, waves=None, teams=None) -> dict[int, list]:
    """Wave id → a GroupTotals per (team, team kind) that answered it: one grouped query."""
    responses = _responses(company, teams)
    if waves is not None:
        responses = responses.filter(wave__in=waves)
    rows = (
        responses.values("wave_id", "team_id", "team_kind")
        .annotate(
            respondents=Count("pk"),
            vision_sum=Sum("vision"),
            strategy_sum=Sum("strategy"),
            behaviours_sum=Sum("behaviours"),
        )
        .order_by("wave_id", "team_id", "team_kind")
    )
    found = defaultdict(list)
    for row in rows:
        found[row["wave_id"]].append(
            measure.GroupTotals(
                key=row["team_id"],
                kind=row["team_kind"],
                respondents=row["respondents"],
                sums={d: row[f"{d}_sum"] for d in measure.DIMENSIONS},
            )
        )
    return found


@dataclass(frozen=True)
class WaveGap:
    wave_id: int
    name: str
    opened_on: datetime.date
    respondents: int
    sales_mean: dict[str, float | None]
    crp_mean: dict[str, float | None]
    gap: dict[str, float | None]


def wave_gaps(company: Company, *, teams=None) -> list[WaveGap]:
    """Every wave of the company (closed and open), oldest first, with the sales and CRP means
    and the gap per dimension. ``teams`` (Team ids or a queryset) restricts to those teams;
    teams below MIN_GROUP respondents are left out whatever the filter, so no comparison of
    filtered figures reveals them. ``respondents`` counts the answers that were counted."""
    waves = list(Wave.objects.filter(company=company).order_by("opened_on", "pk"))
    totals = group_totals(company, teams=teams)
    result = []
    for wave in waves:
        figures = measure.culture_gap(totals.get(wave.pk, []))
        result.append(
            WaveGap(
                wave_id=wave.pk,
                name=wave.name,
                opened_on=wave.opened_on,
                respondents=figures.respondents,
                sales_mean=figures.sales.means,
                crp_mean=figures.crp.means,
                gap=figures.gap,
            )
        )
    return result


@dataclass(frozen=True)
class TeamScore:
    team_id: int
    team_name: str
    team_kind: str
    respondents: int
    shown: bool
    means: dict[str, float] | None
    distance_to_target: dict[str, float] | None


def team_scores(company: Company, wave: Wave, *, teams=None) -> list[TeamScore]:
    """Each team that answered ``wave`` (restricted to ``teams`` when given), by name: its
    means and distance from the company's targets, or ``shown=False`` (and nothing else but
    the name) below MIN_GROUP respondents. Answers without a team are not a team and are left
    out here."""
    if wave.company_id != company.pk:
        return []
    goals = targets(company=company)
    groups = [g for g in group_totals(company, waves=[wave], teams=teams)[wave.pk] if g.key]
    names = dict(Team.objects.filter(pk__in={g.key for g in groups}).values_list("pk", "name"))
    scores = []
    for group in groups:
        shown = measure.is_shown(group.respondents)
        means = group.means() if shown else None
        scores.append(
            TeamScore(
                team_id=group.key,
                team_name=names.get(group.key, "?"),
                team_kind=group.kind,
                respondents=group.respondents,
                shown=shown,
                means=means,
                distance_to_target=None
                if means is None
                else {d: measure.distance_to_target(goals[d], means[d]) for d in means},
            )
        )
    return sorted(scores, key=lambda score: (score.team_name, score.team_kind))


def open_answers(company: Company, wave: Wave, *, teams=None) -> list[tuple[str, str]]:
    """(team name, answer) for the open question, only from teams with at least MIN_GROUP
    respondents in the wave, sorted by team then text (never in the order they came in)."""
    shown = [s for s in team_scores(company, wave, teams=teams) if s.shown]
    names = {(s.team_id, s.team_kind): s.team_name for s in shown}
    rows = (
        Response.objects.filter(company=company, wave=wave, team__in=[s.team_id for s in shown])
        .exclude(open_answer="")
        .values_list("team_id", "team_kind", "open_answer")
    )
    found = [
        (names[(team_id, kind)], text.strip())
        for team_id, kind, text in rows
        if (team_id, kind) in names
    ]
    return sorted(found)


def results_teams(*, viewer: Person):
    """The teams whose results ``viewer`` may see: None (the whole company) for executives and
    program admins, the teams of their reporting line for managers, none for anyone else."""
    from culturegap.org.scope import teams_visible_to

    if sees_whole_company(viewer):
        return None
    if viewer.is_manager:
        return teams_visible_to(viewer=viewer)
    return Team.objects.none()


# --- the results page and its CSV exports ---------------------------------------------------


# The results page's tables (``Table``) show exactly the rows of their CSV exports; the means
# are written here, to two decimals, as text.


def _number(value: float | None, *, signed: bool = False) -> str | None:
    if value is None:
        return None
    return f"{value:+.2f}" if signed else f"{value:.2f}"


@dataclass
class Results:
    wave: Wave
    targets: dict[str, float]
    scores: list[TeamScore]
    gaps: list[WaveGap]
    current: WaveGap
    answered: int
    comments: list[tuple[str, str]]
    tables: dict[str, Table]


def results(company: Company, wave: Wave, *, teams=None) -> Results:
    """Everything the results page shows for ``wave``, restricted to ``teams`` (None: the
    whole company)."""
    labels = dimension_labels()
    dims = measure.DIMENSIONS
    goals = targets(company=company)
    scores = team_scores(company, wave, teams=teams)
    gaps = wave_gaps(company, teams=teams)
    current = next(g for g in gaps if g.wave_id == wave.pk)
    kinds = dict(Team._meta.get_field("kind").choices)
    hidden = f"fewer than {measure.MIN_GROUP}"

    score_rows, distance_rows = [], []
    for score in scores:
        kind = kinds.get(score.team_kind, score.team_kind)
        respondents = score.respondents if score.shown else hidden
        means = score.means or {}
        distances = score.distance_to_target or {}
        score_rows.append(
            [score.team_name, kind, respondents, *(_number(means.get(d)) for d in dims)]
        )
        distance_rows.append(
            [
                score.team_name,
                kind,
                *(_number(distances.get(d), signed=True) for d in dims),
            ]
        )
    gap_rows = [
        [
            labels[d],
            _number(current.sales_mean[d]),
            _number(current.crp_mean[d]),
            _number(current.gap[d]),
            _number(goals[d]),
        ]
        for d in dims
    ]
    trend_rows = [
        [g.name, g.opened_on.isoformat(), g.respondents, *(_number(g.gap[d]) for d in dims)]
        for g in gaps
    ]
    tables = {
        "scores": Table(
            "scores",
            "Mean score per team and dimension (1–5)",
            ["Team", "Kind", "Respondents", *(labels[d] for d in dims)],
            score_rows,
        ),
        "gap": Table(
            "gap",
            "The gap between sales teams and CRP teams",
            ["Dimension", "Sales teams", "CRP teams", "Gap", "Target"],
            gap_rows,
        ),
        "distance": Table(
            "distance",
            "Distance from the target (target − mean: above 0 is below target)",
            ["Team", "Kind", *(f"{labels[d]} (target {goals[d]:.2f})" for d in dims)],
            distance_rows,
        ),
        "trend": Table(
            "trend",
            "The gap from wave to wave",
            ["Wave", "Opened", "Answers counted", *(f"Gap: {labels[d]}" for d in dims)],
            trend_rows,
        ),
    }
    return Results(
        wave=wave,
        targets=goals,
        scores=scores,
        gaps=gaps,
        current=current,
        answered=Participation.objects.filter(wave=wave).count(),
        comments=open_answers(company, wave, teams=teams),
        tables=tables,
    )
