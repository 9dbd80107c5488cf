"""The starter pack that ships with the product: it validates and has the promised content."""

from collections import Counter

import pytest

from culturegap.training.models import Audience
from culturegap.training.packs import STARTER_PACK, read_pack


@pytest.fixture(scope="module")
def starter() -> dict:
    pack, errors = read_pack(STARTER_PACK.read_bytes(), filename=STARTER_PACK.name)
    assert errors == [], "\n".join(str(error) for error in errors)
    return pack


def lessons(pack):
    for curriculum in pack["curricula"]:
        for module in curriculum["modules"]:
            yield from module["lessons"]


def questions(pack):
    for lesson in lessons(pack):
        yield from lesson["questions"]


def test_the_starter_pack_is_importable_by_its_path():
    assert STARTER_PACK.name == "starter.yaml" and STARTER_PACK.is_file()


def test_the_starter_pack_has_the_promised_size(starter):
    assert len(starter["curricula"]) >= 1
    assert sum(len(c["modules"]) for c in starter["curricula"]) >= 6
    assert len(list(lessons(starter))) >= 30
    assert len(list(questions(starter))) >= 150


def test_every_lesson_has_a_scenario_for_each_role(starter):
    missing = [
        (lesson["key"], role)
        for lesson in lessons(starter)
        for role in Audience.values
        if role not in {question["role"] for question in lesson["questions"]}
    ]
    assert missing == []


def test_every_question_trains_a_step_of_the_communication_model(starter):
    steps = {step["key"] for step in starter["playbook"]["communication_model"]}
    assert {question["skill"] for question in questions(starter)} <= steps


def test_each_role_can_have_a_pre_and_a_post_assessment_on_every_skill(starter):
    steps = {step["key"] for step in starter["playbook"]["communication_model"]}
    per_role_skill = Counter((q["role"], q["skill"]) for q in questions(starter))
    thin = [
        (role, skill)
        for role in Audience.values
        for skill in steps
        if per_role_skill[(role, skill)] < 2
    ]
    assert thin == []


def test_the_playbook_covers_services_company_and_people(starter):
    about = {item["about"] for item in starter["playbook"]["value_propositions"]}
    assert about == {"services", "company", "people"}
    assert starter["playbook"]["glossary"]


def test_every_lesson_is_a_micro_lesson_with_an_objective(starter):
    for lesson in lessons(starter):
        assert 1 <= lesson["minutes"] <= 15
        assert lesson["objective"].strip() and lesson["body"].strip()
