"""Tests of reading a content pack: every kind of bad pack names its place in the file and writes
nothing; whatever the bytes, the reader answers with a pack or errors and never raises."""

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from culturegap.language.models import Playbook
from culturegap.language.tests.factories import CommunicationStepFactory, PlaybookFactory
from culturegap.training.models import ContentPack, Curriculum, Question
from culturegap.training.packs import import_pack, normalise_pack, read_pack
from culturegap.training.tests.pack_samples import as_json, as_yaml, small_pack

LESSON = "curricula[0].modules[0].lessons[0]"
QUESTION = f"{LESSON}.questions[0]"


def errors_of(pack_or_bytes, filename="pack.yaml", **kwargs):
    data = pack_or_bytes if isinstance(pack_or_bytes, bytes) else as_yaml(pack_or_bytes)
    pack, errors = read_pack(data, filename=filename, **kwargs)
    assert pack is None
    return errors


def paths(errors) -> list[str]:
    return [error.path for error in errors]


@pytest.fixture
def nothing_written(db):
    """Asserts, after the test, that no content of any kind was written."""
    yield
    assert not Curriculum.objects.exists()
    assert not Question.objects.exists()
    assert not Playbook.objects.exists()
    assert not ContentPack.objects.exists()


def import_bad(company, data: bytes, filename="pack.yaml"):
    result = import_pack(company=company, data=data, filename=filename)
    assert not result.ok
    return result.errors


def test_small_pack_reads_to_its_normal_form():
    pack, errors = read_pack(as_yaml(small_pack()), filename="small.yaml")

    assert errors == []
    assert pack == small_pack()


def test_json_and_yaml_read_the_same():
    from_yaml, _ = read_pack(as_yaml(small_pack()), filename="small.yaml")
    from_json, _ = read_pack(as_json(small_pack()), filename="small.json")

    assert from_yaml == from_json == small_pack()


def test_optional_fields_are_filled_in():
    pack = small_pack()
    del pack["description"]
    del pack["curricula"][0]["pass_mark"]
    del pack["curricula"][0]["modules"][1]["summary"]
    del pack["playbook"]["communication_model"][0]["what_to_do"]

    normal, errors = read_pack(as_yaml(pack))

    assert errors == []
    assert normal["description"] == ""
    assert normal["curricula"][0]["pass_mark"] == 80
    assert normal["curricula"][0]["modules"][1]["summary"] == ""
    assert normal["playbook"]["communication_model"][0]["what_to_do"] == []


def test_yaml_syntax_error_names_line_and_column(company, nothing_written):
    data = b"format: culturegap-pack/1\nkey: small\ntitle: [not closed\ncurricula: []\n"

    [error] = import_bad(company, data)

    assert error.path == ""
    assert error.line == 4
    assert "line 4, column" in error.message


def test_json_syntax_error_names_line_and_column(company, nothing_written):
    data = b'{\n  "format": "culturegap-pack/1",\n  "key": "small",\n  "title": oops\n}\n'

    [error] = import_bad(company, data, filename="pack.json")

    assert error.line == 4
    assert "line 4, column 12" in error.message


def test_unknown_format_is_refused(company, nothing_written):
    pack = small_pack()
    pack["format"] = "culturegap-pack/2"

    [error] = import_bad(company, as_yaml(pack))

    assert error.path == "format"
    assert error.line == 1
    assert "culturegap-pack/2" in error.message and "culturegap-pack/1" in error.message


def test_missing_format_is_refused(company, nothing_written):
    pack = small_pack()
    del pack["format"]

    [error] = import_bad(company, as_yaml(pack))

    assert error.path == "format"
    assert "missing" in error.message


def test_missing_field_is_named(company, nothing_written):
    pack = small_pack()
    del pack["curricula"][0]["modules"][0]["lessons"][0]["title"]

    [error] = import_bad(company, as_yaml(pack))

    assert error.path == f"{LESSON}.title"
    assert "missing" in error.message
    assert error.line is not None


def test_wrong_type_is_named(company, nothing_written):
    pack = small_pack()
    pack["curricula"][0]["modules"][0]["lessons"][0]["minutes"] = "three"

    [error] = import_bad(company, as_yaml(pack))

    assert error.path == f"{LESSON}.minutes"
    assert "whole number" in error.message


def test_text_written_as_a_yaml_boolean_gets_a_hint():
    data = as_yaml(small_pack()).replace(b"title: Module one", b"title: no")

    [error] = errors_of(data)

    assert error.path == "curricula[0].modules[0].title"
    assert "quotes" in error.message


def test_two_correct_options_are_refused(company, nothing_written):
    pack = small_pack()
    pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]["options"][0]["correct"] = True

    [error] = import_bad(company, as_yaml(pack))

    assert error.path == f"{QUESTION}.options"
    assert "2 options are marked correct" in error.message


def test_no_correct_option_is_refused(company, nothing_written):
    pack = small_pack()
    pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]["options"][1]["correct"] = (
        False
    )

    [error] = import_bad(company, as_yaml(pack))

    assert error.path == f"{QUESTION}.options"
    assert "no option is marked correct" in error.message


@pytest.mark.parametrize("count", [1, 7])
def test_a_question_has_two_to_six_options(count):
    pack = small_pack()
    question = pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]
    question["options"] = [
        {"text": f"Option {n}", "correct": n == 0, "feedback": "Because."} for n in range(count)
    ]

    [error] = errors_of(pack)

    assert error.path == f"{QUESTION}.options"
    assert "2 to 6 options" in error.message


def test_unknown_skill_is_refused(company, nothing_written):
    pack = small_pack()
    pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]["skill"] = "haggle"

    [error] = import_bad(company, as_yaml(pack))

    assert error.path == f"{QUESTION}.skill"
    assert "haggle" in error.message and "open" in error.message


@pytest.mark.parametrize(
    "change, path, what",
    [
        (
            lambda p: p["curricula"][0]["modules"][1].update(key="m1"),
            "curricula[0].modules[1].key",
            "module key",
        ),
        (
            lambda p: p["curricula"][0]["modules"][1]["lessons"][0].update(key="l1"),
            "curricula[0].modules[1].lessons[0].key",
            "lesson key",
        ),
        (
            lambda p: p["curricula"][0]["modules"][1]["lessons"][0]["questions"][0].update(
                key="q1"
            ),
            "curricula[0].modules[1].lessons[0].questions[0].key",
            "question key",
        ),
        (
            lambda p: p["playbook"]["communication_model"][1].update(key="open"),
            "playbook.communication_model[1].key",
            "key",
        ),
        (
            lambda p: p["curricula"].append(copy.deepcopy(p["curricula"][0])),
            "curricula[1].key",
            "curriculum key",
        ),
    ],
    ids=["module", "lesson-across-modules", "question-across-lessons", "step", "curriculum"],
)
def test_duplicate_keys_are_refused(company, nothing_written, change, path, what):
    pack = small_pack()
    change(pack)

    errors = import_bad(company, as_yaml(pack))

    duplicate = [error for error in errors if "used twice" in error.message]
    assert [error.path for error in duplicate] == [path]
    assert f"the {what} " in duplicate[0].message


def test_non_utf8_bytes_are_refused(company, nothing_written):
    data = as_yaml(small_pack()).replace(b"Lesson one", b"Le\xe7on one")

    [error] = import_bad(company, data)

    assert "not UTF-8" in error.message
    assert error.line == data[: data.index(b"\xe7")].count(b"\n") + 1


@pytest.mark.parametrize("data", [b"", b"  \n\n", b"# only a comment\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(company, nothing_written, data):
    [error] = import_bad(company, data)

    assert "empty" in error.message


@pytest.mark.parametrize("data", [b"- a list\n", b"just text\n", b"42\n"])
def test_the_top_must_be_a_mapping(company, nothing_written, data):
    [error] = import_bad(company, data)

    assert error.path == ""
    assert "mapping" in error.message


def test_every_problem_is_listed_at_once(company, nothing_written):
    pack = small_pack()
    lesson = pack["curricula"][0]["modules"][0]["lessons"][0]
    lesson["minutes"] = 20
    lesson["questions"][1]["options"][1]["correct"] = False
    pack["curricula"][0]["pass_mark"] = 101
    pack["curricula"][0]["modules"][1]["colour"] = "blue"

    errors = import_bad(company, as_yaml(pack))

    assert sorted(paths(errors)) == sorted(
        [
            "curricula[0].pass_mark",
            f"{LESSON}.minutes",
            f"{LESSON}.questions[1].options",
            "curricula[0].modules[1].colour",
        ]
    )
    # In the order of the file.
    assert [e.line for e in errors] == sorted(e.line for e in errors)
    assert "between 1 and 15" in next(e.message for e in errors if e.path.endswith("minutes"))
    assert "unknown field" in next(e.message for e in errors if e.path.endswith("colour"))


def test_a_field_twice_in_one_mapping_is_refused():
    data = as_yaml(small_pack()).replace(b"key: small\n", b"key: small\nkey: again\n")

    [error] = errors_of(data)

    assert "appears twice" in error.message and error.line == 3


def test_yaml_aliases_are_refused():
    data = b"format: culturegap-pack/1\nkey: &k small\ntitle: *k\n"

    [error] = errors_of(data)

    assert "alias" in error.message and error.line == 3


def test_a_key_with_a_space_is_refused():
    pack = small_pack()
    pack["curricula"][0]["modules"][0]["key"] = "module one"

    [error] = errors_of(pack)

    assert error.path == "curricula[0].modules[0].key"
    assert "letters, digits, hyphens" in error.message


def test_text_with_a_nul_character_is_refused():
    pack = small_pack()
    pack["title"] = "A\x00pack"

    [error] = errors_of(as_json(pack), filename="pack.json")

    assert error.path == "title"


def test_dates_stay_text():
    pack = small_pack()
    pack["curricula"][0]["title"] = "2024-01-01"

    normal, errors = read_pack(as_yaml(pack).replace(b"'2024-01-01'", b"2024-01-01"))

    assert errors == []
    assert normal["curricula"][0]["title"] == "2024-01-01"


def test_a_pack_without_playbook_uses_the_published_skills(company):
    pack = small_pack()
    del pack["playbook"]
    playbook = PlaybookFactory(company=company)
    CommunicationStepFactory(playbook=playbook, key="open")

    errors = errors_of(pack, fallback_skills={"open"})

    assert paths(errors) == [
        "curricula[0].modules[0].lessons[1].questions[0].skill",
        "curricula[0].modules[1].lessons[0].questions[0].skill",
    ]
    assert "published playbook" in errors[0].message
    CommunicationStepFactory(playbook=playbook, key="discover")
    assert import_pack(company=company, data=as_yaml(pack), filename="p.yaml").ok


def test_normal_form_is_stable():
    once, _ = read_pack(as_yaml(small_pack()))
    assert normalise_pack(once) == once


# --- Whatever the input, an answer and never an exception ----------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300), json_file=st.booleans())
def test_arbitrary_bytes_never_raise(data, json_file):
    pack, errors = read_pack(data, filename="f.json" if json_file else "f.yaml")
    assert (pack is None) == bool(errors)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_never_raises(text):
    for data in (text, text.encode("utf-8", "surrogatepass")):
        pack, errors = read_pack(data, filename="f.yaml")
        assert (pack is None) == bool(errors)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_json_values, where=st.sampled_from(["top", "lesson", "question", "playbook"]))
def test_arbitrary_values_in_a_pack_never_raise(value, where):
    pack = small_pack()
    lesson = pack["curricula"][0]["modules"][0]["lessons"][0]
    if where == "top":
        pack["curricula"] = value
    elif where == "lesson":
        lesson["questions"] = value
    elif where == "question":
        lesson["questions"][0]["options"] = value
    else:
        pack["playbook"] = value
    for data, filename in ((as_yaml(pack), "f.yaml"), (as_json(pack), "f.json")):
        result, errors = read_pack(data, filename=filename)
        assert (result is None) == bool(errors)
        assert all(isinstance(error.message, str) and error.message for error in errors)


@pytest.mark.parametrize(
    "data",
    [
        b"- " * 50_000 + b"x",
        b"[" * 50_000 + b"]" * 50_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    ],
    ids=["block", "flow", "json-like"],
)
@pytest.mark.parametrize("filename", ["deep.yaml", "deep.json"])
def test_very_deep_nesting_is_an_error_not_a_crash(data, filename):
    [error] = errors_of(data, filename=filename)

    assert error.message


def test_the_documented_example_is_a_valid_pack():
    docs = Path(__file__).resolve().parents[3] / "docs" / "content-packs.md"
    example = docs.read_text(encoding="utf-8").rsplit("```yaml\n", 1)[1].split("```", 1)[0]

    pack, errors = read_pack(example.encode("utf-8"), filename="example.yaml")

    assert errors == []
    assert pack["curricula"][0]["modules"][0]["lessons"][0]["questions"][0]["skill"] == "discover"


def test_a_pack_without_playbook_for_a_company_without_one_says_so():
    pack = small_pack()
    del pack["playbook"]

    errors = errors_of(pack, fallback_skills=set())

    assert len(errors) == 4
    assert "has no steps" in errors[0].message and "add a playbook" in errors[0].message
