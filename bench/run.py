"""Runs every benchmark under bench/ and prints a Markdown report (python3 manage.py bench)."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BENCHMARKS = ["bench.synthetic", "bench.catalogue", "bench.allocation_pure", "bench.allocation_run",
              "bench.allocation_export", "bench.feeds"]

if __name__ == "__main__":
    wanted = sys.argv[1:] or BENCHMARKS
    for name in wanted:
        module_name = name if name.startswith("bench.") else f"bench.{name}"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            print(f"(skipping {module_name}: not written yet)")
            continue
        module.main()
