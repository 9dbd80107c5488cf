"""Writing a company's playbook and curricula as a content pack (a dict, then YAML or JSON)."""

import json
from collections.abc import Sequence

import yaml
from django.db.models import Prefetch

from culturegap.language.models import Playbook, PlaybookStatus
from culturegap.org.models import Company
from culturegap.training.models import ContentPack, Curriculum, Lesson, Module, Option, Question
from culturegap.training.packs.reader import FORMAT


class UnknownCurriculum(LookupError):
    """An export asked for a curriculum key the company does not have."""


def playbook_as_dict(playbook: Playbook) -> dict:
    """A playbook version in the pack's normal form."""
    return {
        "title": playbook.title,
        "summary": playbook.summary,
        "value_propositions": [
            {
                "key": item.key,
                "about": item.about,
                "title": item.title,
                "statement": item.statement,
                "proof_points": list(item.proof_points),
            }
            for item in playbook.value_propositions.order_by("order", "pk")
        ],
        "glossary": [
            {"term": item.term, "definition": item.definition}
            for item in playbook.glossary.order_by("order", "pk")
        ],
        "communication_model": [
            {
                "key": step.key,
                "name": step.name,
                "purpose": step.purpose,
                "what_to_do": list(step.what_to_do),
                "crp_phrases": list(step.crp_phrases),
                "sales_phrases": list(step.sales_phrases),
                "observable_behaviour": step.observable_behaviour,
            }
            for step in playbook.steps.order_by("order", "pk")
        ],
    }


def curricula_with_content(company: Company, keys: Sequence[str] | None = None):
    """The company's curricula with modules → lessons → questions → options prefetched, each
    level in its own order."""
    queryset = Curriculum.objects.filter(company=company).prefetch_related(
        Prefetch("modules", queryset=Module.objects.order_by("order", "pk")),
        Prefetch("modules__lessons", queryset=Lesson.objects.order_by("order", "pk")),
        Prefetch("modules__lessons__questions", queryset=Question.objects.order_by("order", "pk")),
        Prefetch(
            "modules__lessons__questions__options", queryset=Option.objects.order_by("order", "pk")
        ),
    )
    if keys is not None:
        queryset = queryset.filter(key__in=keys)
    return queryset


def curriculum_as_dict(curriculum: Curriculum) -> dict:
    """A curriculum (fetched with ``curricula_with_content``) in the pack's normal form."""
    return {
        "key": curriculum.key,
        "title": curriculum.title,
        "description": curriculum.description,
        "pass_mark": curriculum.pass_mark,
        "modules": [
            {
                "key": module.key,
                "title": module.title,
                "summary": module.summary,
                "lessons": [
                    {
                        "key": lesson.key,
                        "title": lesson.title,
                        "objective": lesson.objective,
                        "minutes": lesson.minutes,
                        "body": lesson.body,
                        "questions": [
                            {
                                "key": question.key,
                                "skill": question.skill,
                                "role": question.audience,
                                "scenario": question.scenario,
                                "options": [
                                    {
                                        "text": option.text,
                                        "correct": option.is_correct,
                                        "feedback": option.feedback,
                                    }
                                    for option in question.options.all()
                                ],
                            }
                            for question in lesson.questions.all()
                        ],
                    }
                    for lesson in module.lessons.all()
                ],
            }
            for module in curriculum.modules.all()
        ],
    }


def export_pack(
    *,
    company: Company,
    curriculum_keys: Sequence[str] | None = None,
    draft: bool = False,
    include_playbook: bool = True,
) -> dict:
    """The company's content as a pack: the published playbook (the draft with ``draft=True``;
    none if there is no such version) and its curricula (all, or those of ``curriculum_keys`` in
    that order).

    The pack's key, title and description are those of the last imported pack that brought
    exactly these curricula, so exporting an imported pack gives it back; otherwise they are
    made from the company's name. Raises UnknownCurriculum for a key the company lacks.
    """
    curricula = {c.key: c for c in curricula_with_content(company, curriculum_keys)}
    if curriculum_keys is not None:
        missing = [key for key in curriculum_keys if key not in curricula]
        if missing:
            known = Curriculum.objects.filter(company=company).order_by("key")
            raise UnknownCurriculum(
                f"{company.name} has no curriculum with key {', '.join(missing)}; its curricula "
                f"are: {', '.join(known.values_list('key', flat=True)) or 'none'}."
            )
    source = _source_pack(company, set(curricula))
    if curriculum_keys is not None:
        order = list(dict.fromkeys(curriculum_keys))
    elif source is not None:
        order = list(source.curriculum_keys)
    else:
        order = sorted(curricula, key=lambda key: (curricula[key].title, key))

    pack = {
        "format": FORMAT,
        "key": source.key if source else company.slug,
        "title": source.title if source else f"{company.name}: common language and training",
        "description": source.description if source else "",
    }
    if include_playbook:
        status = PlaybookStatus.DRAFT if draft else PlaybookStatus.PUBLISHED
        playbook = Playbook.objects.filter(company=company, status=status).first()
        if playbook is not None:
            pack["playbook"] = playbook_as_dict(playbook)
    pack["curricula"] = [curriculum_as_dict(curricula[key]) for key in order]
    return pack


def _source_pack(company: Company, keys: set[str]) -> ContentPack | None:
    for pack in ContentPack.objects.filter(company=company):
        if set(pack.curriculum_keys) == keys and len(pack.curriculum_keys) == len(keys):
            return pack
    return None


class _PackDumper(yaml.SafeDumper):
    """Multi-line text (lesson bodies) as literal blocks, so the file reads like the source."""


def _represent_text(dumper: yaml.SafeDumper, text: str):
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_PackDumper.add_representer(str, _represent_text)


def dump_pack(pack: dict, *, filename: str = "pack.yaml") -> bytes:
    """The pack as file content: JSON when ``filename`` ends in .json, YAML otherwise."""
    if filename.lower().endswith(".json"):
        return (json.dumps(pack, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    title = " ".join(str(pack.get("title", "")).split())
    header = f"# culturegap content pack “{title}”. Format: {FORMAT}.\n"
    body = yaml.dump(
        pack,
        Dumper=_PackDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )
    return (header + body).encode("utf-8")
