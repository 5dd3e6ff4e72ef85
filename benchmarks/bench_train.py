"""(6) Train: wall time and peak memory of rebuilding the default model.

Runs `python -m training.build_default --out <tmpdir>` (generate 6,000
incidents with the fixed seed, featurize, fit the calibrated pipeline, score the
dev real cases, write model.skops + manifest + card), best-of-N, as a fresh
process each time; and checks that the rebuilt model.skops is byte-identical
to the committed models/default/model.skops (the recipe's promise).
"""

from __future__ import annotations

import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from .common import PY, ROOT, Table, Timing, repeat, run_measured, save, say


def main() -> None:
    runs = repeat(2)
    times, pss, rss = [], [], []
    identical = None
    log = ""
    for _ in range(runs):
        tmp = Path(tempfile.mkdtemp(prefix="smtriage-train-"))
        try:
            r = run_measured([PY, "-m", "training.build_default", "--out", str(tmp)], cwd=ROOT)
            if r.returncode != 0:
                raise SystemExit(f"build_default failed (exit {r.returncode}): {r.stderr[-2000:]}")
            committed = ROOT / "models" / "default" / "model.skops"
            if committed.exists():
                identical = filecmp.cmp(committed, tmp / "model.skops", shallow=False)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        log = r.stderr
        times.append(r.seconds)
        pss.append(r.peak_tree_pss_mib)
        rss.append(r.peak_process_rss_mib)
        say(
            f"  build_default: {r.seconds:.1f}s, tree PSS {r.peak_tree_pss_mib:.0f} MiB, max RSS {r.peak_process_rss_mib:.0f} MiB"
        )
    tm = Timing(times)
    t = Table(
        "(6) Rebuilding the default model (python -m training.build_default)",
        ["run", "min s", "median s", "runs", "peak tree PSS MiB", "peak process RSS MiB"],
    )
    t.add("build_default --out TMP (6,000 incidents)", tm.min, tm.median, runs, max(pss), max(rss))
    t.notes.append(
        "rebuilt model.skops byte-identical to the committed models/default/model.skops: "
        + {
            True: "yes",
            False: "no (the working tree differs from the code that built the committed model, or the build is not reproducible)",
            None: "no committed model to compare",
        }[identical]
    )
    stages = [ln.strip() for ln in log.splitlines() if ln.strip() and not ln.startswith("MAXRSS")]
    if stages:
        t.notes.append("its own progress lines (last run): " + " | ".join(stages[:8]))
    save("train", t, {"seconds": times, "pss_mib": pss, "rss_mib": rss, "identical": identical})


if __name__ == "__main__":
    sys.exit(main())
