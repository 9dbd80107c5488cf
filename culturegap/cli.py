"""The ``culturegap`` console script: the project's manage.py."""

import os
import sys

# Commands meant for a laptop: they run with development defaults unless told otherwise.
_DEVELOPMENT_COMMANDS = {"demo", "runserver"}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "culturegap"
    if len(argv) > 1 and argv[1] in _DEVELOPMENT_COMMANDS:
        os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "culturegap.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
