"""Benchmark of the iCalendar feeds with 5,000 exhibitions: the public feed served from the cache
(200) and a conditional request (304) under gunicorn with 2 workers, as ratios to a bare Flask
route in the same run, and building the full feed from the database without a cache.

    .venv/bin/python -m bench.feeds

Uses `flask --app planner synthetic-data --exhibitions 5000 --companies 0 --applications 0` on a
temporary SQLite database, and bulk-inserts the shows itself if that command makes fewer.
Requests send `Accept-Encoding: gzip`, as calendar clients do; the 304 request sends the ETag the
feed answered with. "all 5,000 shows" (`past=1`, 3.7 MB before compression) is for information.
"""
from __future__ import annotations

import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import fill_exhibitions, gunicorn, measure, report  # noqa: E402

EXHIBITIONS = 5_000
TARGETS = {"public feed, 304 (If-None-Match)": 0.7, "public feed, 200 from cache": 0.5}
BUILD_TARGET_MS = 300


def fill(database_url: str) -> int:
    return fill_exhibitions(database_url, EXHIBITIONS)


def build_times(database_url: str) -> dict[str, tuple[float, int, int]]:
    """Best of 5 building each feed from the database (no cache): ms, events, bytes."""
    from planner import create_app
    from planner.db import utcnow
    from planner.feeds import services

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    results = {}
    with app.test_request_context():
        now = utcnow()
        for label, query in (("default window", []), ("all 5,000 (past=1)", [("past", "1")])):
            filters = services.parse_filters(query, today=now.date())
            best = float("inf")
            for _ in range(5):
                start = time.perf_counter()
                feed = services.build_exhibitions_feed(filters, site_url=app.config["SITE_URL"], now=now)
                best = min(best, time.perf_counter() - start)
            results[label] = (best * 1000, feed.body.count(b"BEGIN:VEVENT"), len(feed.body))
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{tmp}/bench-feeds.sqlite"
        total = fill(database_url)
        builds = build_times(database_url)
        with gunicorn(database_url) as base:
            etag = urllib.request.urlopen(urllib.request.Request(base + "/calendar/exhibitions.ics", headers={"Accept-Encoding": "gzip"}), timeout=30).headers["ETag"]
            results = measure(base, [
                ("public feed, 200 from cache", "/calendar/exhibitions.ics", ("Accept-Encoding: gzip",)),
                ("public feed, 304 (If-None-Match)", "/calendar/exhibitions.ics", (f"If-None-Match: {etag}", "Accept-Encoding: gzip")),
                ("all 5,000 shows, 200 from cache", "/calendar/exhibitions.ics?past=1", ("Accept-Encoding: gzip",)),
            ])
    print(report(f"iCalendar feeds ({total:,} exhibitions, SQLite, gunicorn 2 workers)", results, TARGETS))
    print()
    print("| feed built from the database (no cache), best of 5 | events | size | time | target |")
    print("|---|---:|---:|---:|---|")
    for label, (ms, events, size) in builds.items():
        verdict = f"< {BUILD_TARGET_MS} ms {'met' if ms < BUILD_TARGET_MS else 'MISSED'}"
        print(f"| {label} | {events:,} | {size / 1e6:.2f} MB | {ms:.0f} ms | {verdict} |")
    print()


if __name__ == "__main__":
    main()
