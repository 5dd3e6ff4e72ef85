"""What the profiler watches (run under py-spy by benchmarks.profile).

featurize N   the product featurizer on the first N windows x 1,000 lines of the (1) data, 3 times
triage        triage_window on the (3) window: 100,000 events over 4 streams (what classify does after the fetch), 5 times
batch         classify() on the first 1,000 records of the (5) input (what each batch worker does)
"""

from __future__ import annotations

import gc
import sys
import time
from datetime import UTC, datetime

from .common import pin_one_core
from .data import _ensure_path, cloudwatch_incident, incidents_from_lines, lines_file, read_lines


def featurize(n_windows: int = 1000, rounds: int = 3) -> None:
    path, _ = lines_file()
    lines = read_lines(path)[: n_windows * 1000]
    incidents = incidents_from_lines(lines, per=1000)
    from classifier.model import default_model_dir, load

    featurizer = load(default_model_dir()).featurizer
    gc.collect()
    gc.disable()
    t0 = time.perf_counter()
    for _ in range(rounds):  # enough samples for a profile once the featurizer is fast
        featurizer.transform(incidents)
    print(f"featurized {len(lines):,} lines {rounds}x in {time.perf_counter() - t0:.1f}s", file=sys.stderr)


def triage() -> None:
    _ensure_path()
    from classifier.model import default_model_dir, load
    from classifier.triage import triage_window

    model = load(default_model_dir())
    window = cloudwatch_incident(100_000, datetime(2026, 1, 1, 12, tzinfo=UTC), streams=4)
    window.logs.sort(key=lambda e: (e.timestamp, e.stream))
    t0 = time.perf_counter()
    for _ in range(5):
        found = triage_window(model, window)
    print(f"triaged 100,000 events into {len(found)} episode(s) 5x in {time.perf_counter() - t0:.1f}s", file=sys.stderr)


def batch(n: int = 1000) -> None:
    _ensure_path()
    from classifier.incident import load_incidents
    from classifier.model import default_model_dir, load
    from classifier.triage import classify

    from .bench_batch import _input

    model = load(default_model_dir())
    incidents, _ = load_incidents([_input(1_000)])
    incidents = incidents[:n]
    t0 = time.perf_counter()
    classify(model, incidents)
    print(f"classified {len(incidents)} incidents in {time.perf_counter() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    pin_one_core()
    what = sys.argv[1]
    if what == "featurize":
        featurize(*(int(a) for a in sys.argv[2:]))
    elif what == "batch":
        batch()
    else:
        triage()
