"""Run every benchmark, each in its own process, then the profiles and the report.

python -m benchmarks                       # all of them (about 30 minutes on 2 cores)
python -m benchmarks featurize startup     # some of them
BENCH_REPEAT=1 python -m benchmarks        # one run each: a quick smoke test, not numbers to keep
"""

from __future__ import annotations

import subprocess
import sys
import time

from .common import PY, ROOT, say

ORDER = {
    "startup": "benchmarks.bench_startup",
    "classify": "benchmarks.bench_classify",
    "train": "benchmarks.bench_train",
    "batch": "benchmarks.bench_batch",
    "featurize": "benchmarks.bench_featurize",
    "profile": "benchmarks.profile",
}


def main(argv: list[str]) -> int:
    names = argv or list(ORDER)
    unknown = [n for n in names if n not in ORDER]
    if unknown:
        say(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(ORDER)}")
        return 2
    failed = []
    for name in names:
        t0 = time.perf_counter()
        say(f"== {name} ({ORDER[name]})")
        if subprocess.run([PY, "-m", ORDER[name]], cwd=ROOT).returncode != 0:
            failed.append(name)
        say(f"== {name} done in {time.perf_counter() - t0:.0f}s")
    subprocess.run([PY, "-m", "benchmarks.report"], cwd=ROOT)
    if failed:
        say(f"FAILED: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
