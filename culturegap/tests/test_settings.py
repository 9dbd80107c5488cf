"""Settings come from the environment, and production settings pass ``check --deploy``."""

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#kq!2vLm9@pZr4&Tn8$Wb3^Yc6*Hd1(Jf5)Gs0-Ae+Uo=Ri~Ek",
    "ALLOWED_HOSTS": "culturegap.example.com",
    "DATABASE_URL": "sqlite:////tmp/culturegap-deploy-check.sqlite3",
}


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment never has it.
    inherited = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    clean |= {"DJANGO_SETTINGS_MODULE": "culturegap.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], "
    "s.ALLOWED_HOSTS, s.EMAIL_BACKEND)"
)


def test_database_url_selects_postgresql():
    result = _run(SHOW, DEBUG="1", DATABASE_URL="postgres://someone@db.internal:5432/culture")
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql culture" in result.stdout


def test_default_database_is_a_sqlite_file_under_the_data_folder(tmp_path):
    result = _run(SHOW, DEBUG="1", CULTUREGAP_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert f"sqlite3 {tmp_path}/culturegap.sqlite3" in result.stdout


def test_email_url_selects_smtp():
    result = _run(SHOW, DEBUG="1", EMAIL_URL="smtp://mailer:secret@mail.example.com:587")
    assert "django.core.mail.backends.smtp.EmailBackend" in result.stdout


def test_console_email_by_default():
    result = _run(SHOW, DEBUG="1")
    assert "django.core.mail.backends.console.EmailBackend" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _run(SHOW, DEBUG="0", ALLOWED_HOSTS="x.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_allowed_hosts_from_environment():
    result = _run(SHOW, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "False" in result.stdout and "['culturegap.example.com']" in result.stdout


@pytest.mark.timeout_heavy
def test_production_settings_pass_check_deploy_without_warnings():
    code = (
        "import sys; from culturegap.cli import main; "
        "main(['culturegap', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = _run(code, **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
