"""Asking the eCoach, and what coaches do with what it cannot answer.

``ask`` answers from the company's knowledge index: the most relevant sentences of the best
passages, each passage cited and linked, and a confidence. Below the company's threshold it
says it does not know and puts the question in the coach queue. A coach's answer, once
published, joins the knowledge base (a passage of kind "coach answer"), so the next person who
asks something similar is answered from it; the asker is told by e-mail and on the eCoach's
"Your questions" page. Every question is logged for quality review.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from culturegap.ecoach import index as knowledge
from culturegap.ecoach import selectors
from culturegap.ecoach.models import (
    AskedQuestion,
    CoachQuestion,
    CoachQuestionStatus,
    EcoachSettings,
)
from culturegap.ecoach.retrieval import Hit, KnowledgeIndex, PassageKind
from culturegap.org.models import Company, Person

MAX_QUESTION = 1000
MAX_ANSWER = 5000
MAX_PUBLISHED_QUESTION = 300
CITED = 3
# A passage after the first is quoted in the answer when it scores at least this share of the
# first; below, it is only cited (listed and linked).
QUOTE_SHARE = 0.6


# --- the answer ----------------------------------------------------------------------------


def confidence_words(confidence: float, threshold: float) -> str:
    if confidence < threshold:
        return "not sure"
    if confidence >= 0.85:
        return "sure"
    if confidence >= 0.65:
        return "fairly sure"
    return "not very sure"


@dataclass
class CitedPassage:
    number: int
    id: str
    kind: str
    title: str
    context: str
    url: str
    score: float
    quoted: list[str] = field(default_factory=list)  # the sentences used in the answer


@dataclass
class EcoachAnswer:
    question: str
    text: str
    passages: list[CitedPassage]
    confidence: float
    threshold: float
    asked: AskedQuestion | None = None
    coach_question: CoachQuestion | None = None

    @property
    def answered(self) -> bool:
        return self.confidence >= self.threshold

    @property
    def confidence_words(self) -> str:
        return confidence_words(self.confidence, self.threshold)

    @property
    def quoted(self) -> list[CitedPassage]:
        return [passage for passage in self.passages if passage.quoted]


DONT_KNOW = (
    "I don't know the answer to that yet, so I have passed your question to a coach. "
    "You will get an e-mail when they answer, and find it under Your questions."
)


def _as_sentence(text: str) -> str:
    """List items have no full stop; quoted next to each other they need one."""
    return text if text[-1:] in ".!?…:”\"')" else f"{text}."


def _cite(index: KnowledgeIndex, hits: list[Hit], tokens: list[str]) -> list[CitedPassage]:
    cited: list[CitedPassage] = []
    for number, hit in enumerate(hits[:CITED], start=1):
        passage = hit.passage
        quoted: list[str] = []
        if number == 1 or hit.score >= QUOTE_SHARE * hits[0].score:
            if passage.kind == PassageKind.COACH_ANSWER:
                quoted = [passage.text]  # written as an answer: quoted whole
            else:
                best = index.best_sentences(hit, tokens, limit=2 if number == 1 else 1)
                quoted = [_as_sentence(sentence) for sentence in best]
        cited.append(
            CitedPassage(
                number=number,
                id=passage.id,
                kind=passage.kind,
                title=passage.title,
                context=passage.context,
                url=passage.url,
                score=round(hit.score, 3),
                quoted=quoted,
            )
        )
    return cited


def compose_answer(*, index: KnowledgeIndex, question: str, threshold: float) -> EcoachAnswer:
    """The answer to ``question`` from ``index``, without logging or routing it."""
    retrieval = index.search(question, k=CITED)
    passages = _cite(index, retrieval.hits, retrieval.tokens)
    answer = EcoachAnswer(
        question=question,
        text="",
        passages=passages,
        confidence=round(retrieval.confidence, 2),
        threshold=threshold,
    )
    if answer.answered:
        answer.text = " ".join(
            f"{' '.join(passage.quoted)} [{passage.number}]" for passage in answer.quoted
        )
    else:
        answer.text = DONT_KNOW
    return answer


def clean_question(text: str, *, field_name: str = "q") -> str:
    """The question stripped; a ValidationError naming ``field_name`` when it is empty, too
    long or not text."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({field_name: "Type a question for the eCoach."})
    if len(text) > MAX_QUESTION:
        raise ValidationError(
            {field_name: f"Keep the question under {MAX_QUESTION} characters ({len(text)} now)."}
        )
    if "\x00" in text:
        raise ValidationError({field_name: "The question contains a character that is not text."})
    return text


def _check_member(person: Person) -> Company:
    if not (person.is_active and person.company_id):
        raise PermissionDenied("Only staff of a company may ask the eCoach.")
    return person.company


@transaction.atomic
def ask(*, person: Person, question: str) -> EcoachAnswer:
    """Answer ``question`` for ``person`` from their company's knowledge base, log it, and
    pass it to the coach queue when the eCoach is not sure enough."""
    company = _check_member(person)
    question = clean_question(question)
    current = knowledge.current_index(company=company)
    threshold = selectors.confidence_threshold(company=company)
    answer = compose_answer(index=current.index, question=question, threshold=threshold)
    if not answer.answered:
        answer.coach_question = _route(company=company, asker=person, text=question)
    answer.asked = AskedQuestion.objects.create(
        company=company,
        person=person,
        text=question,
        confidence=answer.confidence,
        answered=answer.answered,
        routed=answer.coach_question is not None,
        passages=[[passage.id, passage.score] for passage in answer.passages],
        index_version=current.version,
        coach_question=answer.coach_question,
    )
    return answer


def _route(*, company: Company, asker: Person, text: str) -> CoachQuestion:
    """The asker's open question with this text, or a new one: asking twice (or reloading the
    page) queues it once."""
    existing = CoachQuestion.objects.filter(
        company=company, asker=asker, status=CoachQuestionStatus.OPEN, text=text
    ).first()
    return existing or CoachQuestion.objects.create(company=company, asker=asker, text=text)


@transaction.atomic
def ask_a_coach(*, person: Person, asked: AskedQuestion) -> CoachQuestion:
    """ "Not helpful? Ask a coach": the person passes a question the eCoach answered to the
    coach queue themselves."""
    company = _check_member(person)
    if asked.company_id != company.pk or asked.person_id != person.pk:
        raise PermissionDenied("You can only pass on your own questions.")
    coach_question = _route(company=company, asker=person, text=asked.text)
    AskedQuestion.objects.filter(pk=asked.pk).update(routed=True, coach_question=coach_question)
    return coach_question


# --- coaches ---------------------------------------------------------------------------------


def _site_link(path: str) -> str:
    base = getattr(settings, "SITE_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + path


def _tell_asker(question: CoachQuestion) -> None:
    asker = question.asker
    if asker is None or not asker.is_active or not asker.email:
        return
    body = "\n".join(
        [
            f"Hello {asker.name},",
            "",
            "A coach has answered the question you asked the eCoach:",
            "",
            f"  {question.text}",
            "",
            question.answer_text,
            "",
            f"— {question.answered_by.name if question.answered_by else 'your coach'}",
            "",
            f"All your questions: {_site_link(reverse('ecoach:my_questions'))}",
        ]
    )
    send_mail("The eCoach has an answer for you", body, None, [asker.email])


@transaction.atomic
def answer_question(
    *,
    coach: Person,
    question: CoachQuestion,
    answer: str,
    published_question: str = "",
    publish: bool = True,
) -> CoachQuestion:
    """A coach answers a question from the queue (or corrects their answer). Published, the
    answer joins the company's knowledge base; the asker is told once, after the commit."""
    if selectors.coach_question_for(viewer=coach, pk=question.pk) is None:
        raise PermissionDenied("This question is not in your coach queue.")
    answer = (answer or "").strip()
    published_question = (published_question or "").strip()
    errors = {}
    if not answer:
        errors["answer"] = "Write the answer."
    elif len(answer) > MAX_ANSWER:
        errors["answer"] = f"Keep the answer under {MAX_ANSWER} characters ({len(answer)} now)."
    if len(published_question) > MAX_PUBLISHED_QUESTION:
        errors["published_question"] = (
            f"Keep the question under {MAX_PUBLISHED_QUESTION} characters."
        )
    if errors:
        raise ValidationError(errors)
    question = CoachQuestion.objects.select_for_update().get(pk=question.pk)
    first_answer = question.status == CoachQuestionStatus.OPEN
    was_published = question.published
    question.answer_text = answer
    question.published_question = published_question
    question.published = publish
    question.status = CoachQuestionStatus.ANSWERED
    question.answered_by = coach
    question.answered_at = timezone.now()
    question.save()
    if publish or was_published:
        knowledge.content_changed(company=question.company)
    if first_answer:
        # robust: a mail server that fails must not turn the saved answer into an error page.
        transaction.on_commit(lambda: _tell_asker(question), robust=True)
    return question


@transaction.atomic
def mark_answers_seen(*, person: Person) -> int:
    return CoachQuestion.objects.filter(
        company_id=person.company_id,
        asker=person,
        status=CoachQuestionStatus.ANSWERED,
        asker_seen_at__isnull=True,
    ).update(asker_seen_at=timezone.now())


@transaction.atomic
def set_confidence_threshold(*, company: Company, actor: Person, threshold: float) -> None:
    if not (actor.is_program_admin and actor.company_id == company.pk):
        raise PermissionDenied("Only a program admin sets the eCoach's threshold.")
    if not 0 <= threshold <= 1:
        raise ValidationError({"threshold": "The threshold is a number from 0 to 1."})
    EcoachSettings.objects.update_or_create(
        company=company, defaults={"confidence_threshold": threshold}
    )
