"""Due cards, drill building, retention now and over time, team overviews."""

import datetime

import pytest

from culturegap.reinforcement import selectors
from culturegap.reinforcement.models import ReinforcementSettings, Review
from culturegap.reinforcement.tests.factories import UTC, card, make_question

NOW = datetime.datetime(2026, 3, 2, 9, tzinfo=UTC)


def hours_ago(n: float) -> datetime.datetime:
    return NOW - datetime.timedelta(hours=n)


@pytest.fixture
def crp(staff):
    return staff["crp"]


def test_due_cards_are_the_due_ones_most_overdue_first_within_the_limit(crp):
    company = crp.company
    old = card(crp, make_question(company), due=hours_ago(30))
    recent = card(crp, make_question(company), due=hours_ago(1))
    card(crp, make_question(company), due=NOW + datetime.timedelta(hours=1))  # not yet due
    card(
        crp,
        make_question(company),
        due=hours_ago(40),
        suspended_until=NOW + datetime.timedelta(days=1),
    )
    assert selectors.due_cards(person=crp, now=NOW, limit=5) == [old, recent]
    assert selectors.due_cards(person=crp, now=NOW, limit=1) == [old]
    assert selectors.due_count(person=crp, now=NOW) == 2


def test_due_cards_take_turns_across_skills_and_never_repeat(crp):
    company = crp.company
    opens = [
        card(crp, make_question(company, skill="open"), due=hours_ago(50 - n)) for n in range(4)
    ]
    discovers = [
        card(crp, make_question(company, skill="discover"), due=hours_ago(20 - n)) for n in range(2)
    ]
    closes = [card(crp, make_question(company, skill="close"), due=hours_ago(10))]
    chosen = selectors.due_cards(person=crp, now=NOW, limit=5)
    # Round one: each skill's most overdue card, skills by their most overdue; then round two.
    assert chosen == [opens[0], discovers[0], closes[0], opens[1], discovers[1]]
    assert len(set(c.pk for c in chosen)) == len(chosen)


def test_due_cards_are_only_the_persons_own(crp, staff):
    card(staff["manager"], make_question(crp.company), due=hours_ago(3))
    assert selectors.due_cards(person=crp, now=NOW, limit=5) == []


def test_build_drill_uses_the_company_size(crp):
    ReinforcementSettings.objects.create(company=crp.company, drill_size=3)
    for n in range(5):
        card(crp, make_question(crp.company), due=hours_ago(n + 1))
    assert len(selectors.build_drill(person=crp, now=NOW)) == 3


def test_a_drill_of_one_due_card_is_topped_up_with_the_next_due(crp):
    due = card(crp, make_question(crp.company), due=hours_ago(1))
    soon = card(crp, make_question(crp.company), due=NOW + datetime.timedelta(days=1))
    card(crp, make_question(crp.company), due=NOW + datetime.timedelta(days=10))
    assert selectors.build_drill(person=crp, now=NOW) == [due, soon]


def test_no_drill_without_a_due_card(crp):
    card(crp, make_question(crp.company), due=NOW + datetime.timedelta(days=1))
    assert selectors.build_drill(person=crp, now=NOW) == []


def test_minutes_for_a_drill():
    assert selectors.minutes_for(1) == 1
    assert selectors.minutes_for(5) == 2
    assert selectors.minutes_for(7) == 3


def days_ago(n: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=n)


def test_retention_now_per_person_skill_and_team_by_hand(crp, staff):
    """FSRS's stability is the number of days for recall to fall to 90 %: a card reviewed
    S days ago with stability S has retrievability 0.9; a card reviewed today 1.0.

    Cara: open 0.9, discover 1.0 → 0.95. Max: open 0.9. Team: (0.95 + 0.9) / 2 = 0.925;
    open: (0.9 + 0.9) / 2 = 0.9; discover: 1.0 (Cara only)."""
    company = crp.company
    manager = staff["manager"]
    card(crp, make_question(company, skill="open"), due=NOW, stability=10, last_review=days_ago(10))
    card(crp, make_question(company, skill="discover"), due=NOW, stability=5, last_review=NOW)
    card(
        manager,
        make_question(company, skill="open"),
        due=NOW,
        stability=20,
        last_review=days_ago(20),
    )
    group = selectors.retention_of_people(company=company, person_ids=[crp.pk, manager.pk], now=NOW)
    assert group.people[crp.pk].value == pytest.approx(0.95)
    assert group.people[crp.pk].by_skill == pytest.approx({"discover": 1.0, "open": 0.9})
    assert group.people[manager.pk].value == pytest.approx(0.9)
    assert group.value == pytest.approx(0.925)
    assert group.by_skill == pytest.approx({"discover": 1.0, "open": 0.9})
    mine = selectors.retention_of(person=crp, now=NOW)
    assert (mine.value, mine.cards) == (pytest.approx(0.95), 2)
    assert selectors.retention_of(person=staff["sales"], now=NOW).value is None


def test_retention_series_replays_the_review_history(crp):
    """One card reviewed 14 days ago with stability 7, then 7 days ago with stability 14.
    Weekly points: 14 days ago → 1.0 (just reviewed); 7 days ago → 1.0 (reviewed again);
    now → 7 days after a review with stability 14, worked out with the FSRS-6 curve."""
    question = make_question(crp.company)
    made = card(crp, question, due=NOW, stability=14, last_review=days_ago(7))
    for at, stability in ((days_ago(14), 7.0), (days_ago(7), 14.0)):
        Review.objects.create(
            company=crp.company,
            card=made,
            person=crp,
            rating=3,
            correct=True,
            answered_at=at,
            scheduled_due_after=at + datetime.timedelta(days=7),
            stability_after=stability,
            difficulty_after=5.0,
        )
    points, values = selectors.retention_series(
        company=crp.company, person_ids=[crp.pk], now=NOW, weeks=3
    )
    assert points == [days_ago(21), days_ago(14), days_ago(7), NOW]
    decay = -0.1542
    factor = 0.9 ** (1 / decay) - 1
    assert values[0] is None
    assert values[1] == pytest.approx(1.0)
    assert values[2] == pytest.approx(1.0)
    assert values[3] == pytest.approx((1 + factor * 7 / 14) ** decay)


def test_team_overview_and_people_below_threshold(crp, staff):
    company = crp.company
    ReinforcementSettings.objects.create(company=company, alert_threshold=0.95)
    card(crp, make_question(company), due=NOW, stability=10, last_review=days_ago(10))  # 0.9
    rows = selectors.team_overview(viewer=staff["manager"], now=NOW)
    assert [(row.team.name, row.people, row.below_threshold) for row in rows] == [
        ("Client Service", 2, 1)
    ]
    assert rows[0].retention == pytest.approx(0.9)
    assert selectors.people_below_threshold(manager=staff["manager"], now=NOW) == [crp]
