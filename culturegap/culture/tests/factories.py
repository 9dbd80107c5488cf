"""Builders for the culture tests: waves and anonymous answers written directly."""

import datetime

from culturegap.culture import services
from culturegap.culture.models import Response, Wave


def make_wave(company, *, name="Spring survey", opened_on=datetime.date(2026, 3, 2), closed=True):
    return Wave.objects.create(
        company=company,
        name=name,
        opened_on=opened_on,
        closed_on=opened_on + datetime.timedelta(days=14) if closed else None,
        statements=services.statements_for(company=company),
        open_question=services.instrument()["open_question"],
    )


def add_answers(wave, team, means: list[tuple[float, float, float]], *, open_answer=""):
    """One anonymous answer per (vision, strategy, behaviours) triple, in ``team``."""
    Response.objects.bulk_create(
        Response(
            company=wave.company,
            wave=wave,
            team=team,
            team_kind=team.kind if team else "",
            vision=vision,
            strategy=strategy,
            behaviours=behaviours,
            open_answer=open_answer,
        )
        for vision, strategy, behaviours in means
    )
