"""The training section of the dashboard: training's enrollments and scores, reinforcement's
recall and coaching's behaviour and readiness, side by side in one table by team."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from culturegap.coaching.dashboard import behaviour_figures, readiness_by_person
from culturegap.measures.readiness import team_readiness
from culturegap.measures.recall import team_retention
from culturegap.org.figures import (
    COUNT,
    NO_TEAM,
    PERCENT,
    Scope,
    Table,
    by_name,
    mean,
    percent,
    rounded,
    team_names,
)
from culturegap.reinforcement.dashboard import kept_retention
from culturegap.training.dashboard import GAIN, training_figures
from culturegap.training.models import AssessmentKind


@dataclass
class TrainingSection:
    enrolled: int
    completed: int
    certified: int
    completion: float | None
    pre: float | None
    post: float | None
    gain: float | None
    retention: float | None
    readiness: float | None
    behaviour: float | None
    observations: int
    table: Table
    retention_as_of: datetime.datetime


def training_section(
    scope: Scope, now: datetime.datetime, *, cached: bool = True
) -> TrainingSection:
    names = team_names(scope.company)
    training = training_figures(scope)
    per_team, scores = training.per_team, training.scores
    team_of = dict(training.team_of)

    recall = kept_retention(scope, now, cached=cached)
    retention = recall.value
    for person, (team, _) in retention.items():
        team_of[person] = team

    coaching = behaviour_figures(scope)
    behaviour, observations = coaching.behaviour, coaching.observations
    team_of.update(coaching.team_of)

    readiness = readiness_by_person(
        knowledge=training.knowledge,
        recall={person: value for person, (_, value) in retention.items()},
        behaviour=behaviour,
    )
    people_of: dict[int | None, list[int]] = defaultdict(list)
    for person, team in team_of.items():
        people_of[team].append(person)

    rows = []
    teams = set(per_team) | set(people_of) | set(observations)
    for team in by_name(names, teams):
        counts = per_team.get(team, {"enrolled": 0, "completed": 0, "certified": 0})
        people = people_of.get(team, [])
        pre = mean(scores[team][AssessmentKind.PRE]) if team in scores else None
        post = mean(scores[team][AssessmentKind.POST]) if team in scores else None
        gain = mean(scores[team][GAIN]) if team in scores else None
        team_recall = team_retention(retention[p][1] for p in people if p in retention)
        rows.append(
            [
                names.get(team, NO_TEAM),
                counts["enrolled"],
                counts["completed"],
                counts["certified"],
                percent(counts["completed"], counts["enrolled"]),
                rounded(pre),
                rounded(post),
                rounded(gain),
                None if team_recall is None else round(100 * team_recall, 1),
                rounded(team_readiness(readiness.get(p) for p in people)),
                rounded(mean(behaviour.get(p) for p in people)),
                observations.get(team, 0),
            ]
        )
    table = Table(
        key="training_by_team",
        title="Training, retention and readiness by team",
        headers=[
            "Team",
            "Enrolled",
            "Completed",
            "Certified",
            "Completion %",
            "Pre-assessment %",
            "Post-assessment %",
            "Gain (points)",
            "Retention %",
            "Readiness (0–100)",
            "Observed behaviour (0–100)",
            "Observations",
        ],
        rows=rows,
        formats=(None, COUNT, COUNT, COUNT, PERCENT, PERCENT, PERCENT, 1, PERCENT, 1, 1, COUNT),
    )
    enrolled = sum(row["enrolled"] for row in per_team.values())
    completed = sum(row["completed"] for row in per_team.values())
    all_scores = defaultdict(list)
    for kinds in scores.values():
        for kind, values in kinds.items():
            all_scores[kind] += values
    overall_recall = team_retention(value for _, value in retention.values())
    return TrainingSection(
        enrolled=enrolled,
        completed=completed,
        certified=sum(row["certified"] for row in per_team.values()),
        completion=percent(completed, enrolled),
        pre=rounded(mean(all_scores[AssessmentKind.PRE])),
        post=rounded(mean(all_scores[AssessmentKind.POST])),
        gain=rounded(mean(all_scores[GAIN])),
        retention=None if overall_recall is None else round(100 * overall_recall, 1),
        readiness=rounded(team_readiness(readiness.values())),
        behaviour=rounded(mean(behaviour.values())),
        observations=sum(observations.values()),
        table=table,
        retention_as_of=recall.computed_at,
    )
