"""(5) Batch: incidents/s of `smtriage batch` at --jobs 1 and --jobs 2, and peak memory at 1k vs 10k incidents.

Input: generated incident records (training generator, seed 9: half full
CloudWatch windows with metrics, half pasted snippets), 1,000 and 10,000 of
them, as JSONL under benchmarks/_data/. Each run is a fresh
`.venv/bin/smtriage batch IN --out OUT --jobs N` (a new OUT every time, so
nothing is resumed); wall time includes start-up and loading the model.
Memory: the peak of the summed PSS of the whole process tree (the CLI and its
joblib/loky workers, sampled every 50 ms) and the largest single-process RSS
(GNU time's maximum resident set size over the command and its descendants).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .common import ROOT, SMTRIAGE, Table, Timing, rate, repeat, run_measured, save, say
from .data import batch_file


def _input(n: int) -> Path:
    big = batch_file(10_000)
    if n == 10_000:
        return big
    path = big.with_name(f"incidents_{n}.jsonl")
    if not path.exists():
        with open(big, encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
    return path


def main() -> None:
    sizes = {1_000: repeat(3), 10_000: max(1, repeat(3) - 2)}
    t = Table(
        "(5) smtriage batch, generated incidents",
        ["run", "incidents/s", "min s", "median s", "runs", "peak tree PSS MiB", "peak process RSS MiB", "vs --jobs 1"],
    )
    raw = {}
    for n, runs in sizes.items():
        inp = _input(n)
        base = None
        for jobs in (1, 2):
            times, pss, rss = [], [], []
            for _ in range(runs):
                tmp = Path(tempfile.mkdtemp(prefix="smtriage-bench-"))
                try:
                    r = run_measured(
                        [SMTRIAGE, "batch", str(inp), "--out", str(tmp / "v.jsonl"), "--jobs", str(jobs)], cwd=ROOT
                    )
                    lines = sum(1 for _ in open(tmp / "v.jsonl", encoding="utf-8"))
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
                if r.returncode not in (0, 8) or lines != n:
                    raise SystemExit(f"batch failed (exit {r.returncode}, {lines} verdicts): {r.stderr[-2000:]}")
                times.append(r.seconds)
                pss.append(r.peak_tree_pss_mib)
                rss.append(r.peak_process_rss_mib)
                say(
                    f"  {n:,} incidents --jobs {jobs}: {r.seconds:.1f}s, tree PSS {r.peak_tree_pss_mib:.0f} MiB, "
                    f"max RSS {r.peak_process_rss_mib:.0f} MiB"
                )
            tm = Timing(times)
            base = base or tm.min
            t.add(
                f"{n:,} incidents, --jobs {jobs}",
                rate(n, tm.min),
                tm.min,
                tm.median,
                runs,
                max(pss),
                max(rss),
                f"{base / tm.min:.2f}x",
            )
            raw[f"{n}/{jobs}"] = {"seconds": times, "pss_mib": pss, "rss_mib": rss}
    t.notes += [
        f"input: {_input(1_000).stat().st_size / 1e6:.0f} MB (1k) and {_input(10_000).stat().st_size / 1e6:.0f} MB (10k) of JSONL",
        "wall time includes interpreter start-up, imports and loading the model (about 1-2 s per run)",
        "memory is the peak over the run; PSS splits pages shared between the CLI and its workers",
    ]
    save("batch", t, {"runs": raw})


if __name__ == "__main__":
    sys.exit(main())
