"""The permission matrix: every URL × every role × own company / another company.

The URL conf is walked, so a new page without a declared access policy (``roles_required`` or
``public``) fails ``test_every_view_declares_who_may_open_it``, and a page whose arguments are
not listed in ``TARGETS`` fails ``test_every_url_has_a_target``.

An app may keep its own targets in ``culturegap/<app>/tests/permission_targets.py``:
``TARGETS`` (merged into the ones below), ``extend_world(world) -> dict`` (objects its targets
need, merged into ``world``), ``SECRETS`` (names of the world's objects that another company
must never see) and ``SKIPPED_NAMESPACES`` (URL namespaces with a matrix of their own).
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from culturegap.coaching.tests.factories import ObservationFactory, scorecard_with_steps
from culturegap.ecoach.models import CoachQuestion
from culturegap.language.tests.factories import playbook_with_content
from culturegap.loyalty.tests.factories import SurveyCampaignFactory, SurveyResponseFactory
from culturegap.opportunities.models import Opportunity
from culturegap.org.models import Role
from culturegap.org.tests.factories import (
    CustomerFactory,
    CustomerServiceFactory,
    PersonFactory,
    ServiceFactory,
    TeamFactory,
)
from culturegap.tests.matrix import Target
from culturegap.training.models import Assessment, Enrollment, Lesson, LessonProgress
from culturegap.training.tests.factories import curriculum_with_lessons

# Django's own admin site keeps its own staff-only checks (tested below), not our roles.
# The authoring site (/author/) is an admin site too, for program admins: it has its own role
# matrix in culturegap/training/tests/test_authoring.py.
SKIPPED_NAMESPACES = {"admin", "authoring"}
SECRETS = ["Zephyr Joinery", "Cara CRP", "Client Service", "Year-end accounts"]


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.callback


def project_views() -> dict[str, object]:
    return dict(_walk(get_resolver().url_patterns))


TARGETS: dict[str, Target] = {
    "today": Target(),
    "me": Target(),
    "login": Target(),
    "logout": Target(public_status=405),  # logging out is a POST
    "password_reset": Target(),
    "password_reset_done": Target(),
    "password_reset_confirm": Target(kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"}),
    "password_reset_complete": Target(),
    "org:team_list": Target(),
    "org:team_detail": Target(kwargs=lambda w: {"pk": w["staff"]["crp"].team_id}),
    "org:person_list": Target(),
    "org:person_detail": Target(
        kwargs=lambda w: {"pk": w["staff"]["crp"].pk}, expect={Role.SALES: 404}
    ),
    "org:customer_list": Target(),
    "org:customer_detail": Target(kwargs=lambda w: {"pk": w["customer"].pk}),
    "org:service_list": Target(),
    "org:service_create": Target(),
    "org:service_edit": Target(kwargs=lambda w: {"pk": w["service"].pk}),
    "org:import_people": Target(),
    "org:import_customers": Target(),
    "opportunities:list": Target(),
    "opportunities:export": Target(),
    "opportunities:record": Target(),
    "opportunities:customer_search": Target(),
    "opportunities:detail": Target(kwargs=lambda w: {"pk": w["opportunity"].pk}),
    "language:playbook": Target(),
    "language:version_list": Target(),
    "language:version_detail": Target(kwargs=lambda w: {"version": w["old_playbook"].version}),
    "language:start_draft": Target(expect={Role.ADMIN: 405}),  # a POST
    "language:publish": Target(),
    # Actions are POSTs; a GET by someone allowed goes back to the detail page.
    "opportunities:move": Target(
        kwargs=lambda w: {"pk": w["opportunity"].pk}, expect={Role.SALES: 302}
    ),
    "opportunities:take": Target(
        kwargs=lambda w: {"pk": w["opportunity"].pk}, expect={Role.SALES: 302}
    ),
    "opportunities:assign": Target(
        kwargs=lambda w: {"pk": w["opportunity"].pk},
        expect={Role.MANAGER: 302, Role.ADMIN: 302},
    ),
    "training:pack_import": Target(),
    "training:pack_export": Target(),
    "reinforcement:drill": Target(),
    # Answering a drill question is a POST.
    "reinforcement:answer": Target(expect={role: 405 for role in Role.values}),
    "reinforcement:retention": Target(),
    "reinforcement:person_retention": Target(
        kwargs=lambda w: {"pk": w["staff"]["crp"].pk}, expect={Role.SALES: 404}
    ),
    "reinforcement:team_list": Target(),
    "reinforcement:team_detail": Target(kwargs=lambda w: {"pk": w["staff"]["crp"].team_id}),
    "reinforcement:preferences": Target(),
    "reinforcement:settings": Target(),
    "loyalty:dashboard": Target(),
    "loyalty:export": Target(),
    "loyalty:pool": Target(),
    "loyalty:campaign_list": Target(),
    "loyalty:campaign_create": Target(),
    "loyalty:campaign_detail": Target(kwargs=lambda w: {"pk": w["campaign"].pk}),
    "loyalty:estimator": Target(),
    # A customer's survey needs no login; an unknown link is a 404 for everyone.
    "loyalty:survey": Target(kwargs=lambda w: {"token": "not-a-real-token"}, public_status=404),
    # learner and rollout: everyone in ``world`` is enrolled and has done the starting check,
    # so both checks redirect (to the results, or to the lessons first); the CRP is certified.
    "training:my_learning": Target(),
    "training:curriculum": Target(kwargs=lambda w: {"pk": w["curriculum"].pk}),
    "training:pre_assessment": Target(
        kwargs=lambda w: {"pk": w["curriculum"].pk}, expect=dict.fromkeys(Role.values, 302)
    ),
    "training:post_assessment": Target(
        kwargs=lambda w: {"pk": w["curriculum"].pk}, expect=dict.fromkeys(Role.values, 302)
    ),
    "training:retake_final_check": Target(
        kwargs=lambda w: {"pk": w["curriculum"].pk}, expect=dict.fromkeys(Role.values, 302)
    ),
    "training:results": Target(kwargs=lambda w: {"pk": w["curriculum"].pk}),
    "training:lesson": Target(kwargs=lambda w: {"pk": w["lesson"].pk}),
    "training:answer": Target(
        kwargs=lambda w: {"pk": w["lesson"].pk}, expect=dict.fromkeys(Role.values, 302)
    ),
    "training:certificate": Target(
        kwargs=lambda w: {"code": w["certified"].certificate_code}, expect={Role.SALES: 404}
    ),
    "training:team": Target(),
    "training:team_csv": Target(),
    "training:rollout": Target(),
    "training:assign": Target(),
    # coaching: the CRP was observed by their manager (``world["observation"]``).
    "coaching:mine": Target(),
    "coaching:person": Target(
        kwargs=lambda w: {"pk": w["staff"]["crp"].pk}, expect={Role.SALES: 404}
    ),
    "coaching:observation_detail": Target(
        kwargs=lambda w: {"pk": w["observation"].pk}, expect={Role.SALES: 404}
    ),
    "coaching:observe": Target(),
    "coaching:self_assess": Target(),
    "coaching:customer_search": Target(),
    "coaching:team": Target(),
    "coaching:team_export": Target(),
    "coaching:heatmap": Target(),
    "coaching:scorecard": Target(),
    # Building the scorecard is a POST; a GET goes back to the scorecard page.
    "coaching:scorecard_generate": Target(expect={Role.ADMIN: 302}),
    # eCoach: the CRP's question, answered by their manager and published
    # (``world["coach_question"]``). Passing a question to a coach and the threshold are POSTs.
    "ecoach:ask": Target(),
    "ecoach:ask_a_coach": Target(expect=dict.fromkeys(Role.values, 302)),
    "ecoach:my_questions": Target(),
    "ecoach:coach_answer": Target(kwargs=lambda w: {"pk": w["coach_question"].pk}),
    "ecoach:queue": Target(),
    "ecoach:answer_question": Target(kwargs=lambda w: {"pk": w["coach_question"].pk}),
    "ecoach:threshold": Target(expect={Role.ADMIN: 405}),
}


def _app_target_modules():
    for config in apps.get_app_configs():
        if not config.name.startswith("culturegap."):
            continue
        try:
            yield importlib.import_module(f"{config.name}.tests.permission_targets")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.tests.permission_targets":
                raise


APP_TARGET_MODULES = list(_app_target_modules())
for _module in APP_TARGET_MODULES:
    TARGETS.update(getattr(_module, "TARGETS", {}))
    SECRETS.extend(getattr(_module, "SECRETS", []))
    SKIPPED_NAMESPACES |= set(getattr(_module, "SKIPPED_NAMESPACES", ()))


@pytest.fixture
def world(company, staff):
    service = ServiceFactory(company=company, name="Year-end accounts", code="ACC")
    customer = CustomerFactory(company=company, name="Zephyr Joinery", sales_owner=staff["sales"])
    CustomerServiceFactory(customer=customer, service=service)
    opportunity = Opportunity.objects.create(
        company=company,
        customer=customer,
        service=service,
        need="Wants help with payroll too",
        channel="phone",
        found_by=staff["crp"],
        found_by_team=staff["crp"].team,
        owner=staff["sales"],
    )
    old_playbook = playbook_with_content(company=company, version=1, status="archived")
    playbook_with_content(company=company, version=2)
    customer.serving_team = staff["crp"].team
    customer.save()
    campaign = SurveyCampaignFactory(company=company)
    SurveyResponseFactory(campaign=campaign, customer=customer, score=9)
    # Written directly (not through the services) to keep this fixture cheap for every test.
    curriculum = curriculum_with_lessons(
        company=company,
        title="Client Service basics",
        modules=1,
        lessons_per_module=1,
        audiences=("service",),
    )
    now = timezone.now()
    enrollments = {
        person.pk: Enrollment.objects.create(
            company=company,
            person=person,
            curriculum=curriculum,
            starts_on=datetime.date(2025, 1, 6),
            due_on=datetime.date(2025, 3, 31),
            started_at=now,
        )
        for person in staff.values()
    }
    Assessment.objects.bulk_create(
        Assessment(company=company, enrollment=e, kind="pre", completed_at=now, score=50)
        for e in enrollments.values()
    )
    certified = enrollments[staff["crp"].pk]
    Assessment.objects.create(
        company=company, enrollment=certified, kind="post", completed_at=now, score=100
    )
    LessonProgress.objects.bulk_create(
        LessonProgress(company=company, enrollment=certified, lesson=lesson, completed_at=now)
        for lesson in Lesson.objects.filter(module__curriculum=curriculum)
    )
    certified.completed_at = certified.certified_at = now
    certified.save()
    learning = {
        "curriculum": curriculum,
        "lesson": curriculum.modules.first().lessons.first(),
        "certified": certified,
    }
    observation = ObservationFactory(
        person=staff["crp"], scorecard=scorecard_with_steps(company), ratings={"open": 3}
    )
    coach_question = CoachQuestion.objects.create(
        company=company,
        asker=staff["crp"],
        text="What do I say when a customer asks for a discount?",
        status="answered",
        answer_text="Thank them, then explain what the price includes.",
        answered_by=staff["manager"],
        answered_at=now,
        published=True,
    )
    world = {
        **learning,
        "company": company,
        "staff": staff,
        "observation": observation,
        "coach_question": coach_question,
        "customer": customer,
        "service": service,
        "opportunity": opportunity,
        "old_playbook": old_playbook,
        "campaign": campaign,
    }
    for module in APP_TARGET_MODULES:
        if hasattr(module, "extend_world"):
            world |= module.extend_world(world)
    return world


@pytest.fixture
def outsiders(other_company):
    """One person per role in another company."""
    team = TeamFactory(company=other_company, name="Their team")
    people = {}
    for role in Role.values:
        flags = {"is_crp": role == Role.CRP}
        flags |= {
            "is_executive": role == Role.EXECUTIVE,
            "is_program_admin": role == Role.ADMIN,
            "is_manager": role == Role.MANAGER,
            "is_salesperson": role == Role.SALES,
        }
        people[role] = PersonFactory(
            company=other_company, team=team, email=f"{role}@other.test", **flags
        )
    return people


def _url(name: str, world) -> str:
    target = TARGETS[name]
    return reverse(name, kwargs=target.kwargs(world) if target.kwargs else None)


def test_every_view_declares_who_may_open_it():
    undeclared = [
        name for name, view in project_views().items() if not hasattr(view, "allowed_roles")
    ]
    assert undeclared == []


def test_every_url_has_a_target():
    assert sorted(set(project_views()) - set(TARGETS)) == []


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_anonymous_visitors(client, world, name):
    view = project_views()[name]
    response = client.get(_url(name, world))
    if getattr(view, "is_public", False):
        assert response.status_code == TARGETS[name].public_status
    else:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name", sorted(TARGETS))
def test_each_role_in_its_own_company(client, world, name, role):
    view = project_views()[name]
    client.force_login(world["staff"][role])
    response = client.get(_url(name, world))
    if getattr(view, "is_public", False):
        # Signed-in people may still open public pages (the login page redirects nowhere).
        assert response.status_code in {TARGETS[name].public_status, 302}
        return
    allowed = role in view.allowed_roles
    expected = TARGETS[name].expect.get(role, 200 if allowed else 403)
    assert response.status_code == expected, f"{role} on {name}"


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name", sorted(n for n in TARGETS if TARGETS[n].kwargs))
def test_another_company_never_sees_an_object(client, world, outsiders, name, role):
    view = project_views()[name]
    if getattr(view, "is_public", False):
        return
    client.force_login(outsiders[role])
    response = client.get(_url(name, world))
    assert response.status_code in {403, 404}
    if role in view.allowed_roles:
        assert response.status_code == 404


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name", sorted(n for n in TARGETS if not TARGETS[n].kwargs))
def test_another_company_lists_show_none_of_our_data(client, world, outsiders, name, role):
    view = project_views()[name]
    if getattr(view, "is_public", False):
        return
    client.force_login(outsiders[role])
    response = client.get(_url(name, world))
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body, f"{secret} leaked to {role} of another company on {name}"


def test_manager_sees_only_teams_in_their_reporting_line(client, company, staff):
    elsewhere = TeamFactory(company=company, name="Tax advice", kind="professional")
    PersonFactory(company=company, team=elsewhere, name="Tara Tax")
    client.force_login(staff["manager"])
    assert client.get(reverse("org:team_detail", args=[elsewhere.pk])).status_code == 404
    listing = client.get(reverse("org:team_list")).content.decode()
    # A team name a random CSRF token cannot contain (it has a space).
    assert "Client Service" in listing and "Tax advice" not in listing


def test_crp_sees_only_themselves(client, staff):
    client.force_login(staff["crp"])
    assert client.get(reverse("org:person_detail", args=[staff["crp"].pk])).status_code == 200
    assert client.get(reverse("org:person_detail", args=[staff["manager"].pk])).status_code == 404


def test_person_without_a_company_gets_403(client, db):
    operator = PersonFactory(company=None, team=None, email="ops@platform.test", is_crp=True)
    client.force_login(operator)
    assert client.get(reverse("today")).status_code == 403


def test_django_admin_is_for_platform_staff_only(client, staff):
    client.force_login(staff["admin"])
    response = client.get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response.url
