"""Benchmark of `flask --app planner allocation export synthetic` (and `--current`) at 100,000
applications: the whole command, start-up included, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.allocation_export [--pg postgresql://postgres@127.0.0.1:5432/test] [--skip-pg]

Each backend gets a fresh database, `synthetic-data --exhibitions 1000 --companies 25000
--applications 100000 --seed 1` and a published `allocation run synthetic`; then each export
runs three times and the fastest is reported, with its CPU time (user + system), since on a
shared machine wall time also counts waiting for the CPU. Target: under 2 s. Reported, not
asserted in the test suite (no timed tests there).
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.allocation_run import _flask, _postgres_database, database_arguments  # noqa: E402

SYNTHETIC = ["synthetic-data", "--exhibitions", "1000", "--companies", "25000",
             "--applications", "100000", "--seed", "1"]
TARGET_SECONDS = 2.0
TRIES = 3


def _measure(url: str) -> dict[str, object]:
    _flask(["db", "upgrade"], url)
    _flask(SYNTHETIC, url)
    _flask(["allocation", "run", "synthetic"], url)
    results: dict[str, object] = {}
    for label, args in (("export", []), ("export --current", ["--current"])):
        tries = [_flask(["allocation", "export", "synthetic", *args], url) for _ in range(TRIES)]
        wall, cpu, out = min(tries, key=lambda t: t[0])
        results[label] = (wall, cpu, len(out.encode()))
    return results


def main(argv: list[str] | None = None) -> int:
    args = database_arguments(__doc__, argv, __name__)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("SQLite", _measure(f"sqlite:///{tmp}/bench.sqlite")))
    if not args.skip_pg:
        with _postgres_database(args.pg) as url:
            rows.append(("PostgreSQL", _measure(url)))
    print("| database | command | wall (best of 3) | CPU (user+sys) | output | target |")
    print("| --- | --- | ---: | ---: | ---: | --- |")
    ok = True
    for name, results in rows:
        for label, (wall, cpu, size) in results.items():  # type: ignore[attr-defined]
            within = wall < TARGET_SECONDS
            ok = ok and within
            print(f"| {name} | `allocation {label} synthetic` | {wall:.2f} s | {cpu:.2f} s | "
                  f"{size / 1e6:.1f} MB | < {TARGET_SECONDS:.0f} s {'✓' if within else '✗'} |")
    print(f"\n100,000 applications, 25,000 companies, 1,000 exhibitions (synthetic-data --seed 1); "
          f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
