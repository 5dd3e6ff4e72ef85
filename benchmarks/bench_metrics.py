"""(2) Metric windows: windows/s of the metric-statistics step (`classifier.features.metric_block`) on 100,000 windows.

The windows are the metrics and endpoint context of 4,000 generator windows
(failure and healthy, up to 60 one-minute points for each of 12 metrics),
repeated to 100,000 distinct `Incident` objects. The peer is the same function
called once per window (what a Python loop per window costs); the breakdown
times the step's parts on the same 100,000 windows.
"""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np

from .common import Table, best_of, pin_one_core, rate, repeat, save, say
from .data import _ensure_path, metric_records

N_WINDOWS = 100_000
LOOP_SAMPLE = 5_000


def main() -> None:
    cpu = pin_one_core()
    _ensure_path()
    from classifier import features as F
    from classifier.incident import Incident, incident_from_dict

    base = [incident_from_dict(r, f"metric[{i}]") for i, r in enumerate(metric_records())]
    incidents = [Incident(metrics=dict(base[i % len(base)].metrics), context=base[i % len(base)].context)
                 for i in range(N_WINDOWS)]
    with_metrics = sum(1 for inc in incidents if inc.metrics)
    points = sum(len(s.values) for inc in incidents for s in inc.metrics.values())
    say(f"{N_WINDOWS:,} windows ({with_metrics:,} with metrics, {points:,} datapoints); pinned to CPU {cpu}")

    t_vec, block = best_of(lambda: F.metric_block(incidents), repeat(5), warmup=1)
    say(f"metric_block: {t_vec.min:.2f}s -> {block.shape}")

    sample = incidents[:LOOP_SAMPLE]
    t_loop, _ = best_of(lambda: [F.metric_block([inc]) for inc in sample], repeat(3))
    say(f"per-window loop on {LOOP_SAMPLE:,}: {t_loop.min:.2f}s")

    # parts of the step, on the same windows
    def padded() -> list[np.ndarray]:
        return [F._padded(incidents, m) for m in F.METRICS]

    t_pad, arrays = best_of(padded, repeat(5))
    util = dict(zip(F.METRICS, arrays))
    maxes = {m: F._row_stats(util[m])["max"] for m in F.UTILIZATION_METRICS}
    t_cap, _ = best_of(lambda: [F._capacity(incidents, m, maxes[m]) for m in F.UTILIZATION_METRICS], repeat(5))
    # _row_stats runs twice per utilization metric (raw and scaled) and once per count and latency metric
    n_stats = 2 * len(F.UTILIZATION_METRICS) + len(F.COUNT_METRICS) + len(F.LATENCY_METRICS)
    t_stats, _ = best_of(lambda: [F._row_stats(a) for a in arrays] + [F._row_stats(util[m]) for m in F.UTILIZATION_METRICS],
                         repeat(5))
    width = max(a.shape[1] for a in arrays)

    tracemalloc.start()
    F.metric_block(incidents)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    per_window = rate(LOOP_SAMPLE, t_loop.min)
    vec = rate(N_WINDOWS, t_vec.min)
    t = Table(f"(2) Metric-window statistics, {N_WINDOWS:,} windows, one core (CPU {cpu})",
              ["measurement", "windows/s", "min s", "median s", "vs per-window loop"])
    t.add("metric_block(100,000 incidents) — vectorised", vec, t_vec.min, t_vec.median, f"{vec / per_window:.1f}x faster")
    t.add(f"metric_block([incident]) in a Python loop ({LOOP_SAMPLE:,} windows)", per_window, t_loop.min,
          t_loop.median, "1.00x")
    t.add("  part: _padded, 12 metrics (Python loop over windows)", rate(N_WINDOWS, t_pad.min), t_pad.min,
          t_pad.median, f"{t_pad.min / t_vec.min:.0%} of the step")
    t.add("  part: _capacity, 5 utilization metrics (Python loop, instances.lookup per window)",
          rate(N_WINDOWS, t_cap.min), t_cap.min, t_cap.median, f"{t_cap.min / t_vec.min:.0%} of the step")
    t.add(f"  part: _row_stats x {n_stats} (numpy only)", rate(N_WINDOWS, t_stats.min), t_stats.min, t_stats.median,
          f"{t_stats.min / t_vec.min:.0%} of the step")
    t.notes += [
        f"{with_metrics:,} of the windows carry metrics; {points:,} datapoints in all; the padded width is the longest "
        f"window ({width} points), so each metric is a {N_WINDOWS:,} x {width} float64 array",
        f"peak traced memory of one metric_block call: {peak / 2**20:.0f} MiB (tracemalloc; grows with n x the longest window)",
        "the parts are timed separately on the same windows; what remains is column stacking and clipping",
    ]
    save("metrics", t, {"seconds": {"vectorised": t_vec.runs, "loop": t_loop.runs, "padded": t_pad.runs,
                                    "capacity": t_cap.runs, "row_stats": t_stats.runs}, "peak_mib": peak / 2**20})


if __name__ == "__main__":
    sys.exit(main())
