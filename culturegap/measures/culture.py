"""Measures of the culture gap: dimension means of an alignment-survey answer, the anonymity
rule, pooled means of sales and CRP teams, the gap between them and each team's distance from
the company's target. Pure functions over plain values; the queries live in
``culturegap.culture.selectors``.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# A group of fewer respondents than this is never shown, and (so that no filtered total lets
# one derive it) a team below it in a wave is left out of every aggregate of that wave.
MIN_GROUP = 5

DIMENSIONS = ("vision", "strategy", "behaviours")
DEFAULT_TARGET = 4.0
LOWEST_SCORE, HIGHEST_SCORE = 1, 5
SALES = "sales"


def check_score(score) -> int:
    """A Likert score is a whole number 1–5; anything else raises ValueError."""
    if not isinstance(score, int) or isinstance(score, bool):
        raise ValueError(f"A score is a whole number 1–5, not {score!r}.")
    if not LOWEST_SCORE <= score <= HIGHEST_SCORE:
        raise ValueError(f"A score is a whole number 1–5, not {score!r}.")
    return score


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean; None for no values."""
    values = list(values)
    return sum(values) / len(values) if values else None


def dimension_means(scores: Mapping[str, int], dimension_of: Mapping[str, str]) -> dict[str, float]:
    """One answer's mean per dimension: the mean of the scores (1–5) of the statements of that
    dimension. Every statement in ``dimension_of`` needs a score, and every dimension at least
    one statement; ValueError otherwise."""
    missing = [key for key in dimension_of if key not in scores]
    if missing:
        raise ValueError(f"No score for {', '.join(missing)}.")
    unknown = [key for key in scores if key not in dimension_of]
    if unknown:
        raise ValueError(f"Unknown statements: {', '.join(unknown)}.")
    per_dimension: dict[str, list[int]] = {dimension: [] for dimension in DIMENSIONS}
    for key, dimension in dimension_of.items():
        per_dimension[dimension].append(check_score(scores[key]))
    empty = [dimension for dimension, values in per_dimension.items() if not values]
    if empty:
        raise ValueError(f"No statement for {', '.join(empty)}.")
    return {dimension: mean(values) for dimension, values in per_dimension.items()}


def is_shown(respondents: int) -> bool:
    """A group's figures may be shown only from MIN_GROUP respondents up."""
    return respondents >= MIN_GROUP


@dataclass(frozen=True)
class GroupTotals:
    """What a group (one team in one wave) answered, summed: respondents and, per dimension,
    the sum of their dimension means. Sums rather than means so groups pool exactly."""

    key: object
    kind: str
    respondents: int
    sums: Mapping[str, float]

    def means(self) -> dict[str, float] | None:
        if not self.respondents:
            return None
        return {dimension: self.sums[dimension] / self.respondents for dimension in DIMENSIONS}


def included(groups: Iterable[GroupTotals]) -> list[GroupTotals]:
    """The groups that count in any aggregate: those with at least MIN_GROUP respondents."""
    return [group for group in groups if is_shown(group.respondents)]


@dataclass(frozen=True)
class Pooled:
    respondents: int
    means: dict[str, float | None]


def pooled_means(groups: Iterable[GroupTotals]) -> Pooled:
    """Respondent-weighted means over the groups that count (MIN_GROUP respondents or more):
    Σ sums / Σ respondents per dimension. None per dimension when fewer than MIN_GROUP
    respondents are pooled."""
    counted = included(groups)
    respondents = sum(group.respondents for group in counted)
    if not is_shown(respondents):
        return Pooled(respondents, dict.fromkeys(DIMENSIONS))
    return Pooled(
        respondents,
        {
            dimension: sum(group.sums[dimension] for group in counted) / respondents
            for dimension in DIMENSIONS
        },
    )


def gap(sales_mean: float | None, crp_mean: float | None) -> float | None:
    """The culture gap on one dimension: |mean of sales teams − mean of CRP teams|; None when
    either side is unknown (suppressed)."""
    if sales_mean is None or crp_mean is None:
        return None
    return abs(sales_mean - crp_mean)


@dataclass(frozen=True)
class CultureGap:
    respondents: int  # counted in the aggregates (teams below MIN_GROUP left out)
    sales: Pooled
    crp: Pooled
    gap: dict[str, float | None]


def culture_gap(groups: Iterable[GroupTotals]) -> CultureGap:
    """Per dimension |mean(sales teams) − mean(CRP teams)|, each side the respondent-weighted
    mean of its teams with at least MIN_GROUP respondents. Sales teams are those of kind
    ``sales``; CRP teams every other kind; respondents without a team (kind "") count in the
    total only."""
    counted = included(groups)
    sales = pooled_means(group for group in counted if group.kind == SALES)
    crp = pooled_means(group for group in counted if group.kind not in (SALES, ""))
    return CultureGap(
        respondents=sum(group.respondents for group in counted),
        sales=sales,
        crp=crp,
        gap={
            dimension: gap(sales.means[dimension], crp.means[dimension]) for dimension in DIMENSIONS
        },
    )


def distance_to_target(target: float, team_mean: float | None) -> float | None:
    """How far a team is below its target on one dimension: target − mean (negative when it
    is above the target); None when the mean is unknown."""
    return None if team_mean is None else target - team_mean


def gap_change(
    earlier: Mapping[str, float | None], later: Mapping[str, float | None]
) -> dict[str, float | None]:
    """Trend between two waves: later gap − earlier gap per dimension (negative = closing);
    None where either is unknown."""
    return {
        dimension: None
        if earlier.get(dimension) is None or later.get(dimension) is None
        else later[dimension] - earlier[dimension]
        for dimension in DIMENSIONS
    }
