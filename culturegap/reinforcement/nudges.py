"""Nudges: a morning digest to each learner with work waiting, and a Monday alert to managers.

``enqueue_nudges`` runs every hour (``culturegap send_nudges`` from cron): for each company whose
local time (``Company.time_zone``) is in the digest window — the company's digest hour and the
two hours after it, so a missed hourly run is caught up — it enqueues one ``send_digest`` task
per person who has a drill or a lesson waiting and has not opted out; on Mondays it also
enqueues one ``send_manager_alert`` task per manager. Workers (``culturegap db_worker``) run the
tasks.

At most once: before sending, a task claims a ``Nudge`` row for (person, kind, period) — e.g.
``digest:2026-11-25`` or ``manager:2026-W48`` — in its own committed transaction. The unique
constraint lets exactly one claim succeed however many workers run the same task at the same
moment (on PostgreSQL the second insert waits for the first transaction and then fails); the
others send nothing. A claim is never retried: if the mail server refuses the message, the
error is kept on the row and that day's digest is lost rather than risk sending it twice.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from culturegap.org.models import Company, Person
from culturegap.org.scope import reporting_line_ids
from culturegap.reinforcement import selectors
from culturegap.reinforcement.models import (
    Card,
    Nudge,
    NudgeKind,
    NudgePreference,
    VacationHold,
)
from culturegap.training.models import Enrollment

# The digest goes out in the company's digest hour or, if that run was missed, the next two.
DIGEST_WINDOW_HOURS = 3
MONDAY = 0


def site_link(path: str) -> str:
    """An absolute link for an e-mail: ``SITE_URL`` (e.g. https://culturegap.example.com) when
    set, else the development server's address."""
    base = getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def _in_window(company: Company, now: datetime.datetime) -> datetime.datetime | None:
    """The company's local time if it is in the digest window, else None."""
    local = now.astimezone(selectors.zone_of(company))
    hour = selectors.settings_for(company).digest_hour
    return local if hour <= local.hour < hour + DIGEST_WINDOW_HOURS else None


def digest_period(company: Company, now: datetime.datetime) -> str | None:
    local = _in_window(company, now)
    return None if local is None else f"digest:{local.date().isoformat()}"


def weekly_period(company: Company, now: datetime.datetime) -> str | None:
    local = _in_window(company, now)
    if local is None or local.weekday() != MONDAY:
        return None
    year, week, _ = local.isocalendar()
    return f"manager:{year}-W{week:02d}"


def _open_enrollments(company: Company, today: datetime.date):
    return Enrollment.objects.filter(
        company=company, completed_at__isnull=True, starts_on__lte=today
    )


def digest_recipients(*, company: Company, now: datetime.datetime) -> list[int]:
    """People of ``company`` who should get today's digest: active, not opted out, not away,
    with a card due or a curriculum started and not finished."""
    today = selectors.local_date(company, now)
    due = Card.objects.filter(person=OuterRef("pk"), due__lte=now).filter(
        selectors.not_suspended(now)
    )
    lessons = _open_enrollments(company, today).filter(person=OuterRef("pk"))
    opted_out = NudgePreference.objects.filter(person=OuterRef("pk"), daily_digest=False)
    away = VacationHold.objects.filter(
        person=OuterRef("pk"),
        cancelled_at__isnull=True,
        starts_on__lte=today,
        ends_on__gte=today,
    )
    people = (
        Person.objects.filter(company=company, is_active=True)
        .exclude(email="")
        .filter(Exists(due) | Exists(lessons))
        .exclude(Exists(opted_out))
        .exclude(Exists(away))
    )
    return list(people.values_list("pk", flat=True))


def alert_recipients(*, company: Company) -> list[int]:
    opted_out = NudgePreference.objects.filter(person=OuterRef("pk"), weekly_alert=False)
    managers = Person.objects.filter(company=company, is_active=True, is_manager=True)
    return list(managers.exclude(email="").exclude(Exists(opted_out)).values_list("pk", flat=True))


@dataclass
class Enqueued:
    digests: int = 0
    alerts: int = 0


def enqueue_nudges(*, now: datetime.datetime | None = None) -> Enqueued:
    """Enqueue the digests and manager alerts due at ``now`` (see the module docstring).
    People who already have this period's nudge are skipped; running it twice in an hour
    enqueues the rest only, and the tasks themselves make sure nobody gets two."""
    from culturegap.reinforcement import tasks

    now = now or timezone.now()
    enqueued = Enqueued()
    for company in Company.objects.order_by("pk"):
        period = digest_period(company, now)
        if period is not None:
            sent = Nudge.objects.filter(company=company, kind=NudgeKind.DIGEST, period_key=period)
            done = set(sent.values_list("person_id", flat=True))
            for person_id in digest_recipients(company=company, now=now):
                if person_id not in done:
                    tasks.send_digest.enqueue(person_id=person_id, period_key=period)
                    enqueued.digests += 1
        period = weekly_period(company, now)
        if period is not None:
            sent = Nudge.objects.filter(
                company=company, kind=NudgeKind.MANAGER_WEEKLY, period_key=period
            )
            done = set(sent.values_list("person_id", flat=True))
            for person_id in alert_recipients(company=company):
                if person_id not in done:
                    tasks.send_manager_alert.enqueue(person_id=person_id, period_key=period)
                    enqueued.alerts += 1
    return enqueued


def _send_once(*, person: Person, kind: str, period_key: str, subject: str, body: str) -> bool:
    """Claim the nudge, then send it: True if this call sent it, False if it was already
    claimed (by this or any other worker)."""
    try:
        with transaction.atomic():
            nudge = Nudge.objects.create(
                company_id=person.company_id, person=person, kind=kind, period_key=period_key
            )
    except IntegrityError:
        return False
    try:
        send_mail(subject, body, None, [person.email], fail_silently=False)
    except Exception as error:
        Nudge.objects.filter(pk=nudge.pk).update(error=str(error)[:2000])
        raise
    Nudge.objects.filter(pk=nudge.pk).update(sent_at=timezone.now())
    return True


def _first_name(person: Person) -> str:
    return (person.name or person.email).split()[0]


@dataclass
class Digest:
    questions: int
    minutes: int
    enrollments: list

    @property
    def subject(self) -> str:
        if self.questions and self.enrollments:
            return f"Your {self.minutes}-minute drill and a lesson are waiting"
        if self.questions:
            return f"Your {self.minutes}-minute drill: {self.questions} questions"
        return "A lesson is waiting for you"


def digest_for(*, person: Person, now: datetime.datetime) -> Digest | None:
    """What is waiting for ``person``: the length of today's drill and their open curricula;
    None when nothing is."""
    today = selectors.local_date(person.company, now)
    size = selectors.settings_for(person.company).drill_size
    questions = min(selectors.due_count(person=person, now=now), size)
    enrollments = list(
        _open_enrollments(person.company, today)
        .filter(person=person)
        .select_related("curriculum")
        .order_by("due_on")
    )
    if not questions and not enrollments:
        return None
    return Digest(questions, selectors.minutes_for(questions), enrollments)


def send_digest(*, person_id: int, period_key: str, now: datetime.datetime) -> bool:
    """Send ``person`` their morning digest for ``period_key`` unless they opted out, are away,
    have nothing waiting any more, or it was sent already."""
    person = Person.objects.filter(pk=person_id, is_active=True).select_related("company").first()
    if person is None or person.company is None:
        return False
    if not selectors.nudge_preference(person=person).daily_digest:
        return False
    today = selectors.local_date(person.company, now)
    hold = selectors.active_hold(person=person, today=today)
    if hold is not None and hold.starts_on <= today:
        return False
    digest = digest_for(person=person, now=now)
    if digest is None:
        return False
    lines = [f"Good morning {_first_name(person)},", ""]
    if digest.questions:
        lines += [
            f"Your drill: {digest.questions} question{'s' if digest.questions > 1 else ''} "
            f"due (about {digest.minutes} minute{'s' if digest.minutes > 1 else ''}).",
            site_link(reverse("reinforcement:drill")),
            "",
        ]
    if digest.enrollments:
        lines.append("Lessons waiting:")
        lines += [
            f"- {e.curriculum.title} (due {e.due_on.day} {e.due_on:%B})" for e in digest.enrollments
        ]
        lines += [site_link(reverse("today")), ""]
    lines += [
        "You get this e-mail on mornings when something is waiting for you.",
        "To stop it, or to pause while you are away: "
        + site_link(reverse("reinforcement:preferences")),
    ]
    return _send_once(
        person=person,
        kind=NudgeKind.DIGEST,
        period_key=period_key,
        subject=digest.subject,
        body="\n".join(lines),
    )


@dataclass
class ManagerAlert:
    below_threshold: list[Person]
    overdue: list[Enrollment]
    threshold: float


def manager_alert_for(*, manager: Person, now: datetime.datetime) -> ManagerAlert | None:
    """People in ``manager``'s reporting line whose retention is below the company's threshold,
    and enrollments in it past their due date and not completed; None when there are neither."""
    today = selectors.local_date(manager.company, now)
    below = selectors.people_below_threshold(manager=manager, now=now)
    overdue = list(
        Enrollment.objects.filter(
            company_id=manager.company_id,
            person_id__in=reporting_line_ids(manager=manager),
            person__is_active=True,
            completed_at__isnull=True,
            due_on__lt=today,
        )
        .select_related("person", "curriculum")
        .order_by("person__name", "due_on")
    )
    if not below and not overdue:
        return None
    threshold = selectors.settings_for(manager.company).alert_threshold
    return ManagerAlert(below, overdue, threshold)


def send_manager_alert(*, person_id: int, period_key: str, now: datetime.datetime) -> bool:
    manager = (
        Person.objects.filter(pk=person_id, is_active=True, is_manager=True)
        .select_related("company")
        .first()
    )
    if manager is None or manager.company is None:
        return False
    if not selectors.nudge_preference(person=manager).weekly_alert:
        return False
    alert = manager_alert_for(manager=manager, now=now)
    if alert is None:
        return False
    lines = [f"Good morning {_first_name(manager)},", ""]
    if alert.below_threshold:
        lines.append(
            f"Predicted retention below {alert.threshold:.0%} — a short conversation or a "
            "drill together helps:"
        )
        lines += [f"- {person.name}" for person in alert.below_threshold]
        lines.append("")
    if alert.overdue:
        lines.append("Overdue on a curriculum:")
        lines += [
            f"- {e.person.name}: {e.curriculum.title} (was due {e.due_on.day} {e.due_on:%B})"
            for e in alert.overdue
        ]
        lines.append("")
    lines += [
        f"Your teams' retention: {site_link(reverse('reinforcement:team_list'))}",
        f"To stop these e-mails: {site_link(reverse('reinforcement:preferences'))}",
    ]
    count = len({p.pk for p in alert.below_threshold} | {e.person_id for e in alert.overdue})
    return _send_once(
        person=manager,
        kind=NudgeKind.MANAGER_WEEKLY,
        period_key=period_key,
        subject=f"This week: {count} {'person needs' if count == 1 else 'people need'} your "
        "attention",
        body="\n".join(lines),
    )
