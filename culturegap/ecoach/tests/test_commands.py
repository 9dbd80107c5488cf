"""``culturegap ecoach_index``."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from culturegap.ecoach.models import KnowledgeIndexVersion
from culturegap.training.packs import import_starter_pack


def test_it_builds_stores_and_evaluates_an_index(capsys, company):
    assert import_starter_pack(company=company).ok
    call_command("ecoach_index", "--company", company.slug, "--evaluate")
    out = capsys.readouterr().out
    row = KnowledgeIndexVersion.objects.get(company=company)
    assert row.built_version == row.version and row.passage_count > 150
    assert f"{company.slug}: version {row.version}" in out
    assert "recall@3 = 0.8" in out and "threshold 0.40" in out


def test_an_unknown_company_is_an_error(db):
    with pytest.raises(CommandError, match="--company"):
        call_command("ecoach_index", "--company", "nobody")
