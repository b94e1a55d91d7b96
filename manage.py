#!/usr/bin/env python3
"""One entry point for a fresh clone that has only Python.

    python3 manage.py serve    install into .venv, build the database, load demo data, serve
    python3 manage.py test     install into .venv (with test extras) and run the whole suite
    python3 manage.py bench    run the benchmarks under bench/
    python3 manage.py install  only install into .venv (with test extras), as `test` does

Extra arguments after `test` go to pytest (e.g. `-m "not browser"`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def install(extras: str = "") -> None:
    if not PY.exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed{extras}"
    pyproject = ROOT / "pyproject.toml"
    if stamp.exists() and stamp.stat().st_mtime >= pyproject.stat().st_mtime:
        return
    print("Installing dependencies …", flush=True)
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", f".{extras}")
    stamp.touch()


def flask(*args: str) -> None:
    run(BIN / "flask", "--app", "planner", *args)


def serve(argv: list[str]) -> None:
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "5000")
    # Links in emails and feeds must point at the server we are about to start (same host as
    # the browser, so the session cookie applies), not at the default http://localhost:5000.
    link_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    os.environ.setdefault("SITE_URL", f"http://{link_host}:{port}")
    install()
    flask("db", "upgrade")
    flask("demo-data")
    print(f"Serving on http://{host}:{port}", flush=True)
    flask("run", "--host", host, "--port", port, *argv)


def test(argv: list[str]) -> None:
    install("[test]")
    run(PY, "-m", "pytest", *argv)


def bench(argv: list[str]) -> None:
    install("[test]")
    run(PY, "bench/run.py", *argv)


def install_only(argv: list[str]) -> None:
    install("[test]")


COMMANDS = {"serve": serve, "test": test, "bench": bench, "install": install_only}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])
