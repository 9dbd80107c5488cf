#!/usr/bin/env python3
"""The two front-door commands of culturegap, needing only Python 3.11+.

    python3 dev.py demo    install into .venv, load the demo company, serve on 127.0.0.1:8000
    python3 dev.py test    install into .venv (with test tools) and run the whole test suite,
                           one worker process per CPU core (``-n 0`` runs it in this process)

Extra arguments go to the underlying command (``python3 dev.py test -k imports``).
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".culturegap-installed"


def _python() -> str:
    return str(BIN / "python")


def ensure_installed() -> None:
    """Create .venv and install the project with its test tools, again when pyproject changes."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before anything is installed
        sys.exit("culturegap needs Python 3.11 or newer.")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("Installing culturegap and its dependencies (first run only) …", flush=True)
    pip = [_python(), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def _pytest_args(rest: list[str]) -> list[str]:
    """``rest`` with the suite spread over one worker per core, unless ``rest`` says how many
    workers to use, turns xdist off, or asks for the debugger (which needs a single process).

    Each worker gets its own test database (pytest-django adds the worker's id to its name),
    and ``worksteal`` hands a worker still busy with browser tests' share to an idle one."""
    own_choice = ("-n", "--numprocesses", "--dist", "--pdb", "--trace")
    if any(arg.startswith(own_choice) for arg in rest) or "no:xdist" in rest:
        return rest
    return ["-n", "auto", "--dist", "worksteal", *rest]


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test", "setup"}:
        sys.exit(__doc__)
    command, rest = sys.argv[1], sys.argv[2:]
    ensure_installed()
    os.chdir(ROOT)
    if command == "setup":
        return
    if command == "demo":
        args = [str(BIN / "culturegap"), "demo", *rest]
    else:
        args = [_python(), "-m", "pytest", *_pytest_args(rest)]
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
