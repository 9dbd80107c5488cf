"""The executive dashboard's figures: each feature's section, scoped to what the viewer may see,
assembled into the page and the tables its CSV exports share.

Each feature computes its own section (``<app>/dashboard.py``); the training section joins
training's, reinforcement's and coaching's figures (``dashboard/training.py``) and the impact
analysis joins training, opportunities and loyalty (``dashboard/impact.py``). The names below are
the ones the page, its API and its charts read from here."""

import datetime
from dataclasses import dataclass

from culturegap.culture.dashboard import CultureSection, culture_section
from culturegap.dashboard.impact import (
    IMPACT_CACHE_SECONDS,
    IMPACT_MONTHS,
    SHORT_OUTCOMES,
    ImpactResult,
    ImpactSection,
    cached_impact_section,
    impact_section,
    month_index,
    nps_panel,
    opportunity_panel,
    quarter_index,
)
from culturegap.dashboard.training import TrainingSection, training_section
from culturegap.loyalty.dashboard import (
    LoyaltySection,
    customer_figures,
    loyalty_section,
    nps_of_counts,
)
from culturegap.opportunities.dashboard import OpportunitySection, opportunity_section
from culturegap.org.figures import (
    DEFAULT_PERIOD,
    NO_TEAM,
    PERIODS,
    SLOW_FIGURES_SECONDS,
    BadFilter,
    Kept,
    Scope,
    Table,
    kept,
    months_before,
    scope_for,
)
from culturegap.reinforcement.dashboard import retention_by_person
from culturegap.training.dashboard import training_starts

__all__ = [
    "DEFAULT_PERIOD",
    "IMPACT_CACHE_SECONDS",
    "IMPACT_MONTHS",
    "NO_TEAM",
    "PERIODS",
    "SHORT_OUTCOMES",
    "SLOW_FIGURES_SECONDS",
    "BadFilter",
    "CultureSection",
    "Dashboard",
    "ImpactResult",
    "ImpactSection",
    "Kept",
    "LoyaltySection",
    "OpportunitySection",
    "Scope",
    "Table",
    "TrainingSection",
    "cached_impact_section",
    "culture_section",
    "customer_figures",
    "dashboard",
    "impact_section",
    "kept",
    "loyalty_section",
    "month_index",
    "months_before",
    "nps_of_counts",
    "nps_panel",
    "opportunity_panel",
    "opportunity_section",
    "quarter_index",
    "retention_by_person",
    "scope_for",
    "training_section",
    "training_starts",
]


@dataclass
class Dashboard:
    scope: Scope
    culture: CultureSection
    training: TrainingSection
    opportunities: OpportunitySection
    loyalty: LoyaltySection
    impact: ImpactSection
    impact_as_of: datetime.datetime

    @property
    def tables(self) -> dict[str, Table]:
        tables = [
            self.culture.table,
            self.training.table,
            self.opportunities.table,
            self.loyalty.trend_table,
            self.loyalty.team_table,
            self.impact.table,
            self.impact.events_table,
        ]
        return {table.key: table for table in tables if table is not None}


def dashboard(scope: Scope, *, now: datetime.datetime, cached: bool = True) -> Dashboard:
    """Every section of the page. ``cached=False`` computes every figure afresh (and keeps
    none)."""
    if cached:
        analysis = cached_impact_section(scope, now)
    else:
        analysis = Kept(now, impact_section(scope))
    return Dashboard(
        scope=scope,
        culture=culture_section(scope),
        training=training_section(scope, now, cached=cached),
        opportunities=opportunity_section(scope),
        loyalty=loyalty_section(scope, now, cached=cached),
        impact=analysis.value,
        impact_as_of=analysis.computed_at,
    )
