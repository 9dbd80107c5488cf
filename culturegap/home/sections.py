"""What each role should do today: the sections of the Today page, built from live data.

A person with several roles sees one section per role, in the order of ``Role``. Every figure
comes from a selector of the app that owns it.
"""

import datetime
from dataclasses import dataclass, field

import plotly.graph_objects as go
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from culturegap import measures
from culturegap.charts import chart
from culturegap.coaching.selectors import OBSERVE_EVERY_DAYS, manager_reminders
from culturegap.culture import selectors as culture
from culturegap.loyalty import selectors as loyalty
from culturegap.opportunities.selectors import (
    found_counts,
    sees_pipeline,
    thanks_for,
    waiting_for,
)
from culturegap.org import scope, selectors
from culturegap.org.models import Person, Role
from culturegap.reinforcement.selectors import drill_today, people_below_threshold
from culturegap.training.selectors import learner_day, overdue_count


@dataclass
class Task:
    """One thing to do, in words that say what it is and when it is due (or that it is done)."""

    text: str
    url: str = ""
    done: bool = False


@dataclass
class Section:
    role: str
    title: str
    intro: str
    tasks: list[Task] = field(default_factory=list)
    # Pages to open, which are not tasks: the menu has them too; here they are one tap away.
    links: list[tuple[str, str]] = field(default_factory=list)
    stats: list[tuple[str, object]] = field(default_factory=list)
    charts: list = field(default_factory=list)


def _rounded(value: float | None, digits: int = 2):
    return "–" if value is None else round(value, digits)


def _percent(value: float | None):
    return "–" if value is None else f"{value:.0%}"


def _day(day) -> str:
    """ "8 May", kept on one line on a phone."""
    return date_format(day, "j M").replace(" ", "\u00a0")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def executive_section(person: Person) -> Section:
    company = person.company
    headcount = selectors.company_headcount(company=company)
    counts = selectors.active_service_counts(company=company)
    return Section(
        role=Role.EXECUTIVE,
        title="The company at a glance",
        intro="Is the culture gap closing, and is it paying? The figures below fill in as the "
        "program runs: training, opportunities from CRPs, loyalty and the alignment survey.",
        stats=[
            ("Staff", headcount["staff"]),
            ("CRPs", headcount["crps"]),
            ("Salespeople", headcount["salespeople"]),
            ("Active customers", sum(1 for c in counts if c > 0)),
            ("Services per customer", _rounded(measures.services_per_customer(counts))),
            ("Buy one service only", _percent(measures.share_buying_one_service(counts))),
            ("NPS (last 12 months)", _rounded(loyalty.company_nps(company=company).nps, None)),
        ],
        tasks=[*_culture_results_tasks(company), *_loyalty_survey_tasks(company)],
        links=[
            ("Executive dashboard: gap, training, impact, loyalty", reverse("dashboard:index")),
            ("Culture survey results", reverse("culture:results")),
            ("Teams and who leads them", reverse("org:team_list")),
            ("Customer loyalty: NPS, retention, services", reverse("loyalty:dashboard")),
        ],
        charts=[_services_bought_chart(counts)] if any(counts) else [],
    )


def _wave_title(wave) -> str:
    """The wave's name in quotes, unless the name only repeats "culture survey"."""
    if "culture survey" in wave.name.lower():
        return ""
    return f" “{wave.name}”"


def _culture_results_tasks(company) -> list[Task]:
    wave = culture.wave_list(company=company).first()
    url = reverse("culture:results")
    if wave is None:
        return [Task("Read the culture survey's results: no survey run yet", url)]
    if wave.is_open:
        return [
            Task(
                f"Read the culture survey's results: survey{_wave_title(wave)} open since "
                f"{_day(wave.opened_on)}, {_plural(wave.answered, 'answer', 'answers')} so far",
                url,
            )
        ]
    return [
        Task(
            f"Read the culture survey's results: survey{_wave_title(wave)} closed on "
            f"{_day(wave.closed_on)}",
            url,
        )
    ]


def _loyalty_survey_tasks(company) -> list[Task]:
    campaign = loyalty.open_campaign(company=company)
    if campaign is None:
        return []
    return [
        Task(
            f"See the answers to the loyalty survey “{campaign.name}”: open until "
            f"{_day(campaign.closes_on)}",
            reverse("loyalty:dashboard"),
        )
    ]


def _services_bought_chart(counts: list[int]):
    buying = [count for count in counts if count > 0]
    most = max(buying)
    labels = [f"{n} service{'s' if n > 1 else ''}" for n in range(1, most + 1)]
    figure = go.Figure(
        go.Bar(x=labels, y=[buying.count(n) for n in range(1, most + 1)], name="customers")
    )
    figure.update_layout(title="Customers by number of services they buy", yaxis_title="customers")
    return chart(figure, label="Bar chart of customers by the number of services they buy")


def _before_rollout(text: str, done: bool) -> str:
    return text if done else f"{text} — set up before the rollout"


def admin_section(person: Person) -> Section:
    company = person.company
    setup = selectors.program_setup(company=company)
    service_count, people_count = setup["services"], setup["people"]
    customer_count, without_team = setup["customers"], setup["without_team"]
    tasks = [
        Task(
            _before_rollout(f"Service catalog: {service_count} services", service_count > 0),
            reverse("org:service_list"),
            done=service_count > 0,
        ),
        Task(
            _before_rollout(f"People imported: {people_count}", people_count > 1),
            reverse("org:import_people"),
            done=people_count > 1,
        ),
        Task(
            _before_rollout(f"Customers imported: {customer_count}", customer_count > 0),
            reverse("org:import_customers"),
            done=customer_count > 0,
        ),
    ]
    campaign = loyalty.open_campaign(company=company)
    tasks.append(
        Task(
            "Run a loyalty survey — none open today"
            if campaign is None
            else f"Run a loyalty survey — “{campaign.name}” open until {_day(campaign.closes_on)}",
            reverse("loyalty:campaign_list"),
            done=campaign is not None,
        )
    )
    wave = culture.open_wave(company=company)
    tasks.append(
        Task(
            "Run the culture survey for customer-contact staff — none open today"
            if wave is None
            else f"Run the culture survey for customer-contact staff — survey{_wave_title(wave)} "
            f"open since {_day(wave.opened_on)}",
            reverse("culture:waves"),
            done=wave is not None,
        )
    )
    if without_team:
        tasks.append(
            Task(
                f"{_plural(without_team, 'person has', 'people have')} no team yet — give them "
                "one before their training starts",
                reverse("org:person_list"),
            )
        )
    return Section(
        role=Role.ADMIN,
        title="Set up and run the program",
        intro="Bring in your people and customers, then roll out the common language.",
        tasks=tasks,
        stats=[("Have not signed in yet", setup["never_signed_in"])],
    )


def manager_section(person: Person) -> Section:
    team_count = scope.teams_visible_to(viewer=person).count()
    line = scope.reporting_line_ids(manager=person)
    overdue = overdue_count(company=person.company, person_ids=line)
    observed_this_week, not_observed = manager_reminders(manager=person)
    below = len(people_below_threshold(manager=person, now=timezone.now()))
    today = scope.company_today(person.company)
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    not_observed_text = (
        f"{_plural(not_observed, 'person', 'people')} not observed in {OBSERVE_EVERY_DAYS} days"
    )
    return Section(
        role=Role.MANAGER,
        title="Coach your teams",
        intro="See how your people progress and observe a customer conversation this week.",
        stats=[
            ("Teams", team_count),
            ("People in your reporting line", len(line)),
            ("Overdue in training", overdue),
        ],
        tasks=[
            Task(
                "Follow your team's learning — "
                + (
                    f"{_plural(overdue, 'person', 'people')} overdue today"
                    if overdue
                    else "nobody overdue today"
                ),
                reverse("training:team"),
                done=overdue == 0,
            ),
            Task(
                f"{_plural(below, 'person', 'people')} below the retention threshold today",
                reverse("reinforcement:team_list"),
                done=below == 0,
            ),
            Task(
                f"Observe a customer conversation this week, by Sunday {_day(sunday)}",
                reverse("coaching:observe"),
                done=observed_this_week,
            ),
            Task(
                not_observed_text + (" — overdue" if not_observed else ""),
                reverse("coaching:team"),
                done=not_observed == 0,
            ),
        ],
        links=[
            ("Your teams", reverse("org:team_list")),
            ("Your teams on the dashboard", reverse("dashboard:index")),
        ],
    )


def _step_text(day) -> str:
    """The learner's next step: what, in which curriculum, and when (due, overdue, finished)."""
    progress, step = day.progress, day.step
    curriculum, enrollment = progress.curriculum.title, progress.enrollment
    due = f", due {_day(enrollment.due_on)}" + (" — overdue" if day.overdue else "")
    if step.kind == "wait":
        return f"{curriculum}: {step.label.lower()}"
    if step.kind == "lesson":
        return f"Next lesson: {step.label} ({step.minutes} min) in {curriculum}{due}"
    if step.kind == "pre":
        return f"{step.label}: {curriculum}{due}"
    if step.kind == "post":
        return f"{step.label} of {curriculum}{due}"
    zone = scope.company_zone(enrollment.company)
    if enrollment.completed_at:
        finished = timezone.localtime(enrollment.completed_at, zone).date()
        return f"{step.label}: {curriculum}, finished on {_day(finished)}"
    taken = timezone.localtime(progress.post.completed_at, zone).date()
    return f"{step.label}: {curriculum}, final check taken on {_day(taken)}"


def _learning(person: Person) -> tuple[list[tuple[str, object]], list[Task]]:
    """The learner's next step, lessons done, streak and due date (two queries)."""
    day = learner_day(person=person)
    if day is None:
        return [], []
    progress, step = day.progress, day.step
    bar = format_html(
        '{} / {}<progress class="stat-bar" max="100" value="{}" aria-label="{}% of the lessons '
        'done">{}%</progress>',
        progress.done,
        progress.total,
        progress.percent,
        progress.percent,
        progress.percent,
    )
    enrollment = progress.enrollment
    if enrollment.completed_at:
        due = ("Finished", date_format(enrollment.completed_at.date(), "j M"))
    elif day.overdue:
        due = (
            f"{progress.curriculum.title} due",
            format_html(
                '{} <span class="status status-overdue">overdue</span>',
                date_format(enrollment.due_on, "j M"),
            ),
        )
    else:
        due = (f"{progress.curriculum.title} due", date_format(enrollment.due_on, "j M"))
    streak = f"{day.streak} day{'' if day.streak == 1 else 's'}"
    stats = [("Lessons done", bar), ("Streak", streak), due]
    tasks = [Task(_step_text(day), step.url, done=step.kind in {"certificate", "results"})]
    return stats, tasks


def _culture_survey_tasks(person: Person) -> list[Task]:
    """The open culture-survey wave this person has not answered yet, as a task."""
    wave = culture.open_wave_for_viewer(person)
    if wave is None:
        return []
    return [
        Task(
            f"Answer the culture survey{_wave_title(wave)} — open since "
            f"{_day(wave.opened_on)}: 3 minutes, anonymous",
            reverse("culture:survey"),
        )
    ]


def _drill_task(person: Person) -> Task:
    drill = drill_today(person=person, now=timezone.now())
    text = drill.text
    if drill.questions and not drill.away:
        # The drill's own words say how many and how long; the Today page adds when.
        questions = _plural(drill.questions, "question", "questions")
        minutes = _plural(drill.minutes, "minute", "minutes")
        streak = f" · {drill.streak}-day streak" if drill.streak else ""
        text = f"Your drill: {questions} due (about {minutes}) — today{streak}"
    return Task(text, reverse("reinforcement:drill"), done=drill.finished_today)


def _passed_on_task(person: Person) -> Task:
    """What became of the needs a person passed on: for a CRP, what it did for customers; for
    those who follow the pipeline, how many were won."""
    url = reverse("opportunities:list") + "?scope=found"
    if sees_pipeline(person):
        found = found_counts(person=person)
        return Task(
            f"Your opportunities: {found['won']} won of {found['found']} handed to sales so far",
            url,
        )
    thanks = thanks_for(person=person)
    helped = _plural(thanks.helped, "customer now uses", "customers now use")
    return Task(
        f"Needs you passed on: {thanks.passed_on} so far — {helped} what they asked for", url
    )


def crp_section(person: Person) -> Section:
    learning_stats, learning_tasks = _learning(person)
    return Section(
        role=Role.CRP,
        title="Your few minutes today",
        intro="A micro-lesson and a short drill keep the common language fresh. When a "
        "customer mentions a need we could serve, pass it on to the right colleague, with the "
        "customer's agreement.",
        stats=learning_stats,
        tasks=[
            *learning_tasks,
            *_culture_survey_tasks(person),
            _drill_task(person),
            Task("Look up a customer before a call", reverse("org:customer_list")),
            Task(
                "Pass on a customer need when a customer mentions one",
                reverse("opportunities:record"),
            ),
            _passed_on_task(person),
        ],
    )


def sales_section(person: Person) -> Section:
    waiting = waiting_for(person=person)
    counts = selectors.active_service_counts(company=person.company, owner=person)
    one_service = sum(1 for c in counts if c == 1)
    learning_stats, learning_tasks = ([], []) if person.is_crp else _learning(person)
    survey_tasks = [] if person.is_crp else _culture_survey_tasks(person)
    stale_days = person.company.opportunity_stale_days
    return Section(
        role=Role.SALES,
        title="Your customers",
        intro="Customers who buy one service only are where a conversation adds most value.",
        stats=[
            ("Your customers", len(counts)),
            ("Buy one service only", one_service),
            ("Services per customer", _rounded(measures.services_per_customer(counts))),
            *learning_stats,
        ],
        tasks=[
            *learning_tasks,
            *survey_tasks,
            Task(
                f"{waiting} new opportunit{'y' if waiting == 1 else 'ies'} waiting"
                + (f" — contact the customer within {stale_days} days" if waiting else ""),
                reverse("opportunities:list") + "?scope=mine&status=new",
                done=waiting == 0,
            ),
            Task("Look up your customers before a call", reverse("org:customer_list") + "?mine=1"),
        ],
    )


_BUILDERS = {
    Role.EXECUTIVE: executive_section,
    Role.ADMIN: admin_section,
    Role.MANAGER: manager_section,
    Role.CRP: crp_section,
    Role.SALES: sales_section,
}


def home_sections(*, person: Person) -> list[Section]:
    return [_BUILDERS[role](person) for role in person.roles]
