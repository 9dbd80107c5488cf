"""The backfill_cards command."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from culturegap.reinforcement.models import Card, Review
from culturegap.reinforcement.tests.factories import answer, make_question


def test_backfill_builds_cards_once(staff):
    crp = staff["crp"]
    question = make_question(crp.company)
    answer(crp, question)
    answer(staff["manager"], question, right=False)
    out = io.StringIO()
    call_command("backfill_cards", "--no-fuzz", stdout=out, verbosity=0)
    assert "2 answers reviewed, 2 new cards" in out.getvalue()
    assert (Card.objects.count(), Review.objects.count()) == (2, 2)
    out = io.StringIO()
    call_command("backfill_cards", "--company", "acme", stdout=out, verbosity=0)
    assert "0 answers reviewed, 0 new cards" in out.getvalue()


def test_backfill_of_an_unknown_company_fails_clearly(db):
    with pytest.raises(CommandError, match="No company with slug 'nope'"):
        call_command("backfill_cards", "--company", "nope")
