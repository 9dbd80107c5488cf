"""Nudges: the digest at local morning only, opt-out, holds, at most once, the manager alert."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from culturegap.org.tests.factories import CompanyFactory, PersonFactory, TeamFactory
from culturegap.reinforcement import nudges, services
from culturegap.reinforcement.models import Nudge, NudgePreference, ReinforcementSettings
from culturegap.reinforcement.tests.factories import UTC, card, make_question
from culturegap.training.models import Enrollment
from culturegap.training.tests.factories import CurriculumFactory

# A Monday; London is on GMT, so 08:30 UTC is 08:30 local.
MONDAY_MORNING = datetime.datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def run_tasks_at_once(settings, monkeypatch):
    """Tasks run as they are enqueued, and "now" inside them is the test's Monday morning."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr("django.utils.timezone.now", lambda: MONDAY_MORNING)


@pytest.fixture
def crp(staff):
    """Cara has two questions due."""
    for _ in range(2):
        card(staff["crp"], make_question(staff["crp"].company), due=MONDAY_MORNING)
    return staff["crp"]


def sent_to(email: str) -> list:
    return [message for message in mail.outbox if message.to == [email]]


def test_the_digest_goes_out_at_local_morning_only(crp):
    assert nudges.enqueue_nudges(now=MONDAY_MORNING.replace(hour=7)).digests == 0
    assert nudges.enqueue_nudges(now=MONDAY_MORNING).digests == 1
    [message] = sent_to(crp.email)
    assert "2 questions due (about 1 minute)" in message.body
    assert "/drill/" in message.body and "/drill/preferences/" in message.body
    assert nudges.enqueue_nudges(now=MONDAY_MORNING.replace(hour=11)).digests == 0


def test_each_company_has_its_own_morning(db):
    company = CompanyFactory(name="Far West", slug="far-west", time_zone="America/New_York")
    ReinforcementSettings.objects.create(company=company, digest_hour=9)
    person = PersonFactory(company=company, team=TeamFactory(company=company), email="w@w.test")
    card(person, make_question(company), due=MONDAY_MORNING)
    assert nudges.enqueue_nudges(now=MONDAY_MORNING).digests == 0  # 03:30 in New York
    new_york_nine = datetime.datetime(2026, 3, 2, 14, 5, tzinfo=UTC)  # EST: UTC−5
    assert nudges.enqueue_nudges(now=new_york_nine).digests == 1
    assert len(sent_to("w@w.test")) == 1


def test_a_missed_hour_is_caught_up_but_nobody_gets_two(crp):
    nudges.enqueue_nudges(now=MONDAY_MORNING)
    assert nudges.enqueue_nudges(now=MONDAY_MORNING.replace(hour=9)).digests == 0
    assert len(sent_to(crp.email)) == 1


def test_opting_out_is_respected(crp):
    services.set_nudge_preference(person=crp, daily_digest=False, weekly_alert=True)
    assert nudges.enqueue_nudges(now=MONDAY_MORNING).digests == 0
    # Even a task enqueued before the opt-out sends nothing.
    assert not nudges.send_digest(person_id=crp.pk, period_key="digest:x", now=MONDAY_MORNING)
    assert mail.outbox == []


def test_nobody_is_nudged_while_away(crp):
    services.set_vacation_hold(
        person=crp,
        starts_on=datetime.date(2026, 3, 2),
        ends_on=datetime.date(2026, 3, 6),
        now=MONDAY_MORNING,
    )
    assert nudges.enqueue_nudges(now=MONDAY_MORNING).digests == 0
    assert mail.outbox == []


def test_nothing_waiting_means_no_digest(staff):
    card(
        staff["crp"],
        make_question(staff["crp"].company),
        due=datetime.datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert nudges.enqueue_nudges(now=MONDAY_MORNING).digests == 0


def test_an_open_curriculum_is_enough_for_a_digest(staff):
    crp = staff["crp"]
    curriculum = CurriculumFactory(company=crp.company, title="Loyal conversations")
    Enrollment.objects.create(
        company=crp.company,
        person=crp,
        curriculum=curriculum,
        starts_on=datetime.date(2026, 2, 1),
        due_on=datetime.date(2026, 3, 31),
    )
    nudges.enqueue_nudges(now=MONDAY_MORNING)
    [message] = sent_to(crp.email)
    assert "Loyal conversations (due 31 March)" in message.body
    assert message.subject == "A lesson is waiting for you"


def test_a_digest_is_sent_at_most_once(crp):
    first = nudges.send_digest(person_id=crp.pk, period_key="digest:2026-03-02", now=MONDAY_MORNING)
    again = nudges.send_digest(person_id=crp.pk, period_key="digest:2026-03-02", now=MONDAY_MORNING)
    assert (first, again) == (True, False)
    assert len(sent_to(crp.email)) == 1
    nudge = Nudge.objects.get()
    assert nudge.sent_at is not None and nudge.period_key == "digest:2026-03-02"


def test_a_failed_send_keeps_the_claim_and_is_not_retried(crp, settings, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(nudges, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        nudges.send_digest(person_id=crp.pk, period_key="digest:2026-03-02", now=MONDAY_MORNING)
    nudge = Nudge.objects.get()
    assert nudge.sent_at is None and "mail server down" in nudge.error
    monkeypatch.setattr(nudges, "send_mail", mail.send_mail)
    assert not nudges.send_digest(
        person_id=crp.pk, period_key="digest:2026-03-02", now=MONDAY_MORNING
    )


def test_the_command_enqueues_and_reports(crp, capsys):
    call_command("send_nudges", "--now", MONDAY_MORNING.isoformat())
    assert "Enqueued 1 digest(s)" in capsys.readouterr().out
    assert len(sent_to(crp.email)) == 1


def test_the_command_refuses_a_bad_moment(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_nudges", "--now", "tomorrow")
    with pytest.raises(CommandError):
        call_command("send_nudges", "--now", "2026-03-02T08:00:00")


def test_the_weekly_alert_names_the_right_people(staff, company):
    ReinforcementSettings.objects.create(company=company, alert_threshold=0.8)
    manager, crp = staff["manager"], staff["crp"]
    # Cara: reviewed 40 days ago with stability 5 → well below 80 %.
    card(
        crp,
        make_question(company),
        due=MONDAY_MORNING,
        stability=5,
        last_review=MONDAY_MORNING - datetime.timedelta(days=40),
    )
    # Dan, also in Max's line: fresh, above the threshold, but overdue on a curriculum.
    dan = PersonFactory(company=company, team=crp.team, manager=manager, name="Dan Due")
    card(
        dan,
        make_question(company),
        due=MONDAY_MORNING,
        stability=50,
        last_review=MONDAY_MORNING - datetime.timedelta(days=1),
    )
    Enrollment.objects.create(
        company=company,
        person=dan,
        curriculum=CurriculumFactory(company=company, title="Loyal conversations"),
        starts_on=datetime.date(2026, 1, 5),
        due_on=datetime.date(2026, 2, 27),
    )
    # Someone outside Max's line, far below the threshold: not named.
    outsider = PersonFactory(company=company, name="Olga Outside")
    card(
        outsider,
        make_question(company),
        due=MONDAY_MORNING,
        stability=1,
        last_review=MONDAY_MORNING - datetime.timedelta(days=90),
    )
    enqueued = nudges.enqueue_nudges(now=MONDAY_MORNING)
    assert enqueued.alerts == 1  # Max is the only manager
    [alert] = [m for m in sent_to(manager.email) if "attention" in m.subject]
    assert alert.subject == "This week: 2 people need your attention"
    assert (
        "Cara CRP" in alert.body
        and "Dan Due: Loyal conversations (was due 27 February)" in alert.body
    )
    below_part = alert.body.split("Overdue")[0]
    assert "Dan Due" not in below_part
    assert "Olga Outside" not in alert.body
    # Tuesday: no alert.
    assert nudges.enqueue_nudges(now=MONDAY_MORNING + datetime.timedelta(days=1)).alerts == 0


def test_a_manager_can_opt_out_of_the_alert(staff, company):
    NudgePreference.objects.create(
        company=company, person=staff["manager"], daily_digest=True, weekly_alert=False
    )
    assert nudges.enqueue_nudges(now=MONDAY_MORNING).alerts == 0


def test_no_alert_when_everyone_is_fine(staff):
    manager = staff["manager"]
    assert not nudges.send_manager_alert(
        person_id=manager.pk, period_key="manager:w", now=MONDAY_MORNING
    )
    assert mail.outbox == []
