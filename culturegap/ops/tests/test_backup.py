"""Backup and restore: a round trip of a small demo company loses nothing."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from culturegap.demo.company import seed_demo_company
from culturegap.ops.backup import BackupError, backup, restore, table_checksums
from culturegap.org.models import Company, CustomerService, Person

pytestmark = [pytest.mark.timeout_heavy, pytest.mark.django_db(transaction=True)]


def _by_table():
    return {t.table: (t.rows, t.checksum) for t in table_checksums()}


def test_round_trip_of_the_demo_company_keeps_every_row(tmp_path):
    seed_demo_company(people=25, customers=60, seed=3, progress=False)
    before = _by_table()
    assert before["org_person"][0] == 25
    file = tmp_path / "culturegap.backup"
    backup(file)

    # Change the database after the backup: new names, the services customers buy gone.
    Person.objects.update(name="Changed")
    CustomerService.objects.all()._raw_delete(connection.alias)
    changed = _by_table()
    assert changed["org_customerservice"][0] == 0
    assert changed["org_person"] != before["org_person"]

    restore(file)
    after = _by_table()
    assert after == before
    assert after["org_customerservice"][0] > 0


def test_checksum_sees_a_changed_value(company, staff):
    before = _by_table()
    Person.objects.filter(pk=staff["crp"].pk).update(name="Someone Else")
    after = _by_table()
    assert after["org_person"][0] == before["org_person"][0]
    assert after["org_person"][1] != before["org_person"][1]
    assert {t: v for t, v in after.items() if t != "org_person"} == {
        t: v for t, v in before.items() if t != "org_person"
    }


def test_commands_round_trip(tmp_path, company, staff, capsys):
    file = tmp_path / "site.backup"
    call_command("backup", str(file))
    call_command("checksum")
    before = capsys.readouterr().out.splitlines()[1:]
    assert any(line.startswith("org_person ") and " 5 " in f" {line} " for line in before)
    Person.objects.update(name="Changed")
    call_command("restore", str(file), interactive=False)
    assert capsys.readouterr().out.startswith("Restored from")
    call_command("checksum")
    assert capsys.readouterr().out.splitlines() == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, company):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    with pytest.raises(BackupError, match="is not a"):
        restore(bogus)
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing"), interactive=False)
    assert Company.objects.filter(pk=company.pk).exists()


def test_postgresql_backup_needs_a_matching_pg_dump(tmp_path, company, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is only used for PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump is not installed"):
        backup(tmp_path / "x.backup")
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    with pytest.raises(BackupError, match="pg_dump is version 9 but the server is PostgreSQL"):
        backup(tmp_path / "x.backup")
    assert not Path(tmp_path / "x.backup").exists()
