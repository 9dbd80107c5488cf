"""What each role should do today: the sections of the Today page, built from live data.

A person with several roles sees one section per role, in the order of ``Role``. Every figure
comes from a selector of the app that owns it.
"""

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
from culturegap.opportunities.selectors import found_counts, waiting_for
from culturegap.org import scope, selectors
from culturegap.org.models import Person, Role
from culturegap.reinforcement.selectors import drill_today, people_below_threshold
from culturegap.training.selectors import learner_day, overdue_count


@dataclass
class Task:
    text: str
    url: str = ""
    done: bool = False


@dataclass
class Section:
    role: str
    title: str
    intro: str
    tasks: list[Task] = field(default_factory=list)
    stats: list[tuple[str, object]] = field(default_factory=list)
    charts: list = field(default_factory=list)


def _rounded(value: float | None, digits: int = 2):
    return "–" if value is None else round(value, digits)


def _percent(value: float | None):
    return "–" if value is None else f"{value:.0%}"


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
        tasks=[
            Task(
                "Open the executive dashboard: gap, training, impact, loyalty",
                reverse("dashboard:index"),
            ),
            Task("Read the culture survey's results", reverse("culture:results")),
            Task("Review the teams and who leads them", reverse("org:team_list")),
            Task("See customer loyalty: NPS, retention, services", reverse("loyalty:dashboard")),
        ],
        charts=[_services_bought_chart(counts)] if any(counts) else [],
    )


def _services_bought_chart(counts: list[int]):
    buying = [count for count in counts if count > 0]
    most = max(buying)
    labels = [f"{n} service{'s' if n > 1 else ''}" for n in range(1, most + 1)]
    figure = go.Figure(
        go.Bar(x=labels, y=[buying.count(n) for n in range(1, most + 1)], name="customers")
    )
    figure.update_layout(title="Customers by number of services they buy", yaxis_title="customers")
    return chart(figure, label="Bar chart of customers by the number of services they buy")


def admin_section(person: Person) -> Section:
    company = person.company
    setup = selectors.program_setup(company=company)
    service_count, people_count = setup["services"], setup["people"]
    customer_count, without_team = setup["customers"], setup["without_team"]
    tasks = [
        Task(
            f"Service catalog: {service_count} services",
            reverse("org:service_list"),
            done=service_count > 0,
        ),
        Task(
            f"People imported: {people_count}", reverse("org:import_people"), done=people_count > 1
        ),
        Task(
            f"Customers imported: {customer_count}",
            reverse("org:import_customers"),
            done=customer_count > 0,
        ),
    ]
    tasks.append(
        Task(
            "Run a loyalty survey",
            reverse("loyalty:campaign_list"),
            done=loyalty.open_campaign(company=company) is not None,
        )
    )
    tasks.append(
        Task(
            "Run the culture survey for customer-contact staff",
            reverse("culture:waves"),
            done=culture.open_wave(company=company) is not None,
        )
    )
    if without_team:
        tasks.append(Task(f"{without_team} people have no team yet", reverse("org:person_list")))
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
    coaching_tasks = [
        Task(
            "Observe a customer conversation this week",
            reverse("coaching:observe"),
            done=observed_this_week,
        ),
        Task(
            f"{not_observed} {'person' if not_observed == 1 else 'people'} not observed in "
            f"{OBSERVE_EVERY_DAYS} days",
            reverse("coaching:team"),
            done=not_observed == 0,
        ),
    ]
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
            Task("Open your teams", reverse("org:team_list")),
            Task("Your teams on the dashboard", reverse("dashboard:index")),
            Task("Follow your team's learning", reverse("training:team")),
            Task(
                f"{below} {'person' if below == 1 else 'people'} below the retention threshold",
                reverse("reinforcement:team_list"),
                done=below == 0,
            ),
            *coaching_tasks,
        ],
    )


def _learning(person: Person) -> tuple[list[tuple[str, object]], list[Task]]:
    """The learner's next step, lessons done, streak and due date (two queries)."""
    day = learner_day(person=person)
    if day is None:
        return [], []
    progress, step = day.progress, day.step
    if step.kind == "lesson":
        text = f"Next lesson: {step.label} ({step.minutes} min)"
    elif step.kind == "wait":
        text = f"{progress.curriculum.title}: {step.label.lower()}"
    else:
        text = f"{step.label}: {progress.curriculum.title}"
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
            "Due",
            format_html(
                '{} <span class="status status-overdue">overdue</span>',
                date_format(enrollment.due_on, "j M"),
            ),
        )
    else:
        due = ("Due", date_format(enrollment.due_on, "j M"))
    streak = f"{day.streak} day{'' if day.streak == 1 else 's'}"
    stats = [("Lessons done", bar), ("Streak", streak), due]
    tasks = [Task(text, step.url, done=step.kind in {"certificate", "results"})]
    return stats, tasks


def _culture_survey_tasks(person: Person) -> list[Task]:
    """The open culture-survey wave this person has not answered yet, as a task."""
    wave = culture.open_wave_for_viewer(person)
    if wave is None:
        return []
    return [
        Task(
            f"Answer the culture survey ({wave.name}): 3 minutes, anonymous",
            reverse("culture:survey"),
        )
    ]


def crp_section(person: Person) -> Section:
    found = found_counts(person=person)
    learning_stats, learning_tasks = _learning(person)
    drill = drill_today(person=person, now=timezone.now())
    return Section(
        role=Role.CRP,
        title="Your few minutes today",
        intro="A micro-lesson and a short drill keep the common language fresh. When a "
        "customer mentions a need we could serve, hand it to the right colleague.",
        stats=learning_stats,
        tasks=[
            *learning_tasks,
            *_culture_survey_tasks(person),
            Task(drill.text, reverse("reinforcement:drill"), done=drill.finished_today),
            Task("Look up a customer before a call", reverse("org:customer_list")),
            Task("Record a customer need for sales", reverse("opportunities:record")),
            Task(
                f"Your opportunities: {found['won']} won of {found['found']} handed to sales",
                reverse("opportunities:list") + "?scope=found",
            ),
        ],
    )


def sales_section(person: Person) -> Section:
    waiting = waiting_for(person=person)
    counts = selectors.active_service_counts(company=person.company, owner=person)
    one_service = sum(1 for c in counts if c == 1)
    learning_stats, learning_tasks = ([], []) if person.is_crp else _learning(person)
    survey_tasks = [] if person.is_crp else _culture_survey_tasks(person)
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
                f"{waiting} new opportunit{'y' if waiting == 1 else 'ies'} waiting",
                reverse("opportunities:list") + "?scope=mine&status=new",
                done=waiting == 0,
            ),
            Task("Open your customers", reverse("org:customer_list") + "?mine=1"),
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
