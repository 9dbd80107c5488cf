"""The ``culturegap`` console script: the project's manage.py, plus ``serve`` for production."""

import os
import sys

# Commands meant for a laptop: they run with development defaults unless told otherwise.
_DEVELOPMENT_COMMANDS = {"demo", "runserver"}


def serve(args: list[str]) -> None:
    """Collect static files, then hand the process over to gunicorn.

    Extra arguments go to gunicorn (``culturegap serve --bind 0.0.0.0:8000 --workers 4``);
    without ``--bind`` it listens on ``$PORT`` (default 8000) on all interfaces.
    """
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)
    gunicorn_args = ["gunicorn", "culturegap.wsgi:application", "--access-logfile", "-"]
    if not any(a == "--bind" or a.startswith(("--bind=", "-b")) for a in args):
        gunicorn_args += ["--bind", f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
    if not any(a == "--workers" or a.startswith(("--workers=", "-w")) for a in args):
        gunicorn_args += ["--workers", os.environ.get("WEB_CONCURRENCY", "3")]
    os.execvp(sys.executable, [sys.executable, "-m", *gunicorn_args, *args])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "culturegap"
    if len(argv) > 1 and argv[1] in _DEVELOPMENT_COMMANDS:
        os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "culturegap.settings")
    if len(argv) > 1 and argv[1] == "serve":
        serve(argv[2:])
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
