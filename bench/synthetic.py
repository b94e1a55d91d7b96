"""Benchmark: generating 5,000 synthetic exhibitions (planner/catalogue/synthetic.py), the
catalogue the HTTP benchmarks load. Reported, not asserted: the suite has no timed tests,
since a busy shared machine made them fail for reasons unrelated to the code.

    .venv/bin/python -m bench.synthetic        (or: python3 manage.py bench synthetic)

BENCH_DATABASE_URL measures on another database (default: a temporary SQLite file).
"""
from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from planner import create_app  # noqa: E402
from planner.catalogue.models import Exhibition, ExhibitionSector  # noqa: E402
from planner.catalogue.synthetic import make_exhibitions  # noqa: E402
from planner.extensions import db  # noqa: E402

COUNT = 5000
TARGET_SECONDS = 10.0
TODAY = dt.date(2026, 11, 22)


def measure(database_url: str) -> tuple[float, int, int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True})
    with app.app_context():
        db.create_all()
        try:
            started = time.perf_counter()
            made = make_exhibitions(COUNT, seed=42, today=TODAY)
            db.session.commit()
            elapsed = time.perf_counter() - started
            shows = db.session.scalar(select(func.count()).select_from(Exhibition)) or 0
            sectors = db.session.scalar(select(func.count()).select_from(ExhibitionSector)) or 0
            if made != COUNT or shows != COUNT or sectors < COUNT:
                raise SystemExit(f"expected {COUNT} exhibitions with sectors, got {made}/{shows}/{sectors}")
        finally:
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return elapsed, shows, sectors


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "").strip()
    with tempfile.TemporaryDirectory(prefix="planner-bench-") as tmp:
        elapsed, shows, sectors = measure(url or f"sqlite:///{tmp}/synthetic.sqlite")
    verdict = "met" if elapsed < TARGET_SECONDS else "MISSED"
    print("## Synthetic catalogue\n")
    print("| what | rows | seconds | target |\n|---|---:|---:|---|")
    print(f"| {COUNT:,} synthetic exhibitions (+{sectors:,} sector rows), one commit | {shows:,} | "
          f"{elapsed:.1f} | < {TARGET_SECONDS:.0f} s {verdict} |\n")


if __name__ == "__main__":
    main()
