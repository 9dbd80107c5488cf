"""What the eCoach answers from: a company's published playbook, its lessons and its coaches'
published answers, cut into passages that each link to where they live."""

import re

from django.urls import NoReverseMatch, reverse
from django.utils.text import slugify

from culturegap.ecoach.models import CoachQuestion, CoachQuestionStatus
from culturegap.ecoach.retrieval import Passage, PassageKind
from culturegap.language.models import CommunicationStep, GlossaryTerm, ValueProposition
from culturegap.language.selectors import glossary_anchors, published_playbook
from culturegap.org.models import Company
from culturegap.training.models import Lesson

_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$", re.M)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_SUBHEADING = re.compile(r"^#{3,6}\s+", re.M)


def plain(markdown: str) -> str:
    """Markdown as plain text for reading and indexing: no list marks, emphasis or heading
    marks; one line per paragraph or list item."""
    text = _SUBHEADING.sub("", markdown or "")
    text = _LIST_MARK.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def lesson_sections(body: str) -> list[tuple[str, str]]:
    """(heading, Markdown) for each ``##`` section of a lesson; what comes before the first
    heading is the section with heading ``""``."""
    parts = _HEADING.split(body or "")
    sections = [("", parts[0])]
    sections += [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
    return [(heading, text.strip()) for heading, text in sections if text.strip() or heading]


def _url(name: str, *args, fallback: str = "") -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def playbook_passages(*, company: Company) -> list[Passage]:
    playbook = published_playbook(company=company)
    if playbook is None:
        return []
    base = _url("language:playbook")
    passages: list[Passage] = []
    proposition: ValueProposition
    for proposition in playbook.value_propositions.all():
        proof = "\n".join(proposition.proof_points)
        passages.append(
            Passage(
                id=f"vp:{proposition.key}",
                kind=PassageKind.VALUE_PROPOSITION,
                title=proposition.title,
                text=proposition.statement + (f"\nProof points:\n{proof}" if proof else ""),
                url=f"{base}#vp-{proposition.key}",
                context=f"Value proposition about {proposition.get_about_display().lower()}",
            )
        )
    step: CommunicationStep
    for step in playbook.steps.all():
        lines = [step.purpose]
        if step.what_to_do:
            lines += ["What to do:", *step.what_to_do]
        if step.crp_phrases:
            lines += ["What you might say:", *(f"“{phrase}”" for phrase in step.crp_phrases)]
        if step.sales_phrases:
            lines += [
                "What a salesperson might say:",
                *(f"“{phrase}”" for phrase in step.sales_phrases),
            ]
        passages.append(
            Passage(
                id=f"step:{step.key}",
                kind=PassageKind.STEP,
                title=step.name,
                text="\n".join(lines),
                url=f"{base}#step-{step.key}",
                context="Step of the customer conversation",
            )
        )
    terms: list[GlossaryTerm] = list(playbook.glossary.all())
    anchors = glossary_anchors(terms)
    for term in terms:
        passages.append(
            Passage(
                id=f"glossary:{slugify(term.term) or term.pk}",
                kind=PassageKind.GLOSSARY,
                title=term.term,
                text=term.definition,
                url=f"{base}#{anchors[term.pk]}",
                context="Glossary",
            )
        )
    return passages


def lesson_passages(*, company: Company) -> list[Passage]:
    """One passage per ``##`` section of each lesson, the lesson's title as context; the part
    before the first heading, with the lesson's objective, is ``#intro``.

    The scenario questions are not passages: with their feedback in the index, recall@3 on the
    evaluation set fell from 0.83 to 0.64 (175 scenarios crowd out the lessons they test)."""
    fallback = _url("language:playbook")
    lessons = Lesson.objects.filter(company=company).select_related("module")
    passages: list[Passage] = []
    for lesson in lessons.order_by("module__curriculum_id", "module__order", "order", "pk"):
        url = _url("training:lesson", lesson.pk, fallback=fallback)
        seen: set[str] = set()
        for heading, markdown in lesson_sections(lesson.body):
            slug = slugify(heading) or "intro"
            while slug in seen:
                slug += "-2"
            seen.add(slug)
            text = plain(markdown)
            if not heading:
                text = "\n".join(part for part in (lesson.objective, text) if part)
            passages.append(
                Passage(
                    id=f"lesson:{lesson.key}#{slug}",
                    kind=PassageKind.LESSON,
                    title=heading or lesson.title,
                    text=text,
                    url=url,
                    context=lesson.title if heading else lesson.module.title,
                    group=f"lesson:{lesson.key}",
                )
            )
    return passages


def coach_answer_passages(*, company: Company) -> list[Passage]:
    answers = CoachQuestion.objects.filter(
        company=company, status=CoachQuestionStatus.ANSWERED, published=True
    ).order_by("pk")
    return [
        Passage(
            id=f"coach:{answer.pk}",
            kind=PassageKind.COACH_ANSWER,
            title=answer.title,
            text=answer.answer_text,
            url=_url("ecoach:coach_answer", answer.pk),
            context="Answered by a coach",
        )
        for answer in answers
    ]


def company_passages(*, company: Company) -> list[Passage]:
    """Everything the eCoach answers from for ``company``, and nothing of any other company."""
    return [
        *playbook_passages(company=company),
        *lesson_passages(company=company),
        *coach_answer_passages(company=company),
    ]
