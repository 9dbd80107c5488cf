"""Read queries of coaching: the scorecard, who may observe whom, the observations a viewer may
see, and each person's readiness with the evidence it was made of (knowledge from assessments,
retention from the reinforcement cards, behaviour from observations)."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from culturegap import measures
from culturegap.coaching.models import (
    Observation,
    ObservationKind,
    ObservationRating,
    Scorecard,
    ScorecardItem,
)
from culturegap.language.models import Playbook, PlaybookStatus
from culturegap.org.models import Company, Customer, Person, Team
from culturegap.org.scope import (
    company_today,
    people_visible_to,
    reporting_line_ids,
    sees_whole_company,
    teams_visible_to,
)
from culturegap.org.selectors import customers_visible_to
from culturegap.reinforcement import selectors as reinforcement
from culturegap.training.models import Assessment, AssessmentItem, AssessmentKind

# Observed behaviour counts the manager observations of the last this many days.
BEHAVIOUR_WINDOW_DAYS = 180
# A person last observed longer ago than this (or never) is flagged on the team page.
OBSERVE_EVERY_DAYS = 60
# The newest observations listed on a person's page.
LIST_LIMIT = 50
# Above this many people the observation form offers no drop-down of everyone (an admin of a
# big company picks the person from the team page instead).
MAX_PERSON_OPTIONS = 300


def published_playbook(*, company: Company) -> Playbook | None:
    return Playbook.objects.filter(company=company, status=PlaybookStatus.PUBLISHED).first()


def active_scorecard(*, company: Company) -> Scorecard | None:
    return Scorecard.objects.filter(company=company, is_active=True).first()


def scorecard_items(*, scorecard: Scorecard | None) -> list[ScorecardItem]:
    return list(scorecard.items.order_by("order", "pk")) if scorecard else []


def skills(*, company: Company) -> list[tuple[str, str]]:
    """The skills as ``(key, name)``, in the order of the published playbook's steps; skills
    only the active scorecard names (a playbook since changed) follow, named by their key."""
    found: dict[str, str] = {}
    playbook = published_playbook(company=company)
    if playbook is not None:
        for key, name in playbook.steps.order_by("order", "pk").values_list("key", "name"):
            found.setdefault(key, name)
    for item in scorecard_items(scorecard=active_scorecard(company=company)):
        found.setdefault(item.skill, item.skill.replace("-", " ").capitalize())
    return list(found.items())


# --- Who may observe whom, who sees what ---------------------------------------------------------


def may_observe(*, observer: Person, person: Person) -> bool:
    """A program admin may observe anyone else in the company; a manager, people in their
    reporting line; nobody records a manager observation of themselves."""
    if observer.company_id is None or person.company_id != observer.company_id:
        return False
    if person.pk == observer.pk or not person.is_active:
        return False
    if observer.is_program_admin:
        return True
    return observer.is_manager and person.pk in reporting_line_ids(manager=observer)


def observable_people(*, observer: Person) -> QuerySet[Person]:
    """Everyone ``observer`` may record an observation of (see ``may_observe``)."""
    people = Person.objects.filter(company_id=observer.company_id, is_active=True).exclude(
        pk=observer.pk
    )
    if observer.is_program_admin:
        return people
    if observer.is_manager:
        return people.filter(pk__in=reporting_line_ids(manager=observer))
    return people.none()


def observations_visible_to(*, viewer: Person) -> QuerySet[Observation]:
    """Executives and program admins see the company's observations; a manager those of their
    reporting line and the ones they made; everyone sees the ones about themselves."""
    observations = Observation.objects.filter(company_id=viewer.company_id)
    if sees_whole_company(viewer):
        return observations
    mine = Q(person=viewer)
    if viewer.is_manager:
        mine |= Q(person_id__in=reporting_line_ids(manager=viewer)) | Q(observer=viewer)
    return observations.filter(mine)


def observation_ratings(*, observation: Observation) -> list[ObservationRating]:
    return list(observation.ratings.select_related("item").order_by("item__order", "item__pk"))


def observations_of(*, person: Person, kind: str, limit: int = LIST_LIMIT) -> list[Observation]:
    """The person's newest observations of ``kind``, each with its ``score``: the behaviour
    score of that observation alone (the mean rating, mapped to 0–100)."""
    observations = list(
        Observation.objects.filter(company_id=person.company_id, person=person, kind=kind)
        .select_related("observer", "customer")
        .annotate(mean_rating=Avg("ratings__rating"))
        .order_by("-observed_on", "-created_at", "-pk")[:limit]
    )
    for observation in observations:
        mean = observation.mean_rating
        observation.score = None if mean is None else measures.rating_percent(mean)
    return observations


def customer_matches(*, viewer: Person, search: str, limit: int = 8) -> list[Customer]:
    """Customers whose name contains ``search`` or whose id starts with it (two letters at
    least), those served by the viewer's team first."""
    search = search.strip()
    if len(search) < 2:
        return []
    customers = customers_visible_to(viewer=viewer).filter(
        Q(name__icontains=search) | Q(external_id__istartswith=search)
    )
    if viewer.team_id:
        customers = customers.annotate(
            theirs=Case(
                When(serving_team_id=viewer.team_id, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        ).order_by("theirs", "name", "pk")
    else:
        customers = customers.order_by("name", "pk")
    return list(customers[:limit])


# --- Teams ---------------------------------------------------------------------------------------


def team_choices(*, viewer: Person) -> QuerySet[Team]:
    return teams_visible_to(viewer=viewer).order_by("name")


def default_team(*, viewer: Person) -> Team | None:
    """The team a manager sees first: the one most of their reporting line is in; for others
    the first team by name."""
    teams = team_choices(viewer=viewer)
    if viewer.is_manager and not sees_whole_company(viewer):
        counts = Counter(
            Person.objects.filter(pk__in=reporting_line_ids(manager=viewer), is_active=True)
            .exclude(team_id=None)
            .values_list("team_id", flat=True)
        )
        if counts:
            team_id = min(counts, key=lambda pk: (-counts[pk], pk))
            return teams.filter(pk=team_id).first()
    return teams.first()


def coached_people(*, viewer: Person, team: Team) -> QuerySet[Person]:
    """The active people of ``team`` the viewer coaches: a manager sees those in their reporting
    line, executives and admins everyone; never the viewer."""
    return (
        people_visible_to(viewer=viewer)
        .filter(team=team, is_active=True)
        .exclude(pk=viewer.pk)
        .order_by("name", "pk")
    )


# --- Evidence and readiness ----------------------------------------------------------------------


@dataclass
class Knowledge:
    """The knowledge component: the post-assessment score, or the pre-assessment's until the
    post is taken; per skill, the post's percent right where the post asked about the skill,
    else the pre's."""

    score: float | None = None
    source: str | None = None  # "post", "pre" or None
    by_skill: dict[str, float] = field(default_factory=dict)


def knowledge_of_people(*, company: Company, person_ids) -> dict[int, Knowledge]:
    """Each person's knowledge from their latest completed post-assessment (any curriculum),
    else their latest completed pre-assessment."""
    latest: dict[int, dict[str, tuple]] = defaultdict(dict)
    rows = (
        Assessment.objects.filter(
            company=company,
            enrollment__person_id__in=person_ids,
            completed_at__isnull=False,
            score__isnull=False,
        )
        .order_by("completed_at", "pk")
        .values_list("enrollment__person_id", "enrollment_id", "kind", "score")
    )
    for person_id, enrollment_id, kind, score in rows:
        latest[person_id][kind] = (enrollment_id, score)  # later rows replace earlier ones
    chosen: dict[int, tuple[int, str, float]] = {}
    for person_id, kinds in latest.items():
        kind = AssessmentKind.POST if AssessmentKind.POST in kinds else AssessmentKind.PRE
        enrollment_id, score = kinds[kind]
        chosen[person_id] = (enrollment_id, str(kind), score)
    answers: dict[tuple[int, str], list[tuple[str, bool]]] = defaultdict(list)
    items = AssessmentItem.objects.filter(
        assessment__enrollment_id__in={enrollment for enrollment, _, _ in chosen.values()},
        assessment__completed_at__isnull=False,
        answer__isnull=False,
    ).values_list(
        "assessment__enrollment_id", "assessment__kind", "question__skill", "answer__is_correct"
    )
    for enrollment_id, kind, skill, right in items:
        answers[(enrollment_id, kind)].append((skill, right))
    found: dict[int, Knowledge] = {}
    for person_id, (enrollment_id, kind, score) in chosen.items():
        pre = measures.score_per_skill(answers.get((enrollment_id, AssessmentKind.PRE), []))
        post = measures.score_per_skill(answers.get((enrollment_id, AssessmentKind.POST), []))
        found[person_id] = Knowledge(score=score, source=kind, by_skill={**pre, **post})
    return found


@dataclass
class Recall:
    """The retention component: mean predicted recall (0–1) overall and per skill."""

    value: float | None = None
    by_skill: dict[str, float] = field(default_factory=dict)


def retention_of_people(
    *, company: Company, person_ids, now: datetime.datetime
) -> dict[int, Recall]:
    """Predicted retention now from the reinforcement app's FSRS cards."""
    group = reinforcement.retention_of_people(company=company, person_ids=person_ids, now=now)
    return {
        person_id: Recall(value=person.value, by_skill=dict(person.by_skill))
        for person_id, person in group.people.items()
    }


@dataclass
class Behaviour:
    """Observed behaviour from the observations of one kind in the window."""

    score: float | None = None
    by_skill: dict[str, float] = field(default_factory=dict)
    observations: int = 0


def behaviour_of_people(
    *, company: Company, person_ids, since: datetime.date, kind: str
) -> dict[int, Behaviour]:
    """Each person's behaviour score (``measures.behaviour_score`` over every item rating of
    their observations of ``kind`` on or after ``since``), overall and per skill."""
    ratings: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    rows = ObservationRating.objects.filter(
        observation__company=company,
        observation__person_id__in=person_ids,
        observation__kind=kind,
        observation__observed_on__gte=since,
    ).values_list("observation__person_id", "item__skill", "rating")
    for person_id, skill, rating in rows:
        ratings[person_id].append((skill, rating))
    counts = dict(
        Observation.objects.filter(
            company=company, person_id__in=person_ids, kind=kind, observed_on__gte=since
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    found: dict[int, Behaviour] = {}
    for person_id, pairs in ratings.items():
        by_skill: dict[str, list[int | None]] = defaultdict(list)
        for skill, rating in pairs:
            by_skill[skill].append(rating)
        per_skill = {skill: measures.behaviour_score(values) for skill, values in by_skill.items()}
        found[person_id] = Behaviour(
            score=measures.behaviour_score(rating for _, rating in pairs),
            by_skill={skill: value for skill, value in per_skill.items() if value is not None},
            observations=counts.get(person_id, 0),
        )
    return found


def last_observed(*, company: Company, person_ids) -> dict[int, datetime.date]:
    """The date of each person's latest manager observation (people never observed are absent)."""
    return dict(
        Observation.objects.filter(
            company=company, person_id__in=person_ids, kind=ObservationKind.MANAGER
        )
        .values("person_id")
        .annotate(last=Max("observed_on"))
        .values_list("person_id", "last")
    )


@dataclass
class PersonReadiness:
    person: Person
    readiness: measures.Readiness
    knowledge: Knowledge
    retention: Recall
    behaviour: Behaviour
    self_assessed: Behaviour
    last_observed: datetime.date | None
    overdue: bool  # not observed by a manager in OBSERVE_EVERY_DAYS

    @property
    def value(self) -> float | None:
        return self.readiness.value


def readiness_of_people(
    *, company: Company, people, today: datetime.date | None = None, now=None
) -> list[PersonReadiness]:
    """The readiness of each of ``people`` with its evidence, in the order given. Observed
    behaviour counts the manager observations of the last BEHAVIOUR_WINDOW_DAYS days;
    self-assessments of the same window are shown beside it and never counted."""
    people = list(people)
    ids = [person.pk for person in people]
    today = today or company_today(company)
    now = now or timezone.now()
    since = today - datetime.timedelta(days=BEHAVIOUR_WINDOW_DAYS)
    knowledge = knowledge_of_people(company=company, person_ids=ids)
    retention = retention_of_people(company=company, person_ids=ids, now=now)
    observed = behaviour_of_people(
        company=company, person_ids=ids, since=since, kind=ObservationKind.MANAGER
    )
    assessed = behaviour_of_people(
        company=company, person_ids=ids, since=since, kind=ObservationKind.SELF
    )
    last = last_observed(company=company, person_ids=ids)
    overdue_since = today - datetime.timedelta(days=OBSERVE_EVERY_DAYS)
    overdue = set(
        measures.not_observed_since({pk: last.get(pk) for pk in ids}, since=overdue_since)
    )
    found = []
    for person in people:
        pk = person.pk
        person_knowledge = knowledge.get(pk, Knowledge())
        person_retention = retention.get(pk, Recall())
        person_behaviour = observed.get(pk, Behaviour())
        found.append(
            PersonReadiness(
                person=person,
                readiness=measures.readiness_index(
                    knowledge=person_knowledge.score,
                    retention=person_retention.value,
                    behaviour=person_behaviour.score,
                ),
                knowledge=person_knowledge,
                retention=person_retention,
                behaviour=person_behaviour,
                self_assessed=assessed.get(pk, Behaviour()),
                last_observed=last.get(pk),
                overdue=pk in overdue,
            )
        )
    return found


def readiness_of(*, person: Person, today: datetime.date | None = None) -> PersonReadiness:
    return readiness_of_people(company=person.company, people=[person], today=today)[0]


@dataclass
class SkillRow:
    """One skill of one person: the evidence and the per-skill readiness."""

    key: str
    name: str
    knowledge: float | None
    retention: float | None
    behaviour: float | None
    self_assessed: float | None
    readiness: float | None


def skill_rows(*, evidence: PersonReadiness, skill_list: list[tuple[str, str]]) -> list[SkillRow]:
    rows = []
    for key, name in skill_list:
        knowledge = evidence.knowledge.by_skill.get(key)
        retention = evidence.retention.by_skill.get(key)
        behaviour = evidence.behaviour.by_skill.get(key)
        rows.append(
            SkillRow(
                key=key,
                name=name,
                knowledge=knowledge,
                retention=retention,
                behaviour=behaviour,
                self_assessed=evidence.self_assessed.by_skill.get(key),
                readiness=measures.readiness_index(
                    knowledge=knowledge, retention=retention, behaviour=behaviour
                ).value,
            )
        )
    return rows


@dataclass
class TeamCoaching:
    team: Team | None
    people: list[PersonReadiness]

    @property
    def readiness(self) -> float | None:
        return measures.team_readiness(row.value for row in self.people)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.people if row.overdue)


def team_coaching(*, viewer: Person, team: Team | None) -> TeamCoaching:
    if team is None:
        return TeamCoaching(team=None, people=[])
    people = coached_people(viewer=viewer, team=team).select_related("team")
    return TeamCoaching(
        team=team, people=readiness_of_people(company=viewer.company, people=people)
    )


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


TEAM_TABLE_HEADERS = [
    "Person",
    "Readiness",
    "Knowledge",
    "Retention",
    "Observed behaviour",
    "Self-assessed",
    "Components used",
    "Observations (180 days)",
    "Last observed",
    "Not observed in 60 days",
]


def team_table_rows(coaching: TeamCoaching) -> list[list[str]]:
    """The team table as text cells, exactly as the page shows them and the CSV holds them."""
    rows = []
    for row in coaching.people:
        knowledge = _figure(row.knowledge.score)
        if row.knowledge.source:
            knowledge += f" ({row.knowledge.source})"
        retention = row.retention.value
        rows.append(
            [
                row.person.name,
                _figure(row.value),
                knowledge,
                _figure(None if retention is None else retention * 100),
                _figure(row.behaviour.score),
                _figure(row.self_assessed.score),
                ", ".join(row.readiness.used) or "none yet",
                str(row.behaviour.observations),
                row.last_observed.isoformat() if row.last_observed else "never",
                "yes" if row.overdue else "no",
            ]
        )
    return rows


@dataclass
class Heatmap:
    """Skills (rows) × people (columns): each cell the person's readiness in the skill."""

    skills: list[tuple[str, str]]
    people: list[Person]
    cells: list[list[float | None]]  # cells[skill][person]

    @property
    def is_empty(self) -> bool:
        return not self.people or not self.skills


def team_heatmap(*, coaching: TeamCoaching, company: Company) -> Heatmap:
    """Each person's readiness per skill (``measures.skill_readiness``): the readiness formula
    fed with the skill's own evidence — percent right on the assessment questions of the skill,
    retention of its cards, ratings of its scorecard items."""
    skill_list = skills(company=company)
    keys = [key for key, _ in skill_list]
    columns = [
        measures.skill_readiness(
            knowledge=row.knowledge.by_skill,
            retention=row.retention.by_skill,
            behaviour=row.behaviour.by_skill,
            skills=keys,
        )
        for row in coaching.people
    ]
    cells = [[column[key] for column in columns] for key in keys]
    return Heatmap(skills=skill_list, people=[row.person for row in coaching.people], cells=cells)


def manager_reminders(*, manager: Person) -> tuple[bool, int]:
    """For the home page: has the manager observed anyone this week (since Monday), and how
    many active people of their reporting line were not observed in OBSERVE_EVERY_DAYS days."""
    company = manager.company
    today = company_today(company)
    monday = today - datetime.timedelta(days=today.weekday())
    observed_this_week = Observation.objects.filter(
        company=company, observer=manager, kind=ObservationKind.MANAGER, observed_on__gte=monday
    ).exists()
    line = set(
        Person.objects.filter(
            pk__in=reporting_line_ids(manager=manager), is_active=True
        ).values_list("pk", flat=True)
    )
    since = today - datetime.timedelta(days=OBSERVE_EVERY_DAYS)
    seen = set(
        Observation.objects.filter(
            company=company,
            kind=ObservationKind.MANAGER,
            person_id__in=line,
            observed_on__gte=since,
        ).values_list("person_id", flat=True)
    )
    return observed_this_week, len(line - seen)
