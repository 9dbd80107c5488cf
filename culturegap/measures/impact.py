"""The training's estimated impact: a difference-in-differences on a staggered rollout.

Teams start training at different dates. In any period, teams already trained are compared
with teams not yet trained, before and after each team's start, on a team × period panel:

    y[team, period] = α[team] + γ[period] + β × trained[team, period] + ε

with a fixed effect per team (α: teams differ in level) and per period (γ: the whole company
moves together, e.g. seasons). ``trained`` is 1 from the period a team's training starts. β is
the estimated change in y that comes with a team's training, over and above the team's usual
level and the company's common movement at the time.

- Only periods where at least one team is **not yet trained** are kept: once every team is
  trained there is no comparison left, and keeping those periods would compare teams trained
  early with teams trained later (which biases the estimate when the effect grows with time).
- Standard errors are clustered by team (a team's months are not independent draws), and the
  95 % interval uses Student's t with G − 1 degrees of freedom, G the number of teams: with
  few clusters the normal 1.96 is too narrow.
- Observations may carry weights (e.g. the number of survey answers behind a team-quarter's
  NPS): the regression is then weighted least squares, so a quarter with 3 answers counts less
  than one with 300.
- The fixed effects are partialled out (Frisch–Waugh–Lovell) rather than fitted as one dummy
  per team and period: the same β and clustered errors at a fraction of the cost with hundreds
  of teams.
- The event study replaces β by one coefficient per period relative to the team's start
  (−K … −2 before, 0 … L after, with −1 the reference and the ends binned); pre-start
  coefficients near zero are what parallel trends look like.

The design assumes **parallel trends**: without training, teams trained early would have moved
like the teams not yet trained. It cannot rule out that something else changed with the rollout
order, and it says nothing about any one person. With few teams the interval is wide, and below
``MIN_TEAMS`` teams (or with no trained or no not-yet-trained team in the kept periods) no
number is given at all: ``Estimate.reason`` says why.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

MIN_TEAMS = 5  # fewer clusters than this and a clustered interval means little
MIN_TRAINED_TEAMS = 2
MIN_COMPARISON_TEAMS = 2
CONFIDENCE = 0.95
EVENT_LEADS = 6  # periods before the start shown by the event study (the first one binned)
EVENT_LAGS = 6  # periods after the start (the last one binned)


@dataclass(frozen=True)
class EventPoint:
    """The effect ``periods_since_start`` periods after a team's start (negative: before)."""

    periods_since_start: int
    effect: float
    low: float
    high: float
    reference: bool = False  # the period the others are measured against (fixed at 0)


@dataclass(frozen=True)
class Estimate:
    """β with its 95 % interval, or ``reason`` (and no number) when the data cannot give one."""

    effect: float | None = None
    low: float | None = None
    high: float | None = None
    std_error: float | None = None
    teams: int = 0
    trained_teams: int = 0  # teams observed trained in the kept periods
    comparison_teams: int = 0  # teams observed not yet trained while another team was
    observations: int = 0
    degrees_of_freedom: int | None = None
    reason: str | None = None
    events: list[EventPoint] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.effect is not None

    @property
    def excludes_zero(self) -> bool:
        return self.ok and (self.low > 0 or self.high < 0)


def _prepare(panel: pd.DataFrame) -> pd.DataFrame:
    """Keep rows with an outcome and only the periods with a not-yet-trained team."""
    data = panel.dropna(subset=["y"]).copy()
    if "weight" in data:
        data = data[data["weight"] > 0]
    start = data["start"].astype(float)
    data["start"] = start
    untrained_periods = data.loc[start.isna() | (data["period"] < start), "period"].unique()
    data = data[data["period"].isin(untrained_periods)]
    data["trained"] = (data["start"].notna() & (data["period"] >= data["start"])).astype(float)
    return data


def _fixed_effects(data: pd.DataFrame) -> np.ndarray:
    """A constant and one dummy per team and per period but the first."""
    teams = pd.get_dummies(data["team"], drop_first=True, dtype=float)
    periods = pd.get_dummies(data["period"], drop_first=True, dtype=float)
    return np.column_stack([np.ones(len(data)), teams.to_numpy(), periods.to_numpy()])


def _partial_out(data: pd.DataFrame, columns: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """y and ``columns`` with the fixed effects partialled out (Frisch–Waugh–Lovell: regressing
    the residuals on each other gives the coefficients and residuals of the full regression,
    without fitting one coefficient per team and period), weighted rows scaled by √weight as
    weighted least squares does. Also returns the rank of the fixed effects."""
    root = np.sqrt(data["weight"].to_numpy(float)) if "weight" in data else np.ones(len(data))
    effects = _fixed_effects(data) * root[:, None]
    both = np.column_stack([data["y"].to_numpy(float), columns.to_numpy(float)]) * root[:, None]
    solution, _, rank, _ = np.linalg.lstsq(effects, both, rcond=None)
    residuals = both - effects @ solution
    return residuals[:, 0], residuals[:, 1:], int(rank)


def _fit(data: pd.DataFrame, y: np.ndarray, x: np.ndarray, names, fixed_rank: int):
    """Coefficients and team-clustered standard errors of the full fixed-effects regression,
    from the partialled-out y and x. statsmodels' small-sample factor G/(G − 1) × (N − 1)/(N − K)
    counts only the columns it sees, so the errors are rescaled to K = columns + fixed effects."""
    groups = pd.factorize(data["team"])[0]
    result = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
    n, k = x.shape
    scale = math.sqrt((n - k) / (n - k - fixed_rank)) if n - k - fixed_rank > 0 else math.nan
    params = pd.Series(result.params, index=names)
    errors = pd.Series(result.bse * scale, index=names)
    return params, errors


def _critical(teams: int) -> float:
    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, teams - 1))


def staggered_did(panel: pd.DataFrame, *, event_study: bool = True) -> Estimate:
    """β of the model above from a panel with columns ``team``, ``period`` (whole numbers, one
    step per period), ``y``, ``start`` (the first trained period of the team; NaN when the team
    is not trained within the panel) and optionally ``weight``. See the module docstring."""
    data = _prepare(panel)
    teams = data["team"].nunique()
    trained = data.loc[data["trained"] == 1, "team"].nunique()
    periods_with_trained = data.loc[data["trained"] == 1, "period"].unique()
    comparison = data.loc[
        (data["trained"] == 0) & data["period"].isin(periods_with_trained), "team"
    ].nunique()
    counts = {
        "teams": teams,
        "trained_teams": trained,
        "comparison_teams": comparison,
        "observations": len(data),
    }
    if teams < MIN_TEAMS:
        return Estimate(
            **counts,
            reason=f"Only {teams} team{'s' if teams != 1 else ''} with data: at least "
            f"{MIN_TEAMS} are needed to compare trained and not-yet-trained teams.",
        )
    if trained < MIN_TRAINED_TEAMS:
        return Estimate(
            **counts,
            reason=f"{trained} team{'s' if trained != 1 else ''} trained while others were not "
            f"yet: at least {MIN_TRAINED_TEAMS} are needed.",
        )
    if comparison < MIN_COMPARISON_TEAMS:
        return Estimate(
            **counts,
            reason=f"{comparison} team{'s' if comparison != 1 else ''} not yet trained while "
            f"others were: at least {MIN_COMPARISON_TEAMS} are needed for a comparison.",
        )
    y, x, fixed_rank = _partial_out(data, data[["trained"]])
    params, errors = _fit(data, y, x, ["trained"], fixed_rank)
    effect, error = float(params["trained"]), float(errors["trained"])
    margin = _critical(teams) * error
    return Estimate(
        effect=effect,
        low=effect - margin,
        high=effect + margin,
        std_error=error,
        degrees_of_freedom=teams - 1,
        events=_event_study(data, teams) if event_study else [],
        **counts,
    )


def _event_study(data: pd.DataFrame, teams: int) -> list[EventPoint]:
    relative = (data["period"] - data["start"]).clip(-EVENT_LEADS, EVENT_LAGS)
    columns = {}
    for offset in range(-EVENT_LEADS, EVENT_LAGS + 1):
        if offset == -1:
            continue
        column = (relative == offset).astype(float)  # NaN (never trained) compares False
        if column.sum() > 0:
            columns[offset] = column
    if not columns:
        return []
    # Keep only the offsets the data can tell apart from the fixed effects (with few cohorts
    # some cannot): offsets nearest the start first, each kept if its partialled-out column
    # adds to the rank of those kept.
    offsets = sorted(columns, key=lambda k: (abs(k), k))
    frame = pd.DataFrame({offset: columns[offset] for offset in offsets}, index=data.index)
    y, x, fixed_rank = _partial_out(data, frame)
    kept: list[int] = []
    for position, offset in enumerate(offsets):
        trial = x[:, [offsets.index(k) for k in kept] + [position]]
        if np.linalg.matrix_rank(trial) > len(kept):
            kept.append(offset)
    if not kept:
        return []
    kept.sort()
    params, errors = _fit(data, y, x[:, [offsets.index(k) for k in kept]], kept, fixed_rank)
    critical = _critical(teams)
    points = [EventPoint(-1, 0.0, 0.0, 0.0, reference=True)]
    for offset in kept:
        effect, error = float(params[offset]), float(errors[offset])
        if math.isnan(error):
            continue
        points.append(
            EventPoint(offset, effect, effect - critical * error, effect + critical * error)
        )
    return sorted(points, key=lambda point: point.periods_since_start)


def explain(estimate: Estimate, *, outcome: str, unit: str, period: str) -> str:
    """The estimate in plain language, with what it does and does not show."""
    if not estimate.ok:
        return f"No estimate for {outcome}: {estimate.reason}"
    direction = "more" if estimate.effect >= 0 else "fewer"
    size = abs(estimate.effect)
    if estimate.excludes_zero:
        verdict = (
            f"Teams, once trained, show about {size:.2f} {direction} {unit} than the teams not "
            f"yet trained at the same time, beyond each team's usual level (95 % interval "
            f"{estimate.low:+.2f} to {estimate.high:+.2f})."
        )
    else:
        verdict = (
            f"The change that comes with training is {estimate.effect:+.2f} {unit}, but the 95 % "
            f"interval ({estimate.low:+.2f} to {estimate.high:+.2f}) includes zero: the data "
            f"cannot tell it apart from no effect."
        )
    return (
        f"{verdict} This compares {estimate.trained_teams} trained with "
        f"{estimate.comparison_teams} not-yet-trained teams ({estimate.teams} teams, "
        f"{estimate.observations} team-{period}s). It assumes the teams would have moved in "
        f"parallel without the training, and cannot rule out something else that changed in "
        f"the rollout's order; with {estimate.teams} teams the interval is wide. It is an "
        f"average over teams, never proof of what training did for any one person."
    )


def simulated_panel(
    *,
    seed: int,
    teams: int = 30,
    periods: int = 24,
    starts: tuple[int, ...] = (6, 12, 18),
    effect: float = 0.4,
    noise: float = 0.3,
    base: float = 1.0,
) -> pd.DataFrame:
    """A staggered rollout with a known effect: teams split evenly between the ``starts``
    cohorts, team levels and a common period movement drawn at random, ``effect`` added from
    each team's start, independent normal noise. Used to check the estimator recovers it."""
    rng = np.random.default_rng(seed)
    team_level = rng.normal(0, 0.3, teams)
    period_level = rng.normal(0, 0.2, periods)
    rows = []
    for team in range(teams):
        start = starts[team % len(starts)]
        for period in range(periods):
            y = base + team_level[team] + period_level[period] + rng.normal(0, noise)
            if period >= start:
                y += effect
            rows.append((team, period, y, start))
    return pd.DataFrame(rows, columns=["team", "period", "y", "start"])
