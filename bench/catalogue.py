"""Benchmark of the public catalogue with 5,000 exhibitions: /exhibitions (first page, a search,
a filter), an exhibition page and /api/v1/exhibitions under gunicorn with 2 workers, each as a
ratio to a bare Flask route served the same way in the same run. Target: each ≥ 0.25.

    .venv/bin/python -m bench.catalogue

Builds a temporary SQLite database with `flask --app planner db upgrade` and
`flask --app planner synthetic-data --exhibitions 5000 --companies 0 --applications 0`, and
bulk-inserts shows itself if that command makes fewer.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import fill_exhibitions, gunicorn, measure, report  # noqa: E402

EXHIBITIONS = 5_000
TARGET = 0.25


def fill(database_url: str) -> int:
    return fill_exhibitions(database_url, EXHIBITIONS)


def sample_slug(database_url: str) -> str:
    """An upcoming exhibition (the kind of page people open), for the detail page."""
    from sqlalchemy import select

    from planner import create_app
    from planner.catalogue.models import Exhibition
    from planner.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        return db.session.scalar(select(Exhibition.slug).where(Exhibition.ends_on >= dt.date.today())
                                 .order_by(Exhibition.starts_on).offset(50).limit(1)) or "missing"


def uncached_ms(database_url: str, pages: list[tuple[str, str, tuple[str, ...]]]) -> list[tuple[str, float]]:
    """Median time to render each page in-process with the page cache off: the cost of a miss."""
    import statistics
    import time

    from planner import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "CATALOGUE_PAGE_CACHE": False})
    client = app.test_client()
    timings = []
    for name, path, _headers in pages:
        client.get(path)
        samples = []
        for _ in range(15):
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        timings.append((name, statistics.median(samples)))
    return timings


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        total = fill(database_url)
        slug = sample_slug(database_url)
        pages: list[tuple[str, str, tuple[str, ...]]] = [
            ("/exhibitions, first page", "/exhibitions", ()),
            ("/exhibitions, search", "/exhibitions?q=paris", ()),
            ("/exhibitions, filter", "/exhibitions?sector=naval&region=europe", ()),
            ("exhibition page", f"/exhibitions/{slug}", ()),
            ("/api/v1/exhibitions", "/api/v1/exhibitions", ()),
        ]
        with gunicorn(database_url) as base:
            results = measure(base, pages)
        print(report(f"Catalogue ({total:,} exhibitions, SQLite, gunicorn 2 workers)", results,
                     {name: TARGET for name, _path, _headers in pages}))
        print()
        print("Served from the per-worker page cache while the catalogue is unchanged (one indexed "
              "version query at most every second). Rendering without the cache, in-process:")
        print()
        print("| page | uncached render (median ms) |")
        print("|---|---:|")
        for name, ms in uncached_ms(database_url, pages):
            print(f"| {name} | {ms:.1f} |")
        print()
        print("Each page issues at most 5 SQL queries (tests/catalogue/test_queries.py).")


if __name__ == "__main__":
    main()
