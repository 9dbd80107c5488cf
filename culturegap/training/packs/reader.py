"""Reading a content pack file: decode, parse, check against the schema and the content rules.

Nothing here touches the database. ``read_pack`` turns the bytes of a YAML or JSON file into the
normalised pack (every optional field filled in, in a fixed order) or a list of problems, each
naming where it is in the file (``curricula[0].modules[2].lessons[0].questions[3].options``) and,
for YAML, the line. It never raises on bad input: whatever the bytes, the answer is a pack or
errors.
"""

import json
import re
from collections.abc import Collection
from typing import Any

import yaml

from culturegap.training.packs.errors import PackError, PathElements, ReadingStopped, format_path
from culturegap.training.packs.normal_form import normalise_pack
from culturegap.training.packs.schema import FORMAT, SCHEMA_PATH, pack_schema
from culturegap.training.packs.validation import check_document

# The importer, the exporter and the package take the format's names from here, with read_pack.
__all__ = [
    "FORMAT",
    "SCHEMA_PATH",
    "PackError",
    "format_path",
    "normalise_pack",
    "pack_schema",
    "read_pack",
]


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
    except ReadingStopped as problem:
        return None, [problem.error]
    except RecursionError:
        return None, [too_deep]
    try:
        errors = check_document(document, fallback_skills=fallback_skills)
    except ReadingStopped as problem:
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


# ---------------------------------------------------------------------------------------------
# Decoding and parsing


def _parse(data: bytes | str, *, filename: str):
    """The parsed document and a function giving the line of a path (None when unknown)."""
    if isinstance(data, bytes):
        if not data.strip():
            raise ReadingStopped(PackError("", "The file is empty."))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise ReadingStopped(
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
        raise ReadingStopped(PackError("", "The file is empty."))
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
        raise ReadingStopped(
            PackError(
                "",
                f"Not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
                error.lineno,
            )
        ) from None
    except ValueError as error:
        raise ReadingStopped(PackError("", f"Not valid JSON: {error}.")) from None
    if duplicates:
        names = ", ".join(f"“{name}”" for name in dict.fromkeys(duplicates))
        raise ReadingStopped(PackError("", f"A field appears twice in the same object: {names}."))
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
        raise ReadingStopped(
            PackError(
                "", f"Not valid YAML at line {line}, column {column}: {_ALIAS_PROBLEM}.", line
            )
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "cannot be read"
        if mark is None:
            raise ReadingStopped(PackError("", f"Not valid YAML: {problem}.")) from None
        line, column = mark.line + 1, mark.column + 1
        raise ReadingStopped(
            PackError("", f"Not valid YAML at line {line}, column {column}: {problem}.", line)
        ) from None
    except yaml.reader.ReaderError as error:
        # libyaml counts the position in bytes of UTF-8, PyYAML in characters.
        in_bytes = isinstance(loader, _PackLoader) and _SafeLoader is not yaml.SafeLoader
        before = text.encode("utf-8", "replace") if in_bytes else text
        line = before[: error.position].count("\n" if isinstance(before, str) else b"\n") + 1
        raise ReadingStopped(
            PackError(
                "",
                f"Not valid YAML: the control character {_code_point(error.character)} on line "
                f"{line} is not allowed in a YAML file.",
                line,
            )
        ) from None
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        # A value YAML recognises but cannot build, such as an explicitly tagged bad date.
        raise ReadingStopped(PackError("", f"Not valid YAML: {error}.")) from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise ReadingStopped(PackError("", "The file is empty."))

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
