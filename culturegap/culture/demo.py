"""Demo chapter: four waves of the culture survey at the demo company, the gap between sales and
the CRP teams closing in some teams and not in others.

The training rollout is the training chapter's (``culturegap.training.demo.plan_waves``, read
here so the two cannot drift apart): wave 1 of training (the first half of the CRP teams by
name) starts about 270 days before "today", wave 2 (the other CRP teams and the sales teams)
about 150 days before. The survey waves fall around it:

- "before": opened 300 days ago, before any training;
- "mid-rollout": opened 200 days ago, when only training wave 1 had started;
- "after": opened 60 days ago, when every team had started;
- "now": opened 5 days ago and still open, about a third answered, so the demo CRP (crp@,
  who has not answered) can answer it.

Each team has a level per dimension: sales teams agree strongly on vision and strategy, CRP
teams less. Once a CRP team's training has started its levels rise towards the sales levels over
``CLOSE_DAYS``, except in every third CRP team (by name), whose gap stays open. Every answer
scores each statement around its team's level (plus a personal leaning), rounded to 1–5.
"""

import datetime
import random
import uuid

from django.db import transaction
from tqdm import tqdm

from culturegap.culture import services
from culturegap.culture.models import Participation, Response, Wave
from culturegap.culture.selectors import eligible_staff
from culturegap.measures import culture as measure
from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import Company, Role, Team, TeamKind
from culturegap.training.demo import plan_waves

BATCH_SIZE = 2000
# (name, days before today it opened, days it stayed open; None = still open, share answering)
WAVES = (
    ("Culture survey: before the rollout", 300, 14, 0.82),
    ("Culture survey: mid-rollout", 200, 14, 0.78),
    ("Culture survey: after the rollout", 60, 14, 0.80),
    ("Culture survey: now", 5, None, 0.35),
)
SALES_LEVEL = {"vision": 4.2, "strategy": 4.1, "behaviours": 3.4}
CRP_LEVEL = {"vision": 3.0, "strategy": 2.6, "behaviours": 2.9}
# What a CRP team that closes the gap gains per dimension at full effect; sales teams gain a
# little on shared behaviours too, as they learn the same language.
CRP_GAIN = {"vision": 0.9, "strategy": 1.1, "behaviours": 0.8}
SALES_GAIN = {"vision": 0.0, "strategy": 0.0, "behaviours": 0.3}
CLOSE_DAYS = 150
SCORE_SPREAD = 0.8
LEANING_SPREAD = 0.35
OPEN_ANSWER_SHARE = 0.25
OPEN_ANSWERS = (
    "Sit in on each other's client meetings now and then.",
    "Tell us which services sales is pushing this quarter and why.",
    "A shared list of what each client already buys from us.",
    "Same words for our services across every team.",
    "Let us hand over a lead without filling in three forms.",
    "Hear back when a referral we passed on turns into work.",
    "A short monthly update from the partners on where the firm is going.",
    "Joint training days with sales rather than separate ones.",
    "Less jargon from sales, more listening to what clients tell us.",
    "Recognise the people who keep clients, not only those who win them.",
)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _levels(team: Team, day: datetime.date, trained_from, closing: set[int]) -> dict[str, float]:
    """The team's level per dimension on ``day``."""
    sales = team.kind == TeamKind.SALES
    base, gain = (SALES_LEVEL, SALES_GAIN) if sales else (CRP_LEVEL, CRP_GAIN)
    started = trained_from.get(team.pk)
    effect = 0.0
    if started is not None and day >= started and (sales or team.pk in closing):
        effect = min(1.0, (day - started).days / CLOSE_DAYS)
    return {d: base[d] + gain[d] * effect for d in measure.DIMENSIONS}


def _score(rng: random.Random, level: float) -> int:
    return max(1, min(5, round(rng.gauss(level, SCORE_SPREAD))))


@transaction.atomic
def seed(*, company: Company, rng: random.Random, today: datetime.date, progress: bool) -> None:
    trained_from = {
        team.pk: starts_on
        for teams, starts_on, _due in plan_waves(company=company, today=today).values()
        for team in teams
    }
    teams = {team.pk: team for team in Team.objects.filter(company=company)}
    crp_teams = sorted(
        (t for t in teams.values() if t.kind != TeamKind.SALES and t.pk in trained_from),
        key=lambda t: t.name,
    )
    closing = {team.pk for index, team in enumerate(crp_teams) if index % 3 != 2}
    people = list(
        eligible_staff(company=company)
        .exclude(team=None)
        .order_by("pk")
        .values_list("pk", "team_id", "email")
    )
    leaning = {pk: rng.gauss(0, LEANING_SPREAD) for pk, _, _ in people}
    statements = services.statements_for(company=company)
    open_question = services.instrument()["open_question"]
    demo_crp = DEMO_EMAILS[Role.CRP]

    with tqdm(total=len(WAVES), desc="Culture survey", unit=" waves", disable=not progress) as bar:
        for name, days_ago, length, share in WAVES:
            opened_on = today - datetime.timedelta(days=days_ago)
            wave = Wave.objects.create(
                company=company,
                name=name,
                opened_on=opened_on,
                closed_on=None if length is None else opened_on + datetime.timedelta(days=length),
                statements=statements,
                open_question=open_question,
                invited=len(people),
            )
            day = opened_on + datetime.timedelta(days=3)
            levels = {pk: _levels(team, day, trained_from, closing) for pk, team in teams.items()}
            participations, responses = [], []
            for person_id, team_id, email in people:
                if rng.random() >= share or (wave.is_open and email == demo_crp):
                    continue
                level = levels[team_id]
                scores = {
                    item["key"]: _score(rng, level[item["dimension"]] + leaning[person_id])
                    for item in statements
                }
                means = measure.dimension_means(scores, wave.dimension_of())
                text = rng.choice(OPEN_ANSWERS) if rng.random() < OPEN_ANSWER_SHARE else ""
                participations.append(
                    Participation(company=company, wave=wave, person_id=person_id)
                )
                responses.append(
                    Response(
                        id=_uuid(rng),
                        company=company,
                        wave=wave,
                        team_id=team_id,
                        team_kind=teams[team_id].kind,
                        scores=scores,
                        open_answer=text,
                        **means,
                    )
                )
            # Answers are written in an order unrelated to the people who gave them.
            rng.shuffle(responses)
            Participation.objects.bulk_create(participations, batch_size=BATCH_SIZE)
            Response.objects.bulk_create(responses, batch_size=BATCH_SIZE)
            bar.update()
