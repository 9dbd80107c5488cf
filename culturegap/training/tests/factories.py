"""factory-boy factories for training content: curricula, modules, lessons, questions, options."""

import factory

from culturegap.org.tests.factories import CompanyFactory
from culturegap.training.models import Audience, Curriculum, Lesson, Module, Option, Question


class CurriculumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Curriculum

    company = factory.SubFactory(CompanyFactory)
    key = factory.Sequence(lambda n: f"curriculum-{n}")
    title = factory.Sequence(lambda n: f"Curriculum {n}")


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    curriculum = factory.SubFactory(CurriculumFactory)
    company = factory.LazyAttribute(lambda o: o.curriculum.company)
    key = factory.Sequence(lambda n: f"module-{n}")
    title = factory.Sequence(lambda n: f"Module {n}")
    order = factory.Sequence(lambda n: n)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    company = factory.LazyAttribute(lambda o: o.module.company)
    key = factory.Sequence(lambda n: f"lesson-{n}")
    title = factory.Sequence(lambda n: f"Lesson {n}")
    objective = "Ask one open question before offering a fix."
    minutes = 3
    body = "Open questions start with **what**, **how** or **tell me**."
    order = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    lesson = factory.SubFactory(LessonFactory)
    company = factory.LazyAttribute(lambda o: o.lesson.company)
    key = factory.Sequence(lambda n: f"question-{n}")
    skill = "discover"
    audience = Audience.SERVICE
    scenario = factory.Sequence(lambda n: f"A customer calls about an invoice (scenario {n}).")
    order = factory.Sequence(lambda n: n)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Option {n}")
    is_correct = False
    feedback = "Why this answer is right or wrong."
    order = factory.Sequence(lambda n: n)


def question_with_options(**fields) -> Question:
    """A question with three options, the second one correct."""
    question = QuestionFactory(**fields)
    OptionFactory(question=question, text="Offer a discount", feedback="Too early.", order=1)
    OptionFactory(
        question=question,
        text="Ask what happened",
        is_correct=True,
        feedback="An open question lets them explain.",
        order=2,
    )
    OptionFactory(question=question, text="Transfer the call", feedback="Nobody owns it.", order=3)
    return question
