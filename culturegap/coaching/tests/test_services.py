"""Building and editing scorecards; recording observations and self-assessments, where bad
input is refused field by field and nothing is written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.models import RestrictedError

from culturegap.coaching import services
from culturegap.coaching.models import Observation, ObservationRating, Scorecard
from culturegap.coaching.tests.factories import STEPS, ObservationFactory, published_playbook
from culturegap.language.tests.factories import PlaybookFactory
from culturegap.org.scope import company_today
from culturegap.org.tests.factories import CustomerFactory, PersonFactory


@pytest.fixture
def scorecard(company, staff):
    published_playbook(company)
    return services.generate_scorecard(company=company, actor=staff["admin"])


def _ratings(scorecard, *values):
    return dict(zip([item.pk for item in scorecard.items.all()], values, strict=True))


def test_the_scorecard_has_one_item_per_step_of_the_published_playbook(company, staff):
    playbook = published_playbook(company)
    # A newer draft is not what people are trained on: its steps are not used.
    PlaybookFactory(company=company, status="draft", version=playbook.version + 1)
    scorecard = services.generate_scorecard(company=company, actor=staff["admin"])
    items = list(scorecard.items.all())
    assert [(i.skill, i.behaviour, i.order) for i in items] == [
        (key, behaviour, n) for n, (key, _, behaviour) in enumerate(STEPS, start=1)
    ]
    assert scorecard.is_active and scorecard.playbook_version == playbook
    assert scorecard.name == "Our conversation: behaviour scorecard"


def test_building_again_retires_the_old_scorecard_and_keeps_its_observations(scorecard, staff):
    ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 3})
    again = services.generate_scorecard(company=scorecard.company, actor=staff["admin"])
    scorecard.refresh_from_db()
    assert not scorecard.is_active and again.is_active
    assert Observation.objects.get().scorecard == scorecard


def test_no_published_playbook_no_scorecard(company, staff):
    PlaybookFactory(company=company, status="draft")
    with pytest.raises(ValidationError, match="Publish the playbook first"):
        services.generate_scorecard(company=company, actor=staff["admin"])
    assert not Scorecard.objects.exists()


def test_an_unused_scorecard_is_edited_in_place(scorecard, staff):
    first, second, third = scorecard.items.all()
    specs = [
        services.ItemSpec(skill="propose", behaviour=" Names a second service. ", pk=third.pk),
        services.ItemSpec(skill="open", behaviour="Greets warmly.", pk=first.pk),
        services.ItemSpec(skill="discover", behaviour="Summarises the need back."),
    ]
    skills = {key for key, _, _ in STEPS}
    result = services.update_scorecard(
        scorecard=scorecard, items=specs, skills=skills, actor=staff["admin"]
    )
    assert result == scorecard
    assert [(i.pk, i.skill, i.behaviour, i.order) for i in result.items.all()][:2] == [
        (third.pk, "propose", "Names a second service.", 1),
        (first.pk, "open", "Greets warmly.", 2),
    ]
    assert [(i.skill, i.order) for i in result.items.all()][2] == ("discover", 3)
    assert not result.items.filter(pk=second.pk).exists()


def test_a_used_scorecard_gets_a_new_version_so_past_observations_keep_theirs(scorecard, staff):
    observation = ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 4})
    first = scorecard.items.first()
    result = services.update_scorecard(
        scorecard=scorecard,
        items=[services.ItemSpec(skill="open", behaviour="Greets by name.", pk=first.pk)],
        skills={"open"},
        actor=staff["admin"],
    )
    assert result != scorecard and result.is_active
    assert [i.behaviour for i in result.items.all()] == ["Greets by name."]
    scorecard.refresh_from_db()
    assert not scorecard.is_active and scorecard.items.count() == 3
    assert observation.ratings.count() == 3


def test_bad_scorecard_edits_name_the_field_and_change_nothing(scorecard, staff):
    before = list(scorecard.items.values_list("skill", "behaviour"))
    with pytest.raises(ValidationError) as error:
        services.update_scorecard(
            scorecard=scorecard,
            items=[
                services.ItemSpec(skill="nonsense", behaviour="Fine."),
                services.ItemSpec(skill="open", behaviour="   "),
                services.ItemSpec(skill="open", behaviour="Other card's item.", pk=999_999),
            ],
            skills={"open"},
            actor=staff["admin"],
        )
    assert set(error.value.message_dict) == {"skill", "behaviour", "items"}
    assert list(scorecard.items.values_list("skill", "behaviour")) == before
    with pytest.raises(ValidationError, match="at least one"):
        services.update_scorecard(
            scorecard=scorecard, items=[], skills={"open"}, actor=staff["admin"]
        )


def test_a_manager_records_an_observation_of_their_report(scorecard, company, staff):
    customer = CustomerFactory(company=company)
    observation = services.record_observation(
        observer=staff["manager"],
        person=staff["crp"],
        customer=customer,
        channel="phone",
        observed_on=company_today(company),
        ratings=_ratings(scorecard, 3, None, 4),
        comment="  Good opening. ",
    )
    assert observation.kind == "manager" and observation.comment == "Good opening."
    assert observation.scorecard == scorecard and observation.customer == customer
    assert sorted(observation.ratings.values_list("item__skill", "rating")) == [
        ("discover", None),
        ("open", 3),
        ("propose", 4),
    ]


def _refused(scorecard, **overrides):
    fields = {
        "observer": None,
        "person": None,
        "channel": "phone",
        "observed_on": company_today(scorecard.company),
        "ratings": _ratings(scorecard, 3, 3, 3),
    } | overrides
    with pytest.raises(ValidationError) as error:
        services.record_observation(**fields)
    assert not Observation.objects.exists() and not ObservationRating.objects.exists()
    return error.value.message_dict


def test_observation_validation_names_the_field_and_writes_nothing(scorecard, company, staff):
    manager, crp = staff["manager"], staff["crp"]
    tomorrow = company_today(company) + datetime.timedelta(days=1)
    first, second, _ = scorecard.items.all()
    base = {"observer": manager, "person": crp}
    assert "observed_on" in _refused(scorecard, **base, observed_on=tomorrow)
    assert "channel" in _refused(scorecard, **base, channel="fax")
    bad = _ratings(scorecard, 3, 5, 3)
    assert list(_refused(scorecard, **base, ratings=bad)) == [f"rating_{second.pk}"]
    missing = _ratings(scorecard, 3, 3, 3)
    del missing[first.pk]
    assert list(_refused(scorecard, **base, ratings=missing)) == [f"rating_{first.pk}"]
    nothing_seen = _ratings(scorecard, None, None, None)
    assert list(_refused(scorecard, **base, ratings=nothing_seen)) == ["ratings"]
    elsewhere = CustomerFactory()
    assert "customer" in _refused(scorecard, **base, customer=elsewhere)


def test_only_the_reporting_line_may_be_observed(scorecard, company, staff):
    manager = staff["manager"]
    # The salesperson reports to the executive, not to this manager.
    assert list(_refused(scorecard, observer=manager, person=staff["sales"])) == ["person"]
    assert list(_refused(scorecard, observer=manager, person=manager)) == ["person"]
    # A CRP observes nobody, not even a colleague.
    colleague = PersonFactory(company=company, team=staff["crp"].team, manager=manager)
    assert list(_refused(scorecard, observer=staff["crp"], person=colleague)) == ["person"]
    # Someone two levels down is in the line.
    below = PersonFactory(company=company, manager=staff["crp"])
    services.record_observation(
        observer=manager,
        person=below,
        channel="email",
        observed_on=company_today(company),
        ratings=_ratings(scorecard, 2, 2, 2),
    )


def test_a_program_admin_may_observe_anyone_in_the_company(scorecard, company, staff):
    observation = services.record_observation(
        observer=staff["admin"],
        person=staff["sales"],
        channel="meeting",
        observed_on=company_today(company),
        ratings=_ratings(scorecard, 4, 4, None),
    )
    assert observation.observer == staff["admin"]


def test_nobody_observes_another_company(scorecard, staff, other_company):
    stranger = PersonFactory(company=other_company)
    with pytest.raises(ValidationError) as error:
        services.record_observation(
            observer=staff["admin"],
            person=stranger,
            channel="phone",
            observed_on=datetime.date(2025, 1, 1),
            ratings=_ratings(scorecard, 3, 3, 3),
        )
    assert "person" in error.value.message_dict
    assert not Observation.objects.exists()


def test_a_self_assessment_is_about_oneself(scorecard, company, staff):
    own = services.record_self_assessment(
        person=staff["crp"],
        channel="ticket",
        observed_on=company_today(company),
        ratings=_ratings(scorecard, 4, 4, 4),
    )
    assert (own.kind, own.observer, own.person) == ("self", staff["crp"], staff["crp"])
    with pytest.raises(ValidationError) as error:
        services.record_observation(
            observer=staff["crp"],
            person=staff["manager"],
            kind="self",
            channel="phone",
            observed_on=company_today(company),
            ratings=_ratings(scorecard, 4, 4, 4),
        )
    assert list(error.value.message_dict) == ["person"]


def test_no_scorecard_no_observation(company, staff):
    with pytest.raises(ValidationError) as error:
        services.record_observation(
            observer=staff["manager"],
            person=staff["crp"],
            channel="phone",
            observed_on=company_today(company),
            ratings={},
        )
    assert list(error.value.message_dict) == ["scorecard"]


def test_a_used_scorecard_goes_only_with_its_company(scorecard, company, staff):
    ObservationFactory(person=staff["crp"], scorecard=scorecard, ratings={"open": 3})
    with pytest.raises(RestrictedError):
        scorecard.items.first().delete()
    with pytest.raises(RestrictedError):
        scorecard.delete()
    company.delete()
    assert not Scorecard.objects.exists() and not Observation.objects.exists()
