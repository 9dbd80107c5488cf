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


def curriculum_with_lessons(
    *,
    company,
    modules: int = 2,
    lessons_per_module: int = 2,
    skills: tuple[str, ...] = ("open", "discover"),
    audiences: tuple[str, ...] = tuple(Audience.values),
    **fields,
) -> Curriculum:
    """A curriculum of ``modules`` × ``lessons_per_module`` lessons, titled "Lesson 1.1",
    "Lesson 1.2", … Lesson *i* trains ``skills[i % len(skills)]`` and holds one question per
    audience whose scenario names the audience, the skill and the lesson. With the defaults each
    skill has two questions per audience: enough for a pre- and a post-assessment."""
    curriculum = CurriculumFactory(company=company, **fields)
    index = 0
    for m in range(modules):
        module = ModuleFactory(curriculum=curriculum, title=f"Module {m + 1}", order=m)
        for n in range(lessons_per_module):
            lesson = LessonFactory(module=module, title=f"Lesson {m + 1}.{n + 1}", order=n)
            skill = skills[index % len(skills)]
            for audience in audiences:
                question_with_options(
                    lesson=lesson,
                    skill=skill,
                    audience=audience,
                    scenario=f"{audience} scenario: {skill} in {lesson.title}",
                )
            index += 1
    return curriculum


def take_curriculum(enrollment, *, lessons: bool = True, post: bool = True, right: bool = True):
    """Runs a learner through the services: the pre-assessment, then (optionally) every lesson
    question of their audience, then (optionally) the post-assessment, always choosing a right
    option (or always a wrong one with ``right=False``)."""
    import uuid

    from culturegap.training import services
    from culturegap.training.models import AssessmentKind, audience_for

    def choose(question):
        return question.options.filter(is_correct=right).first()

    def sit(kind):
        assessment = services.open_assessment(enrollment=enrollment, kind=kind)
        choices = {
            item.pk: choose(item.question) for item in assessment.items.select_related("question")
        }
        services.submit_assessment(assessment=assessment, choices=choices, request_id=uuid.uuid4())

    sit(AssessmentKind.PRE)
    if not lessons:
        return enrollment
    for question in Question.objects.filter(
        lesson__module__curriculum_id=enrollment.curriculum_id,
        audience=audience_for(enrollment.person),
    ).select_related("lesson__module"):
        services.answer_lesson_question(
            enrollment=enrollment,
            question=question,
            option=choose(question),
            confident=True,
            response_ms=None,
            request_id=uuid.uuid4(),
        )
    if post:
        sit(AssessmentKind.POST)
    enrollment.refresh_from_db()
    return enrollment
