"""Tests of the import_pack and export_pack commands."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from culturegap.training.models import Curriculum, Question
from culturegap.training.packs import STARTER_PACK, read_pack
from culturegap.training.tests.pack_samples import as_yaml, small_pack


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def pack_file(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_bytes(as_yaml(small_pack()))
    return path


def test_import_prints_the_counts(company, pack_file):
    out, _ = run("import_pack", str(pack_file))

    assert "Acme Advisers" in out
    assert "10 created" in out  # a curriculum, two modules, three lessons, four questions
    assert "questions: 4 created" in out
    assert "published as version 1" in out
    assert Question.objects.filter(company=company).count() == 4


def test_importing_again_reports_unchanged(company, pack_file):
    run("import_pack", str(pack_file))

    out, _ = run("import_pack", str(pack_file), "--company", "acme")

    assert "0 created, 0 updated, 10 unchanged, 0 deleted" in out


def test_a_bad_pack_exits_with_every_error_and_writes_nothing(company, tmp_path):
    pack = small_pack()
    lesson = pack["curricula"][0]["modules"][0]["lessons"][0]
    lesson["questions"][0]["skill"] = "haggle"
    lesson["minutes"] = 0
    path = tmp_path / "bad.yaml"
    path.write_bytes(as_yaml(pack))
    err = io.StringIO()

    with pytest.raises(CommandError, match="2 problem") as raised:
        call_command("import_pack", str(path), stderr=err)

    assert raised.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert any(line.startswith("curricula[0].modules[0].lessons[0].minutes") for line in lines)
    assert any(
        line.startswith("curricula[0].modules[0].lessons[0].questions[0].skill") for line in lines
    )
    assert not Curriculum.objects.exists()


def test_the_starter_pack_imports_with_one_flag(company):
    out, _ = run("import_pack", "--starter")

    starter, _ = read_pack(STARTER_PACK.read_bytes())
    assert Curriculum.objects.get(company=company).key == starter["curricula"][0]["key"]
    assert "published as version 1" in out


def test_file_or_starter_but_not_both(company, pack_file):
    with pytest.raises(CommandError, match="either"):
        run("import_pack")
    with pytest.raises(CommandError, match="either"):
        run("import_pack", str(pack_file), "--starter")


def test_the_company_must_be_named_when_there_are_several(company, other_company, pack_file):
    with pytest.raises(CommandError, match="--company"):
        run("import_pack", str(pack_file))
    with pytest.raises(CommandError, match="No company with slug 'nope'"):
        run("import_pack", str(pack_file), "--company", "nope")

    run("import_pack", str(pack_file), "--company", "other")
    assert Curriculum.objects.filter(company=other_company).exists()
    assert not Curriculum.objects.filter(company=company).exists()


def test_an_unreadable_file_is_an_error(company, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_pack", str(tmp_path / "missing.yaml"))


def test_publish_flag_publishes_a_changed_playbook(company, pack_file, tmp_path):
    run("import_pack", str(pack_file))
    pack = small_pack()
    pack["playbook"]["title"] = "Our conversation, second edition"
    changed = tmp_path / "changed.yaml"
    changed.write_bytes(as_yaml(pack))

    out, _ = run("import_pack", str(changed), "--publish")

    assert "published as version 2 (version 1 archived)" in out


@pytest.mark.parametrize("name", ["out.yaml", "out.json"])
def test_export_then_import_changes_nothing(company, pack_file, tmp_path, name):
    run("import_pack", str(pack_file))
    target = tmp_path / name

    out, _ = run("export_pack", str(target))

    assert f"wrote {target}" in out
    exported, errors = read_pack(target.read_bytes(), filename=name)
    assert errors == [] and exported == small_pack()
    again, _ = run("import_pack", str(target))
    assert "0 created, 0 updated, 10 unchanged" in again


def test_export_of_one_curriculum_to_standard_output(company, pack_file):
    run("import_pack", str(pack_file))

    out, _ = run("export_pack", "-", "--curriculum", "basics", "--no-playbook")

    pack, errors = read_pack(out.encode(), fallback_skills={"open", "discover"})
    assert errors == []
    assert "playbook" not in pack and [c["key"] for c in pack["curricula"]] == ["basics"]
    with pytest.raises(CommandError, match="no curriculum with key nope"):
        run("export_pack", "-", "--curriculum", "nope")
