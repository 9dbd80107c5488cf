"""The demo chapter: two years of opportunities with a believable pipeline."""

import datetime
import random

import pytest
from django.db.models import Count

from culturegap.demo.company import remove_demo_company, seed_demo_company
from culturegap.opportunities import demo
from culturegap.opportunities.models import OPEN_STATUSES, Opportunity, OpportunityEvent
from culturegap.opportunities.selectors import untouched_days
from culturegap.org.demo import DEMO_EMAILS
from culturegap.org.models import Role

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def harbourline(db, monkeypatch):
    # Only this chapter, whatever other chapters the project lists.
    monkeypatch.setattr("culturegap.demo.company.DEMO_CHAPTERS", [])
    return seed_demo_company(people=60, customers=400, today=TODAY).company


def _fingerprint(company):
    return list(
        Opportunity.objects.filter(company=company)
        .order_by("created_at", "customer__external_id", "need")
        .values_list(
            "customer__external_id", "need", "status", "value", "found_by__email",
            "owner__email", "created_at",
        )
    )  # fmt: skip


def test_the_chapter_writes_a_consistent_history(harbourline):
    written = demo.seed(company=harbourline, rng=random.Random(1), today=TODAY)
    opportunities = Opportunity.objects.filter(company=harbourline)
    assert written == opportunities.count() > 100
    statuses = dict(opportunities.values_list("status").annotate(n=Count("pk")))
    assert set(statuses) == {"new", "contacted", "qualified", "won", "lost"}
    assert not opportunities.filter(status="won", value__isnull=True).exists()
    assert not opportunities.filter(status="lost", lost_reason="").exists()
    for opportunity in opportunities.prefetch_related("events"):
        events = list(opportunity.events.all())
        assert events[0].to_status == "new" and events[0].from_status == ""
        assert events[-1].to_status == opportunity.status
        assert [e.at for e in events] == sorted(e.at for e in events)
        assert opportunity.last_touched_at == events[-1].at
        assert opportunity.created_at.date() >= TODAY - datetime.timedelta(days=demo.HISTORY_DAYS)
    # The history reaches back two years.
    first = opportunities.order_by("created_at").first().created_at.date()
    assert first < TODAY - datetime.timedelta(days=600)


def test_trained_crps_find_more(harbourline):
    demo.seed(company=harbourline, rng=random.Random(1), today=TODAY)
    waves = demo.training_waves(company=harbourline, today=TODAY)
    assert len(set(waves.values())) == 2
    before = after = 0
    days_before = days_after = 0
    for team, start in waves.items():
        found = Opportunity.objects.filter(found_by_team_id=team, source="crp")
        window = datetime.timedelta(days=150)
        before += found.filter(created_at__date__range=(start - window, start)).count()
        ramped = start + datetime.timedelta(days=demo.RAMP_DAYS)
        after += found.filter(created_at__date__gte=ramped).count()
        days_before += 150
        days_after += max(0, (TODAY - ramped).days)
    assert after / max(days_after, 1) > 1.4 * before / days_before


def test_the_demo_logins_have_a_story(harbourline):
    demo.seed(company=harbourline, rng=random.Random(1), today=TODAY)
    found = Opportunity.objects.filter(found_by__email=DEMO_EMAILS[Role.CRP])
    assert found.count() >= 5
    assert {"new", "won", "lost"} <= set(found.values_list("status", flat=True))
    owned_open = list(
        Opportunity.objects.filter(
            owner__email=DEMO_EMAILS[Role.SALES], status__in=OPEN_STATUSES
        ).select_related("company")
    )
    assert len(owned_open) >= 4
    # Relative to the demo's "today", two of them are untouched for too long.
    now = datetime.datetime.combine(TODAY, datetime.time(18), datetime.UTC)
    assert sum(1 for o in owned_open if untouched_days(o, company=harbourline, now=now)) >= 2


def test_same_seed_same_history(harbourline):
    demo.seed(company=harbourline, rng=random.Random(5), today=TODAY)
    first = _fingerprint(harbourline)
    Opportunity.objects.filter(company=harbourline).delete()
    demo.seed(company=harbourline, rng=random.Random(5), today=TODAY)
    assert _fingerprint(harbourline) == first


def test_the_demo_company_can_still_be_removed(harbourline):
    demo.seed(company=harbourline, rng=random.Random(1), today=TODAY)
    assert remove_demo_company()
    assert not Opportunity.objects.exists() and not OpportunityEvent.objects.exists()


def test_the_volume_is_capped(harbourline, monkeypatch):
    monkeypatch.setattr(demo, "MAX_OPPORTUNITIES", 60)
    written = demo.seed(company=harbourline, rng=random.Random(1), today=TODAY)
    assert written < 150  # about 60, plus the demo logins' own


def test_monthly_rate_ramps_up_after_training():
    start = datetime.date(2026, 1, 1)
    assert demo.monthly_rate(start - datetime.timedelta(days=1), start) == demo.BASE_RATE
    halfway = demo.monthly_rate(start + datetime.timedelta(days=demo.RAMP_DAYS // 2), start)
    assert demo.BASE_RATE < halfway < demo.TRAINED_RATE
    assert demo.monthly_rate(start + datetime.timedelta(days=400), start) == demo.TRAINED_RATE
