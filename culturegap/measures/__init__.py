"""Every business measure of culturegap, as pure functions over plain values, one module per area.

Pages, the API and benchmarks import them from here; each is tested against values worked out
by hand in ``culturegap/tests/test_measures_*.py``.
"""

from culturegap.measures.customers import services_per_customer, share_buying_one_service
from culturegap.measures.learning import (
    Status,
    assessment_score,
    enrollment_status,
    gain_per_skill,
    mean_gain_per_skill,
    mean_per_skill,
    progress_percent,
    score_per_skill,
    streak,
    weakest_skills,
)
from culturegap.measures.loyalty import (
    NpsSummary,
    ProfitImpact,
    Retention,
    active_service_counts_on,
    is_active_on,
    loyalty_segment,
    loyalty_segments,
    nps,
    nps_by_group,
    nps_summary,
    nps_trend,
    period_label,
    period_start,
    periods_between,
    profit_impact,
    response_rate,
    retention,
    score_category,
    services_per_customer_on,
    services_per_customer_trend,
)
from culturegap.measures.readiness import (
    READINESS_WEIGHTS,
    Readiness,
    behaviour_score,
    knowledge_score,
    not_observed_since,
    rating_percent,
    readiness_index,
    skill_readiness,
    team_readiness,
)
from culturegap.measures.recall import (
    below_threshold,
    person_retention,
    person_retention_series,
    retention_by_skill,
    retrievability_at,
    team_retention,
    team_retention_by_skill,
    team_retention_series,
)

__all__ = [
    "NpsSummary",
    "ProfitImpact",
    "Retention",
    "active_service_counts_on",
    "is_active_on",
    "loyalty_segment",
    "loyalty_segments",
    "nps",
    "nps_by_group",
    "nps_summary",
    "nps_trend",
    "period_label",
    "period_start",
    "periods_between",
    "profit_impact",
    "response_rate",
    "retention",
    "score_category",
    "services_per_customer",
    "services_per_customer_on",
    "services_per_customer_trend",
    "share_buying_one_service",
]

# Learning: assessment scores, gains per skill, completion status, streaks.
__all__ += [
    "Status",
    "assessment_score",
    "enrollment_status",
    "gain_per_skill",
    "mean_gain_per_skill",
    "mean_per_skill",
    "progress_percent",
    "score_per_skill",
    "streak",
    "weakest_skills",
]

# Retention of what was learnt (FSRS retrievability): per person, skill and team, over time.
__all__ += [
    "below_threshold",
    "person_retention",
    "person_retention_series",
    "retention_by_skill",
    "retrievability_at",
    "team_retention",
    "team_retention_by_skill",
    "team_retention_series",
]

# Readiness: observed behaviour score and the readiness index of a person, a skill and a team.
__all__ += [
    "READINESS_WEIGHTS",
    "Readiness",
    "behaviour_score",
    "knowledge_score",
    "not_observed_since",
    "rating_percent",
    "readiness_index",
    "skill_readiness",
    "team_readiness",
]
