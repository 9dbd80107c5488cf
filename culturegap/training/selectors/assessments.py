"""Assessments: the questions drawn, scores per skill, results and retakes; certificates."""

import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from culturegap import measures
from culturegap.language.models import CommunicationStep, PlaybookStatus
from culturegap.org.models import Company, Person
from culturegap.org.scope import (
    reporting_line_ids,
    sees_whole_company,
)
from culturegap.training.models import (
    Assessment,
    AssessmentItem,
    AssessmentKind,
    Curriculum,
    Enrollment,
    Question,
)
from culturegap.training.selectors.learner import Progress, enrollment_progress


def skill_bank(*, curriculum: Curriculum, audience: str) -> dict[str, list[int]]:
    """Question ids of the curriculum set in ``audience``, by skill, in id order."""
    bank: dict[str, list[int]] = defaultdict(list)
    for question_id, skill in (
        Question.objects.filter(lesson__module__curriculum=curriculum, audience=audience)
        .order_by("pk")
        .values_list("pk", "skill")
    ):
        bank[skill].append(question_id)
    return dict(bank)


def questions_per_skill(available: int) -> int:
    """How many questions of a skill each assessment gets: two when the skill has four or more
    (two for the pre, two others for the post), else one; a skill with a single question is left
    out, so the pre and the post always cover the same skills with different questions."""
    if available >= 4:
        return 2
    return 1 if available >= 2 else 0


def shuffled(question_ids: list[int], *, seed: str) -> list[int]:
    """``question_ids`` in an order that is random but always the same for ``seed``."""
    ordered = sorted(question_ids)
    random.Random(seed).shuffle(ordered)
    return ordered


def draw_assessment(
    *, bank: dict[str, list[int]], seed: str, kind: str, pre: dict[str, list[int]] | None = None
) -> list[int]:
    """The questions of a pre- or post-assessment, in the order they are asked.

    Each skill's questions are shuffled with a seed of the enrollment and the skill; the pre
    takes the first ``questions_per_skill`` of them and the post the next as many, skipping
    any question the pre used. Given ``pre`` (the pre's question ids by skill), the post covers
    exactly the pre's skills, with as many questions each as remain unused.
    """
    chosen: list[int] = []
    skills = sorted(pre) if (kind == AssessmentKind.POST and pre is not None) else sorted(bank)
    for skill in skills:
        ids = shuffled(bank.get(skill, []), seed=f"{seed}:{skill}")
        count = questions_per_skill(len(ids))
        if kind == AssessmentKind.PRE:
            chosen += ids[:count]
            continue
        used = set(pre[skill]) if pre is not None else set(ids[:count])
        wanted = len(pre[skill]) if pre is not None else count
        chosen += [qid for qid in ids if qid not in used][:wanted]
    return shuffled(chosen, seed=f"{seed}:{kind}:order")


def assessment_items(*, assessment: Assessment) -> list[AssessmentItem]:
    return list(
        assessment.items.select_related("question", "answer", "answer__option")
        .prefetch_related("question__options")
        .order_by("order", "pk")
    )


def skill_names(*, company: Company) -> dict[str, str]:
    """Skill key → the name of its communication-model step, in the order of the steps of the
    published playbook (a step only in an older version comes after, from the newest one)."""
    found: dict[str, tuple[bool, int, int, str]] = {}
    steps = CommunicationStep.objects.filter(playbook__company=company).values_list(
        "key", "name", "order", "playbook__status", "playbook__version"
    )
    for key, name, order, status, version in steps:
        rank = (status != PlaybookStatus.PUBLISHED, -version, order, name)
        if key not in found or rank < found[key]:
            found[key] = rank
    return {key: found[key][3] for key in sorted(found, key=lambda k: found[k][:3])}


def skill_label(key: str, names: dict[str, str]) -> str:
    return names.get(key) or key.replace("-", " ").capitalize()


def skill_order(names: dict[str, str]):
    """Sort key for skills: the conversation's order of steps, then unknown skills by name."""
    position = {key: index for index, key in enumerate(names)}
    return lambda key: (position.get(key, len(position)), skill_label(key, names))


@dataclass
class SkillResult:
    skill: str
    name: str
    pre: float | None
    post: float | None

    @property
    def gain(self) -> float | None:
        if self.pre is None or self.post is None:
            return None
        return self.post - self.pre


@dataclass
class Results:
    progress: Progress
    skills: list[SkillResult]
    earlier_attempts: list = field(default_factory=list)  # AssessmentAttempt, oldest first
    retakes_left: int = 0

    @property
    def attempt(self) -> int:
        """The number of the final check's current (or latest) attempt."""
        return self.progress.post.attempt if self.progress.post is not None else 1

    @property
    def attempts_allowed(self) -> int:
        return FINAL_CHECK_ATTEMPTS

    @property
    def pre_score(self) -> float | None:
        return self.progress.pre.score if self.progress.pre_done else None

    @property
    def post_score(self) -> float | None:
        return self.progress.post.score if self.progress.post_done else None


def skill_scores(*, enrollment_ids) -> dict[int, dict[str, dict[str, float]]]:
    """For each enrollment, each completed assessment kind's score per skill:
    ``{enrollment_id: {"pre": {skill: score}, "post": {...}}}``."""
    answered: dict[tuple[int, str], list[tuple[str, bool]]] = defaultdict(list)
    rows = AssessmentItem.objects.filter(
        assessment__enrollment_id__in=enrollment_ids,
        assessment__completed_at__isnull=False,
        answer__isnull=False,
    ).values_list(
        "assessment__enrollment_id", "assessment__kind", "question__skill", "answer__is_correct"
    )
    for enrollment_id, kind, skill, right in rows:
        answered[(enrollment_id, kind)].append((skill, right))
    scores: dict[int, dict[str, dict[str, float]]] = defaultdict(dict)
    for (enrollment_id, kind), results in answered.items():
        scores[enrollment_id][kind] = measures.score_per_skill(results)
    return scores


# A learner who fails the final check may take it this many times in all.
FINAL_CHECK_ATTEMPTS = 3


def retakes_left(*, enrollment: Enrollment, post: Assessment | None) -> int:
    """How many more times the learner may take the final check: none until it is done, none
    once certified."""
    if post is None or post.completed_at is None or enrollment.certified_at is not None:
        return 0
    if post.score is None:  # nothing was asked: there is nothing to retake
        return 0
    return max(0, FINAL_CHECK_ATTEMPTS - post.attempt)


def assessment_results(*, enrollment: Enrollment) -> Results:
    """Overall and per-skill scores of the pre and the (latest) post, side by side, with the
    earlier attempts at the post and how many retakes are left."""
    progress = enrollment_progress(enrollment=enrollment)
    scores = skill_scores(enrollment_ids=[enrollment.pk]).get(enrollment.pk, {})
    pre, post = scores.get(AssessmentKind.PRE, {}), scores.get(AssessmentKind.POST, {})
    names = skill_names(company=enrollment.company)
    skills = [
        SkillResult(skill, skill_label(skill, names), pre.get(skill), post.get(skill))
        for skill in sorted(set(pre) | set(post), key=skill_order(names))
    ]
    earlier = list(progress.post.attempts.all()) if progress.post is not None else []
    return Results(
        progress=progress,
        skills=skills,
        earlier_attempts=earlier,
        retakes_left=retakes_left(enrollment=enrollment, post=progress.post),
    )


# --- Certificates --------------------------------------------------------------------------------


def certificates_visible_to(*, viewer: Person) -> QuerySet[Enrollment]:
    """Certified enrollments a viewer may open: their own; their reporting line's if they are a
    manager; the whole company's for executives and program admins."""
    certified = Enrollment.objects.filter(
        company_id=viewer.company_id, certified_at__isnull=False
    ).select_related("person", "curriculum", "company")
    if sees_whole_company(viewer):
        return certified
    allowed = Q(person=viewer)
    if viewer.is_manager:
        allowed |= Q(person_id__in=reporting_line_ids(manager=viewer))
    return certified.filter(allowed)
