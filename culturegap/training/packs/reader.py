"""Reading a content pack file: decode, parse, check against the schema and the content rules.

Nothing here touches the database. ``read_pack`` turns the bytes of a YAML or JSON file into the
normalised pack (every optional field filled in, in a fixed order) or a list of problems, each
naming where it is in the file (``curricula[0].modules[2].lessons[0].questions[3].options``) and,
for YAML, the line. It never raises on bad input: whatever the bytes, the answer is a pack or
errors.
"""

import json
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

FORMAT = "culturegap-pack/1"
SCHEMA_PATH = Path(__file__).with_name("pack.schema.json")

# Django's slug pattern, the keys' database type; re.fullmatch so a trailing newline fails too.
KEY_PATTERN = re.compile(r"[-a-zA-Z0-9_]+")
# A question has this many options, at least and at most.
MIN_OPTIONS, MAX_OPTIONS = 2, 6

# Path elements: field names and list indexes, from the top of the file.
PathElements = tuple[str | int, ...]


@dataclass(frozen=True)
class PackError:
    """One problem in a pack: where (a path such as ``curricula[0].modules[1]``, empty for the
    file as a whole), what is wrong in plain words, and the line when it is known."""

    path: str
    message: str
    line: int | None = None

    @property
    def where(self) -> str:
        return self.path or "(the file)"

    def __str__(self) -> str:
        line = f" (line {self.line})" if self.line else ""
        return f"{self.where}{line}: {self.message}"


def format_path(elements: PathElements) -> str:
    """``("curricula", 0, "modules", 2)`` → ``curricula[0].modules[2]``."""
    text = ""
    for element in elements:
        if isinstance(element, int):
            text += f"[{element}]"
        else:
            text += f".{element}" if text else str(element)
    return text


@cache
def pack_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    schema = pack_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


class _Problem(Exception):
    """Reading stopped: the file cannot be checked further."""

    def __init__(self, error: PackError):
        super().__init__(str(error))
        self.error = error


def read_pack(
    data: bytes | str,
    *,
    filename: str = "",
    fallback_skills: Collection[str] | None = None,
) -> tuple[dict | None, list[PackError]]:
    """The normalised pack in ``data``, or ``(None, errors)`` listing every problem found.

    ``filename`` picks the parser: ``.json`` → JSON, anything else → YAML (of which JSON is
    nearly a subset). ``fallback_skills`` are the skills questions may use when the pack has no
    playbook (the company's published playbook's step keys); with ``None`` such a pack's skills
    are not checked.
    """
    too_deep = PackError("", "The file is nested too deeply to be a content pack.")
    try:
        document, lines = _parse(data, filename=filename)
    except _Problem as problem:
        return None, [problem.error]
    except RecursionError:
        return None, [too_deep]
    try:
        errors = _check_document(document, fallback_skills=fallback_skills)
    except _Problem as problem:
        error = problem.error
        if error.line is None and error.path == "format":
            error = PackError(error.path, error.message, lines(("format",)))
        return None, [error]
    except RecursionError:
        return None, [too_deep]
    if errors:
        located = [
            PackError(error.path, error.message, lines(error.path_elements)) for error in errors
        ]
        # In file order where lines are known (YAML); sorting is stable, so JSON keeps its order.
        located.sort(key=lambda error: error.line or 0)
        return None, located
    return normalise_pack(document), []


@dataclass(frozen=True)
class _LocatedError:
    path_elements: PathElements
    message: str

    @property
    def path(self) -> str:
        return format_path(self.path_elements)


def _check_document(
    document: Any, *, fallback_skills: Collection[str] | None = None
) -> list[_LocatedError]:
    """Every problem of a parsed document: its top, format, plain data, schema, content rules."""
    if not isinstance(document, dict):
        found = _describe(document)
        raise _Problem(
            PackError(
                "",
                "The top of the file must be a mapping of fields (format:, key:, title:, …); "
                f"found {found}.",
                1,
            )
        )
    if "format" not in document:
        raise _Problem(
            PackError("format", f"missing: the file must start with “format: {FORMAT}”.")
        )
    if document["format"] != FORMAT:
        raise _Problem(
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
    unique: dict[tuple, _LocatedError] = {}
    for error in errors:
        unique.setdefault((error.path_elements, error.message), error)
    return list(unique.values())


# ---------------------------------------------------------------------------------------------
# Decoding and parsing


def _parse(data: bytes | str, *, filename: str):
    """The parsed document and a function giving the line of a path (None when unknown)."""
    if isinstance(data, bytes):
        if not data.strip():
            raise _Problem(PackError("", "The file is empty."))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise _Problem(
                PackError(
                    "",
                    f"The file is not UTF-8 text: byte 0x{data[error.start]:02x} on line {line} "
                    "cannot be read. Save the file as UTF-8.",
                    line,
                )
            ) from None
    else:
        text = data.removeprefix("\ufeff")
    if not text.strip():
        raise _Problem(PackError("", "The file is empty."))
    if filename.lower().endswith(".json"):
        return _parse_json(text), lambda path: None
    return _parse_yaml(text)


def _parse_json(text: str) -> Any:
    duplicates: list[str] = []

    def pairs(items):
        result = {}
        for key, value in items:
            if key in result:
                duplicates.append(key)
            result[key] = value
        return result

    def no_constant(name):
        raise ValueError(f"{name} is not a number a pack can hold")

    try:
        document = json.loads(text, object_pairs_hook=pairs, parse_constant=no_constant)
    except json.JSONDecodeError as error:
        raise _Problem(
            PackError(
                "",
                f"Not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
                error.lineno,
            )
        ) from None
    except ValueError as error:
        raise _Problem(PackError("", f"Not valid JSON: {error}.")) from None
    if duplicates:
        names = ", ".join(f"“{name}”" for name in dict.fromkeys(duplicates))
        raise _Problem(PackError("", f"A field appears twice in the same object: {names}."))
    return document


def _without_timestamps(resolvers: dict) -> dict:
    return {
        first: [(tag, regexp) for tag, regexp in entries if tag != "tag:yaml.org,2002:timestamp"]
        for first, entries in resolvers.items()
    }


# libyaml's parser when installed (about ten times faster on a big pack), else PyYAML's own.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALIAS_PROBLEM = "an alias (*name) is not allowed in a content pack: write the text out"


class _AliasFound(Exception):
    """A node is built twice: it was reached through an alias."""


class _PackRules:
    """Safe YAML, stricter for packs: no aliases (a "billion laughs" file would expand beyond
    memory, and packs have no need for them), no field twice in one mapping (the second would
    silently win), and dates stay text (a key such as 2024-01-01 is a key, not a date)."""

    yaml_implicit_resolvers = _without_timestamps(yaml.SafeLoader.yaml_implicit_resolvers)

    def construct_object(self, node, deep=False):
        # An alias is the same node object as its anchor, met a second time.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _AliasFound
        return super().construct_object(node, deep=deep)

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.MarkedYAMLError(
                        problem=f"the field “{key_node.value}” appears twice in this mapping",
                        problem_mark=key_node.start_mark,
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


class _PackLoader(_PackRules, _SafeLoader):
    pass


class _PurePackLoader(_PackRules, yaml.SafeLoader):
    pass


def _first_alias(text: str) -> tuple[int, int]:
    """Line and column of the first alias in a document that parses (only called then)."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return event.start_mark.line + 1, event.start_mark.column + 1
    return 1, 1


def _code_point(character) -> str:
    code = character if isinstance(character, int) else ord(str(character)[:1] or "?")
    return f"U+{code:04X}"


# libyaml's composer recurses in C without a limit: tens of thousands of nested collections
# crash the process. Files that might nest deeper than this go to PyYAML's parser, whose
# recursion Python stops with a RecursionError.
C_PARSER_MAX_NESTING = 500
_INDICATORS = re.compile(r"(?:^|\s)[-?:](?=\s|$)|[\[\]{}]")


def _nesting_bound(text: str) -> int:
    """More than the deepest nesting the YAML ``text`` can have: twice the deepest indentation,
    plus the most block indicators on one line, plus the deepest flow brackets."""
    indentation = tokens = flow = deepest_flow = 0
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indentation = max(indentation, len(line) - len(stripped))
        count = 0
        for match in _INDICATORS.finditer(stripped):
            mark = match.group().strip()
            if mark in "[{":
                flow += 1
                deepest_flow = max(deepest_flow, flow)
            elif mark in "]}":
                flow = max(0, flow - 1)
            else:
                count += 1
        tokens = max(tokens, count)
    return 2 * indentation + tokens + deepest_flow


def _parse_yaml(text: str):
    loader = None
    try:
        if _nesting_bound(text) > C_PARSER_MAX_NESTING:
            loader = _PurePackLoader(text)
        else:
            loader = _PackLoader(text)
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except _AliasFound:
        line, column = _first_alias(text)
        raise _Problem(
            PackError(
                "", f"Not valid YAML at line {line}, column {column}: {_ALIAS_PROBLEM}.", line
            )
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "cannot be read"
        if mark is None:
            raise _Problem(PackError("", f"Not valid YAML: {problem}.")) from None
        line, column = mark.line + 1, mark.column + 1
        raise _Problem(
            PackError("", f"Not valid YAML at line {line}, column {column}: {problem}.", line)
        ) from None
    except yaml.reader.ReaderError as error:
        # libyaml counts the position in bytes of UTF-8, PyYAML in characters.
        in_bytes = isinstance(loader, _PackLoader) and _SafeLoader is not yaml.SafeLoader
        before = text.encode("utf-8", "replace") if in_bytes else text
        line = before[: error.position].count("\n" if isinstance(before, str) else b"\n") + 1
        raise _Problem(
            PackError(
                "",
                f"Not valid YAML: the control character {_code_point(error.character)} on line "
                f"{line} is not allowed in a YAML file.",
                line,
            )
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        # A value YAML recognises but cannot build, such as an explicitly tagged bad date.
        raise _Problem(PackError("", f"Not valid YAML: {error}.")) from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise _Problem(PackError("", "The file is empty."))

    def line_of(path: PathElements) -> int | None:
        node = root
        for element in path:
            child = None
            if isinstance(node, yaml.MappingNode) and isinstance(element, str):
                child = next(
                    (value for key, value in node.value if key.value == element),
                    None,
                )
            elif isinstance(node, yaml.SequenceNode) and isinstance(element, int):
                if 0 <= element < len(node.value):
                    child = node.value[element]
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    return document, line_of


# ---------------------------------------------------------------------------------------------
# Checks


def _plain_data_errors(value: Any, path: PathElements) -> Iterator[_LocatedError]:
    """Field names must be text; text must be storable (no NUL character, valid Unicode)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield _LocatedError(
                    path, f"the field name {_short(key)} is not text: put it in quotes"
                )
                continue
            if _bad_text(key):
                yield _LocatedError(path, "a field name holds a character that cannot be stored")
                continue
            yield from _plain_data_errors(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _plain_data_errors(item, (*path, index))
    elif isinstance(value, str) and _bad_text(value):
        yield _LocatedError(
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


def _schema_errors(document: dict) -> Iterator[_LocatedError]:
    for error in _validator().iter_errors(document):
        yield from _explain(error)


def _explain(error: ValidationError) -> Iterator[_LocatedError]:
    path = tuple(error.absolute_path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "required":
        for name in expected:
            if isinstance(instance, dict) and name not in instance:
                yield _LocatedError((*path, name), "is missing: this field is required")
    elif kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for name in instance:
            if name not in allowed:
                yield _LocatedError(
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
        yield _LocatedError(path, f"must be {wanted}, not {_describe(instance)}{hint}")
    elif kind == "enum":
        choices = ", ".join(str(choice) for choice in expected)
        yield _LocatedError(path, f"must be one of {choices}, not {_describe(instance)}")
    elif kind == "const":
        yield _LocatedError(path, f"must be {expected!r}")
    elif kind == "pattern":
        if expected == r"\S":
            yield _LocatedError(path, "must not be blank")
        else:
            yield _LocatedError(
                path,
                "must be a key: letters, digits, hyphens and underscores only, with no spaces "
                f"(found {_short(instance)})",
            )
    elif kind == "maxLength":
        yield _LocatedError(
            path, f"is too long: at most {expected} characters, this has {len(instance)}"
        )
    elif kind in {"minItems", "maxItems"}:
        if path and path[-1] == "options":
            yield _LocatedError(
                path,
                f"a question needs {MIN_OPTIONS} to {MAX_OPTIONS} options; this one has "
                f"{len(instance)}",
            )
        elif kind == "minItems":
            yield _LocatedError(path, "must not be empty: list at least one")
        else:
            yield _LocatedError(path, f"must list at most {expected}")
    elif kind in {"minimum", "maximum"}:
        low = error.schema.get("minimum")
        high = error.schema.get("maximum")
        yield _LocatedError(path, f"must be between {low} and {high}, not {instance!r}")
    else:
        yield _LocatedError(path, error.message)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> Iterator[tuple[int, dict]]:
    for index, item in enumerate(_list(value)):
        if isinstance(item, dict):
            yield index, item


def _unique(
    items: Iterator[tuple[PathElements, Any]], *, what: str, seen: dict | None = None
) -> Iterator[_LocatedError]:
    """One error per repeated value, pointing at the repeat and naming the first use."""
    seen = {} if seen is None else seen
    for path, value in items:
        if not isinstance(value, str):
            continue
        if value in seen:
            yield _LocatedError(
                path, f"the {what} “{value}” is used twice: first at {format_path(seen[value])}"
            )
        else:
            seen[value] = path


def _content_errors(
    document: dict, *, fallback_skills: Collection[str] | None
) -> list[_LocatedError]:
    """The rules the schema cannot state. Written to skip anything of the wrong shape: the
    schema check has reported those already."""
    errors: list[_LocatedError] = []
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
                _LocatedError(path, "must be a key: letters, digits, hyphens and underscores only")
            )
    return errors


def _question_errors(
    question: dict, path: PathElements, *, skills: Collection[str] | None, skill_source: str
) -> list[_LocatedError]:
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
        errors.append(_LocatedError((*path, "skill"), message))
    options = question.get("options")
    if isinstance(options, list) and MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        correct = [index for index, option in _dicts(options) if option.get("correct") is True]
        if not correct:
            errors.append(
                _LocatedError(
                    (*path, "options"),
                    "no option is marked correct: mark exactly one with “correct: true”",
                )
            )
        elif len(correct) > 1:
            which = ", ".join(f"options[{index}]" for index in correct)
            errors.append(
                _LocatedError(
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


# ---------------------------------------------------------------------------------------------
# Normal form


def normalise_pack(document: dict) -> dict:
    """A valid pack with every optional field filled in, fields in the documented order: the
    form ``export_pack`` produces, so two packs compare equal when they hold the same content."""
    pack = {
        "format": FORMAT,
        "key": document["key"],
        "title": document["title"],
        "description": document.get("description", ""),
    }
    if "playbook" in document:
        pack["playbook"] = normalise_playbook(document["playbook"])
    pack["curricula"] = [_normalise_curriculum(c) for c in document.get("curricula", [])]
    return pack


def normalise_playbook(playbook: dict) -> dict:
    return {
        "title": playbook["title"],
        "summary": playbook.get("summary", ""),
        "value_propositions": [
            {
                "key": item["key"],
                "about": item["about"],
                "title": item["title"],
                "statement": item["statement"],
                "proof_points": list(item.get("proof_points", [])),
            }
            for item in playbook.get("value_propositions", [])
        ],
        "glossary": [
            {"term": item["term"], "definition": item["definition"]}
            for item in playbook.get("glossary", [])
        ],
        "communication_model": [
            {
                "key": step["key"],
                "name": step["name"],
                "purpose": step["purpose"],
                "what_to_do": list(step.get("what_to_do", [])),
                "crp_phrases": list(step.get("crp_phrases", [])),
                "sales_phrases": list(step.get("sales_phrases", [])),
                "observable_behaviour": step["observable_behaviour"],
            }
            for step in playbook.get("communication_model", [])
        ],
    }


DEFAULT_PASS_MARK = 80


def _normalise_curriculum(curriculum: dict) -> dict:
    return {
        "key": curriculum["key"],
        "title": curriculum["title"],
        "description": curriculum.get("description", ""),
        "pass_mark": int(curriculum.get("pass_mark", DEFAULT_PASS_MARK)),
        "modules": [
            {
                "key": module["key"],
                "title": module["title"],
                "summary": module.get("summary", ""),
                "lessons": [_normalise_lesson(lesson) for lesson in module["lessons"]],
            }
            for module in curriculum["modules"]
        ],
    }


def _normalise_lesson(lesson: dict) -> dict:
    return {
        "key": lesson["key"],
        "title": lesson["title"],
        "objective": lesson["objective"],
        "minutes": int(lesson["minutes"]),
        "body": lesson["body"],
        "questions": [
            {
                "key": question["key"],
                "skill": question["skill"],
                "role": question["role"],
                "scenario": question["scenario"],
                "options": [
                    {
                        "text": option["text"],
                        "correct": option["correct"],
                        "feedback": option["feedback"],
                    }
                    for option in question["options"]
                ],
            }
            for question in lesson.get("questions", [])
        ],
    }
