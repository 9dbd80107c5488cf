"""Measures of readiness: observed behaviour and the readiness index of a person, a skill, a team.

The readiness index (0–100) says how ready a person is to hold the conversations the playbook
describes, from three kinds of evidence:

- **knowledge** (weight 40 %): the post-assessment score, 0–100. Until the person has taken the
  post-assessment, the pre-assessment score stands in: it is a real measurement of what they
  know, and leaving the component out would make readiness rest on the other two alone.
- **retention** (weight 30 %): predicted recall of what they learnt (mean FSRS retrievability of
  their cards, 0–1), counted as ``retention × 100``.
- **observed behaviour** (weight 30 %): the mean of the ratings managers gave their real customer
  conversations (see ``behaviour_score``).

``readiness = Σ weight × component / Σ weight``, the sums over the components present: a missing
component's weight is shared among the others in proportion, so a person with no observation yet
is judged on knowledge and retention only (and the page says which components were used).

Self-assessments never count: people rate themselves systematically differently from an
observer (the least skilled the most generously), and a score the person could raise by rating
themselves would no longer be evidence. They are shown beside the observed score, where the
difference is itself a coaching topic.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

KNOWLEDGE = "knowledge"
RETENTION = "retention"
BEHAVIOUR = "behaviour"

READINESS_WEIGHTS: dict[str, float] = {KNOWLEDGE: 0.4, RETENTION: 0.3, BEHAVIOUR: 0.3}
COMPONENT_LABELS: dict[str, str] = {
    KNOWLEDGE: "Knowledge (post-assessment, or pre until the post is taken)",
    RETENTION: "Retention (predicted recall)",
    BEHAVIOUR: "Observed behaviour",
}

# The scorecard's scale: 1 not yet seen, 2 developing, 3 consistent, 4 role model.
LOWEST_RATING = 1
HIGHEST_RATING = 4


def rating_percent(rating: float) -> float:
    """A rating on the 1–4 scale (or a mean of ratings) as 0–100: ``(rating − 1) / 3 × 100``
    (1 → 0, 4 → 100). Linear, so the mean of mapped ratings is the mapped mean rating."""
    if not LOWEST_RATING <= rating <= HIGHEST_RATING:
        raise ValueError(f"A rating is from {LOWEST_RATING} to {HIGHEST_RATING}, not {rating}.")
    return (rating - LOWEST_RATING) / (HIGHEST_RATING - LOWEST_RATING) * 100


def behaviour_score(ratings: Iterable[int | None]) -> float | None:
    """The observed behaviour score, 0–100: the mean of ``rating_percent`` over every item rating
    of the observations given (one pool, so an observation where more was seen weighs more).
    "Not observed" (None) is left out, never counted as zero; None when nothing was rated."""
    values = [rating_percent(rating) for rating in ratings if rating is not None]
    return sum(values) / len(values) if values else None


def knowledge_score(*, post: float | None, pre: float | None) -> float | None:
    """The post-assessment score when there is one, else the pre-assessment score, else None."""
    return post if post is not None else pre


@dataclass(frozen=True)
class Readiness:
    """A readiness index with what it was made of: the components present (each 0–100) and the
    weights they were given after sharing out the missing components' weights."""

    value: float | None
    components: dict[str, float] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)

    @property
    def used(self) -> list[str]:
        return list(self.components)

    @property
    def missing(self) -> list[str]:
        return [name for name in READINESS_WEIGHTS if name not in self.components]


def readiness_index(
    *,
    knowledge: float | None,
    retention: float | None,
    behaviour: float | None,
    weights: Mapping[str, float] = READINESS_WEIGHTS,
) -> Readiness:
    """``Σ wᵢ × cᵢ / Σ wᵢ`` over the present components: knowledge (0–100), retention (a
    probability 0–1, taken ×100) and observed behaviour (0–100). None without any component.

    With everything present: ``0.4 × knowledge + 0.3 × 100 × retention + 0.3 × behaviour``.
    """
    given = {
        KNOWLEDGE: knowledge,
        RETENTION: None if retention is None else retention * 100,
        BEHAVIOUR: behaviour,
    }
    components = {name: value for name, value in given.items() if value is not None}
    total = sum(weights[name] for name in components)
    if not components or total <= 0:
        return Readiness(value=None)
    value = sum(weights[name] * value for name, value in components.items()) / total
    shares = {name: weights[name] / total for name in components}
    return Readiness(value=value, components=components, weights=shares)


def team_readiness(values: Iterable[float | None]) -> float | None:
    """A team's readiness: the mean of its people's readiness, over the people who have one."""
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None


def skill_readiness(
    *,
    knowledge: Mapping[str, float],
    retention: Mapping[str, float],
    behaviour: Mapping[str, float],
    skills: Iterable[str],
) -> dict[str, float | None]:
    """A person's readiness in each skill, for the team heatmap: ``readiness_index`` with the
    same weights, fed with the evidence of that skill alone — the assessment questions on it
    (percent right), the retention of its cards and the ratings of its scorecard items."""
    return {
        skill: readiness_index(
            knowledge=knowledge.get(skill),
            retention=retention.get(skill),
            behaviour=behaviour.get(skill),
        ).value
        for skill in skills
    }


def not_observed_since(last_observed: Mapping[object, object], *, since) -> list:
    """The keys (people) never observed or last observed before ``since`` (a date)."""
    return [key for key, day in last_observed.items() if day is None or day < since]
