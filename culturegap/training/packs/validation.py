"""Checking a parsed content pack: its format, plain data, the schema and the content rules."""

import re
from collections.abc import Collection, Iterator
from typing import Any

from jsonschema.exceptions import ValidationError

from culturegap.training.packs.errors import (
    LocatedError,
    PackError,
    PathElements,
    ReadingStopped,
    format_path,
)
from culturegap.training.packs.schema import FORMAT, schema_validator

# Django's slug pattern, the keys' database type; re.fullmatch so a trailing newline fails too.
KEY_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")
# A question has this many options, at least and at most.
MIN_OPTIONS, MAX_OPTIONS = 2, 6


def check_document(
    document: Any, *, fallback_skills: Collection[str] | None = None
) -> list[LocatedError]:
    """Every problem of a parsed document: its top, format, plain data, schema, content rules."""
    if not isinstance(document, dict):
        found = _describe(document)
        raise ReadingStopped(
            PackError(
                "",
                "The top of the file must be a mapping of fields (format:, key:, title:, …); "
                f"found {found}.",
                1,
            )
        )
    if "format" not in document:
        raise ReadingStopped(
            PackError("format", f"missing: the file must start with “format: {FORMAT}”.")
        )
    if document["format"] != FORMAT:
        raise ReadingStopped(
            PackError(
                "format",
                f"unknown format {_short(document['format'])}: this version of culturegap reads "
                f"“{FORMAT}”.",
            )
        )
    errors = list(_plain_data_errors(document, ()))
    if errors:
        # Keys that are not text (or text the database cannot hold) stop the schema check.
        return errors
    errors = list(_schema_errors(document))
    errors += _content_errors(document, fallback_skills=fallback_skills)
    unique: dict[tuple, LocatedError] = {}
    for error in errors:
        unique.setdefault((error.path_elements, error.message), error)
    return list(unique.values())


def _plain_data_errors(value: Any, path: PathElements) -> Iterator[LocatedError]:
    """Field names must be text; text must be storable (no NUL character, valid Unicode)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield LocatedError(
                    path, f"the field name {_short(key)} is not text: put it in quotes"
                )
                continue
            if _bad_text(key):
                yield LocatedError(path, "a field name holds a character that cannot be stored")
                continue
            yield from _plain_data_errors(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _plain_data_errors(item, (*path, index))
    elif isinstance(value, str) and _bad_text(value):
        yield LocatedError(
            path, "holds a character that cannot be stored (a NUL or a lone surrogate)"
        )


def _bad_text(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of fields",
    "null": "empty",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of fields"
    return f"a {type(value).__name__} value"


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _schema_errors(document: dict) -> Iterator[LocatedError]:
    for error in schema_validator().iter_errors(document):
        yield from _explain(error)


def _explain(error: ValidationError) -> Iterator[LocatedError]:
    path = tuple(error.absolute_path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield LocatedError((*path, name), "is missing: this field is required")
    elif kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for name in instance:
            if name not in allowed:
                yield LocatedError(
                    (*path, name),
                    f"unknown field: the fields allowed here are {', '.join(allowed)}",
                )
    elif kind == "type":
        wanted = " or ".join(
            _TYPE_NAMES.get(name, name)
            for name in ([expected] if isinstance(expected, str) else expected)
        )
        hint = ""
        if expected == "string" and isinstance(instance, bool | int | float):
            hint = " (put it in quotes to make it text)"
        yield LocatedError(path, f"must be {wanted}, not {_describe(instance)}{hint}")
    elif kind == "enum":
        choices = ", ".join(str(choice) for choice in expected)
        yield LocatedError(path, f"must be one of {choices}, not {_describe(instance)}")
    elif kind == "const":
        yield LocatedError(path, f"must be {expected!r}")
    elif kind == "pattern":
        if expected == r"\S":
            yield LocatedError(path, "must not be blank")
        else:
            yield LocatedError(
                path,
                "must be a key: letters, digits, hyphens and underscores only, with no spaces "
                f"(found {_short(instance)})",
            )
    elif kind == "maxLength":
        yield LocatedError(
            path, f"is too long: at most {expected} characters, this has {len(instance)}"
        )
    elif kind in {"minItems", "maxItems"}:
        if path and path[-1] == "options":
            yield LocatedError(
                path,
                f"a question needs {MIN_OPTIONS} to {MAX_OPTIONS} options; this one has "
                f"{len(instance)}",
            )
        elif kind == "minItems":
            yield LocatedError(path, "must not be empty: list at least one")
        else:
            yield LocatedError(path, f"must list at most {expected}")
    elif kind in {"minimum", "maximum"}:
        low = error.schema.get("minimum")
        high = error.schema.get("maximum")
        yield LocatedError(path, f"must be between {low} and {high}, not {instance!r}")
    else:
        yield LocatedError(path, error.message)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> Iterator[tuple[int, dict]]:
    for index, item in enumerate(_list(value)):
        if isinstance(item, dict):
            yield index, item


def _unique(
    items: Iterator[tuple[PathElements, Any]], *, what: str, seen: dict | None = None
) -> Iterator[LocatedError]:
    """One error per repeated value, pointing at the repeat and naming the first use."""
    seen = {} if seen is None else seen
    for path, value in items:
        if not isinstance(value, str):
            continue
        if value in seen:
            yield LocatedError(
                path, f"the {what} “{value}” is used twice: first at {format_path(seen[value])}"
            )
        else:
            seen[value] = path


def _content_errors(
    document: dict, *, fallback_skills: Collection[str] | None
) -> list[LocatedError]:
    """The rules the schema cannot state. Written to skip anything of the wrong shape: the
    schema check has reported those already."""
    errors: list[LocatedError] = []
    keyed: list[tuple[PathElements, Any]] = []  # every key, for the fullmatch check

    playbook = document.get("playbook")
    skills: Collection[str] | None = fallback_skills
    skill_source = "the company's published playbook"
    if isinstance(playbook, dict):
        steps = list(_dicts(playbook.get("communication_model")))
        skills = {step.get("key") for _, step in steps if isinstance(step.get("key"), str)}
        skill_source = "the pack's communication_model"
        for list_name, field, what in (
            ("value_propositions", "key", "key"),
            ("glossary", "term", "term"),
            ("communication_model", "key", "key"),
        ):
            items = [
                (("playbook", list_name, index, field), item.get(field))
                for index, item in _dicts(playbook.get(list_name))
            ]
            errors += _unique(iter(items), what=what)
            if field == "key":
                keyed += items

    curricula = list(_dicts(document.get("curricula")))
    keyed.append((("key",), document.get("key")))
    curriculum_keys = [
        (("curricula", c, "key"), curriculum.get("key")) for c, curriculum in curricula
    ]
    errors += _unique(iter(curriculum_keys), what="curriculum key")
    keyed += curriculum_keys
    for c, curriculum in curricula:
        base: PathElements = ("curricula", c)
        modules = list(_dicts(curriculum.get("modules")))
        module_keys = [((*base, "modules", m, "key"), module.get("key")) for m, module in modules]
        errors += _unique(iter(module_keys), what="module key")
        keyed += module_keys
        lesson_keys_seen: dict = {}
        question_keys_seen: dict = {}
        for m, module in modules:
            for n, lesson in _dicts(module.get("lessons")):
                lesson_path = (*base, "modules", m, "lessons", n)
                keyed.append(((*lesson_path, "key"), lesson.get("key")))
                errors += _unique(
                    iter([((*lesson_path, "key"), lesson.get("key"))]),
                    what="lesson key",
                    seen=lesson_keys_seen,
                )
                for q, question in _dicts(lesson.get("questions")):
                    question_path = (*lesson_path, "questions", q)
                    keyed.append(((*question_path, "key"), question.get("key")))
                    errors += _unique(
                        iter([((*question_path, "key"), question.get("key"))]),
                        what="question key",
                        seen=question_keys_seen,
                    )
                    errors += _question_errors(
                        question, question_path, skills=skills, skill_source=skill_source
                    )
    for path, key in keyed:
        # The schema's "$" lets one trailing newline through (Python's re); this catches it.
        if isinstance(key, str) and key.endswith("\n") and KEY_PATTERN.fullmatch(key[:-1]):
            errors.append(
                LocatedError(path, "must be a key: letters, digits, hyphens and underscores only")
            )
    return errors


def _question_errors(
    question: dict, path: PathElements, *, skills: Collection[str] | None, skill_source: str
) -> list[LocatedError]:
    errors = []
    skill = question.get("skill")
    if isinstance(skill, str) and skills is not None and skill not in skills:
        if skills:
            message = (
                f"unknown skill “{skill}”: a skill must be the key of a step of {skill_source} "
                f"({', '.join(sorted(skills))})"
            )
        else:
            message = (
                f"unknown skill “{skill}”: {skill_source} has no steps, so no skill is known; "
                "add a playbook with a communication_model to the pack"
            )
        errors.append(LocatedError((*path, "skill"), message))
    options = question.get("options")
    if isinstance(options, list) and MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        correct = [index for index, option in _dicts(options) if option.get("correct") is True]
        if not correct:
            errors.append(
                LocatedError(
                    (*path, "options"),
                    "no option is marked correct: mark exactly one with “correct: true”",
                )
            )
        elif len(correct) > 1:
            which = ", ".join(f"options[{index}]" for index in correct)
            errors.append(
                LocatedError(
                    (*path, "options"),
                    f"{len(correct)} options are marked correct ({which}): mark exactly one",
                )
            )
        texts = [
            ((*path, "options", index, "text"), option.get("text"))
            for index, option in _dicts(options)
        ]
        errors += _unique(iter(texts), what="option text")
    return errors
