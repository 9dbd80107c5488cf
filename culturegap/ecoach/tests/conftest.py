"""Fixtures of the eCoach tests: a fresh in-memory index cache for each test, background tasks
run at once, and a company with a small published playbook and one lesson."""

import pytest

from culturegap.ecoach import index
from culturegap.language.tests.factories import playbook_with_content
from culturegap.training.tests.factories import LessonFactory, ModuleFactory


@pytest.fixture(autouse=True)
def fresh_index_cache():
    index.clear_cache()
    yield
    index.clear_cache()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


HAND_OVER_LESSON = """Passing a customer on is where needs get lost.

## Five parts of a warm hand-over
Name the colleague and say why they are the right person. Ask the customer's permission and how
they like to be contacted. Pass on the story in the customer's words, so they never repeat it.

## Worked example
Robbie writes to Daniel in payroll before Daniel calls Mrs Mensah on Thursday after four.
"""


@pytest.fixture
def content(company):
    """A published playbook (three propositions, three steps, three terms) and one lesson."""
    playbook = playbook_with_content(company=company, version=1)
    module = ModuleFactory(curriculum__company=company, title="Hand needs over")
    lesson = LessonFactory(
        module=module,
        key="make-a-warm-hand-over",
        title="Make a warm hand-over",
        objective="Hand a customer to a colleague without losing their story.",
        body=HAND_OVER_LESSON,
    )
    return {"playbook": playbook, "lesson": lesson}
