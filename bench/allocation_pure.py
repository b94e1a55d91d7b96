"""Benchmark of the pure allocation core: deferred acceptance on generated programmes of 1,000,
10,000 and 100,000 applications (several hundred slot types, Zipf-skewed popularity, cap 2-3).

    .venv/bin/python -m bench.allocation_pure

Prints a Markdown table: best of three wall times (time.perf_counter) and the peak memory the
call allocates (tracemalloc, measured in a separate call because tracing slows Python down).
"""
from __future__ import annotations

import gc
import random
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from planner.allocation.lottery import tiebreak  # noqa: E402
from planner.allocation.matching import Candidate, Slot, deferred_acceptance  # noqa: E402
from planner.allocation.scoring import Facts, score  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
CAPS = (2, 3)
TARGET_SECONDS = {100_000: 1.0}
CRITERIA = {
    "size_class": {"small": 30, "medium": 20, "middle-market": 5, "large": 0},
    "first_time_at_exhibition": 20, "no_subsidy_last_year": 15, "sector_fit": 10,
    "export_readiness": 15, "no_show_penalty": -25,
}
SIZE_CLASSES = ("small", "medium", "middle-market", "large")


@dataclass(frozen=True)
class Programme:
    slots: list[Slot]
    candidates: list[Candidate]
    cap: int
    companies: int


def generate(n: int, cap: int, *, seed: int = 2027, exhibitions: int = 200) -> Programme:
    """About n applications from companies with 1-6 ranked applications each, over
    `exhibitions` x 2 kinds slot types whose popularity follows Zipf (s = 1), with capacities
    that make the popular shows oversubscribed several times over."""
    # The same programme for both caps, so the rows differ only by the cap.
    rng = random.Random(seed * 1_000_003 + n)
    lottery_seed = f"bench-{seed}-{n}"
    keys = [(offer, kind) for offer in range(1, exhibitions + 1) for kind in ("booth", "delegation")]
    weights = [1.0 / (rank + 1) for rank in range(len(keys))]
    rng.shuffle(weights)
    # Total capacity is about 40 % of demand, spread evenly: popularity decides who is short.
    per_slot = max(1, round(0.4 * n / len(keys)))
    slots = [Slot(key=key, capacity=rng.randint(per_slot // 2, per_slot * 3 // 2 + 1)) for key in keys]
    candidates: list[Candidate] = []
    company = 0
    while len(candidates) < n:
        company += 1
        wanted = min(rng.randint(1, 6), n - len(candidates))
        chosen: set[int] = set()
        while len(chosen) < wanted:
            chosen.update(rng.choices(range(len(keys)), weights=weights, k=wanted - len(chosen)))
        size_class = rng.choice(SIZE_CLASSES)
        no_shows = 1 if rng.random() < 0.05 else 0
        for preference, slot in enumerate(rng.sample(sorted(chosen), len(chosen)), start=1):
            app_id = len(candidates) + 1
            facts = Facts(size_class=size_class, first_time_at_exhibition=rng.random() < 0.5,
                          subsidised_last_year=rng.random() < 0.3, sector_fit=rng.random() < 0.7,
                          export_ready=rng.random() < 0.6, no_shows=no_shows)
            candidates.append(Candidate(
                application_id=app_id, company_id=company, slot=keys[slot], preference=preference,
                priority=score(CRITERIA, facts).total, tiebreak=tiebreak(lottery_seed, str(app_id))))
    return Programme(slots=slots, candidates=candidates, cap=cap, companies=company)


def measure(programme: Programme) -> tuple[float, int, int]:
    """Best of three seconds, peak bytes allocated during one call, places allocated."""
    times = []
    for _ in range(3):
        gc.collect()
        start = time.perf_counter()
        result = deferred_acceptance(programme.slots, programme.candidates, programme.cap)
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    deferred_acceptance(programme.slots, programme.candidates, programme.cap)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return min(times), peak, len(result.allocated)


def main() -> None:
    print("## Allocation core: deferred acceptance (pure, one core)\n")
    print("| applications | companies | slot types | cap | allocated | best of 3 | peak memory | target |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for n in SIZES:
        for cap in CAPS:
            programme = generate(n, cap)
            seconds, peak, allocated = measure(programme)
            target = TARGET_SECONDS.get(n)
            verdict = "" if target is None else f"< {target:g} s: {'met' if seconds < target else 'MISSED'}"
            print(f"| {n:,} | {programme.companies:,} | {len(programme.slots)} | {cap} "
                  f"| {allocated:,} | {seconds * 1000:.1f} ms | {peak / 2**20:.1f} MiB | {verdict} |")
    print()


if __name__ == "__main__":
    main()
