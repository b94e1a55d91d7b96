"""HTTP benchmark harness: serve the planner under gunicorn (2 workers) next to a bare Flask
route in the same process, load both with wrk, and report each page as a ratio to the bare route.

Ratios measured in one run are what we report: the machines are shared and absolute numbers
move with the neighbours' load. Each page's ratio comes from short runs interleaved with runs
of the bare route, so load that comes and goes during the benchmark does not land on one page.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path:
        return path
    print("Installing wrk (Debian package) …", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or "wrk"


@contextmanager
def gunicorn(database_url: str, *, workers: int = 2, env: dict[str, str] | None = None) -> Iterator[str]:
    """Serve bench/app.py:app (the planner plus /bench/bare) and yield its base URL."""
    port = free_port()
    full_env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench-" + "x" * 32,
                "RATELIMIT_ENABLED": "0", "PYTHONPATH": str(ROOT), **(env or {})}
    proc = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "bench.app:app"], cwd=ROOT, env=full_env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/bench/bare", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@dataclass(frozen=True)
class Result:
    name: str
    path: str
    rps: float
    ratio: float
    status: str


def wrk_rps(url: str, *, seconds: int = 5, connections: int = 8, threads: int = 1,
            headers: Sequence[str] = ()) -> float:
    args = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if "Non-2xx or 3xx responses" in out:
        raise RuntimeError(f"{url} answered errors under load:\n{out}")
    return float(match.group(1)) if match else 0.0


def measure(base: str, pages: Sequence[tuple[str, str, Sequence[str]]], *, seconds: int = 10,
            rounds: int = 5) -> list[Result]:
    """Each page: (name, path, headers). Each page is loaded in `rounds` short runs, each right
    next to a run of the bare route (alternating which goes first), so a neighbour's load on a
    shared machine moves both alike; its ratio is the median of the rounds' ratios (a burst of
    load in one run moves one round, not the result). The bare route's req/s reported is the
    mean of all its runs, a page's the mean of its own."""
    for _name, path, headers in pages:  # warm caches and check each page answers
        req = urllib.request.Request(base + path, headers=dict(h.split(": ", 1) for h in headers))
        try:
            urllib.request.urlopen(req, timeout=30).read()
        except urllib.error.HTTPError as exc:
            if exc.code != 304:
                raise
    step = max(1, round(seconds / rounds))
    rows = []
    bare_runs: list[float] = []
    for name, path, headers in pages:
        page_runs: list[float] = []
        ratios: list[float] = []
        for n in range(rounds):
            runs = [("bare", base + "/bench/bare", ()), ("page", base + path, headers)]
            got = {kind: wrk_rps(url, seconds=step, headers=with_headers)
                   for kind, url, with_headers in (runs if n % 2 == 0 else runs[::-1])}
            bare_runs.append(got["bare"])
            page_runs.append(got["page"])
            ratios.append(got["page"] / got["bare"] if got["bare"] else 0.0)
        rows.append((name, path, sum(page_runs) / rounds, statistics.median(ratios)))
    bare = sum(bare_runs) / len(bare_runs) if bare_runs else 0.0
    results = [Result("bare Flask route", "/bench/bare", bare, 1.0, "reference")]
    for name, path, rps, ratio in rows:
        results.append(Result(name, path, rps, ratio, ""))
    return results


def report(title: str, results: Sequence[Result], targets: dict[str, float] | None = None) -> str:
    lines = [f"## {title}", "", "| page | path | req/s | ratio to bare | target |", "|---|---|---:|---:|---|"]
    for r in results:
        target = (targets or {}).get(r.name)
        verdict = "" if target is None else (f"≥ {target} {'met' if r.ratio >= target else 'MISSED'}")
        lines.append(f"| {r.name} | `{r.path}` | {r.rps:,.0f} | {r.ratio:.2f} | {verdict} |")
    return "\n".join(lines)


def fill_exhibitions(database_url: str, count: int) -> int:
    """Build the schema by migration and load `count` exhibitions with `synthetic-data` (the
    contract's generator), so every benchmark measures the same data; returns how many there are.
    A failing command stops the benchmark rather than measuring something else."""
    import os
    import subprocess

    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    for args in (("db", "upgrade"), ("synthetic-data", "--exhibitions", str(count), "--companies", "0",
                                     "--applications", "0")):
        done = subprocess.run([PYTHON, "-m", "flask", "--app", "planner", *args], cwd=ROOT, env=env,
                              check=False, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"flask {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    from sqlalchemy import create_engine, func, select

    from planner.catalogue.models import Exhibition
    engine = create_engine(database_url)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Exhibition.__table__)) or 0
    engine.dispose()
    if total < count:
        raise SystemExit(f"synthetic-data made {total} exhibitions, {count} wanted")
    return total

