"""Benchmark of the whole `flask --app planner allocation run synthetic` command, database
writes included, on a synthetic-data database of 20,000 applications: SQLite and PostgreSQL.

    .venv/bin/python -m bench.allocation_run [--pg postgresql://postgres@127.0.0.1:5432/test]

Each backend gets a fresh database (a temporary SQLite file; a PostgreSQL database created on
the server and dropped afterwards), `flask db upgrade`, then `synthetic-data --exhibitions 300
--companies 5000 --applications 20000 --seed 1`, then the timed run. Prints a Markdown table with
wall time and the command's CPU time (user + system), since on a shared machine wall time also
counts waiting for the CPU. Target: under 10 s each.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "planner"]
SYNTHETIC = ["synthetic-data", "--exhibitions", "300", "--companies", "5000",
             "--applications", "20000", "--seed", "1"]
TARGET_SECONDS = 10.0


def _flask(args: list[str], url: str) -> tuple[float, float, str]:
    """Run a flask command against `url`; returns (wall s, CPU s, stdout)."""
    env = dict(os.environ, DATABASE_URL=url, PYTHONWARNINGS="ignore")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(FLASK + args, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def _prepare(url: str) -> None:
    _flask(["db", "upgrade"], url)
    # Tables whose migration is still pending in the work tree are created from the models, so
    # the benchmark measures the allocation and not the state of the migrations.
    env = dict(os.environ, DATABASE_URL=url)
    subprocess.run([sys.executable, "-c", "from planner import create_app\n"
                    "from planner.extensions import db\n"
                    "app = create_app()\n"
                    "with app.app_context(): db.create_all()"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    _flask(SYNTHETIC, url)


def _measure(url: str) -> dict[str, object]:
    _prepare(url)
    # The seed is the one the system drew when the applications closed (none can be chosen).
    wall, cpu, out = _flask(["allocation", "run", "synthetic"], url)
    summary = out.strip().splitlines()[-1]
    export_wall, _cpu, exported = _flask(["allocation", "export", "synthetic"], url)
    return {"wall": wall, "cpu": cpu, "summary": summary, "export_wall": export_wall,
            "export_bytes": len(exported)}


def _sqlite() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        return _measure(f"sqlite:///{tmp}/bench.sqlite")


@contextmanager
def _postgres_database(server: str) -> Iterator[str]:
    """A new database on the PostgreSQL server `server`, dropped afterwards; yields its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    admin_url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"planner_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _postgres(server: str) -> dict[str, object]:
    with _postgres_database(server) as url:
        return _measure(url)


def database_arguments(doc: str, argv: list[str] | None, name: str) -> argparse.Namespace:
    """--pg and --skip-pg of the allocation benchmarks. Called by bench/run.py (`name` is not
    "__main__"), whose own arguments name benchmarks: the defaults then."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="PostgreSQL server URL (a database is created and dropped on it)")
    parser.add_argument("--skip-pg", action="store_true")
    return parser.parse_args(argv if argv is not None or name == "__main__" else [])


def main(argv: list[str] | None = None) -> int:
    args = database_arguments(__doc__, argv, __name__)
    rows = [("SQLite", _sqlite())]
    if not args.skip_pg:
        rows.append(("PostgreSQL", _postgres(args.pg)))
    print("| database | `allocation run synthetic` wall | CPU (user+sys) | target | export wall | result |")
    print("| --- | ---: | ---: | --- | ---: | --- |")
    ok = True
    for name, r in rows:
        within = r["wall"] < TARGET_SECONDS
        ok = ok and within
        print(f"| {name} | {r['wall']:.2f} s | {r['cpu']:.2f} s | < {TARGET_SECONDS:.0f} s "
              f"{'✓' if within else '✗'} | {r['export_wall']:.2f} s | {r['summary']} |")
    print(f"\n20,000 applications, 5,000 companies, 300 exhibitions (synthetic-data --seed 1); "
          f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
