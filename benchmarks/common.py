"""Shared helpers: best-of-N timing, tables, the machine, process-tree memory, results on disk.

Every benchmark script prints its own small table and also saves it as JSON
under benchmarks/_data/results/, from which `python -m benchmarks.report`
writes the markdown table kept in benchmarks/README.md.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "_data"
RESULTS = DATA / "results"
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SMTRIAGE = str(Path(PY).with_name("smtriage"))


def repeat(default: int) -> int:
    """Best-of-N count; BENCH_REPEAT overrides every script's default (e.g. 1 for a smoke run)."""
    return max(1, int(os.environ.get("BENCH_REPEAT", default)))


def pin_one_core() -> int | None:
    """Run this process (and what it starts) on one CPU; returns that CPU, or None where unsupported."""
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):
        return None


def machine() -> dict[str, Any]:
    model = "unknown"
    mhz = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model == "unknown":
                model = line.split(":", 1)[1].strip()
            if line.startswith("cpu MHz") and mhz is None:
                mhz = float(line.split(":", 1)[1])
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import numpy
    import sklearn

    return {
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": model,
        "cpu_mhz": mhz,
        "mem_gib": mem,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "sklearn": sklearn.__version__,
        "os": platform.platform(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "loadavg_1m": round(os.getloadavg()[0], 2),  # other work on the machine while measuring
        "code": code_version(),
    }


def code_version() -> str:
    """The commit measured, and whether the product's files differed from it (the tree is shared)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "classifier", "training", "models"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
    except OSError:
        return "unknown"
    return head + (f" + uncommitted changes to {len(dirty)} product file(s)" if dirty else "")


@dataclass
class Timing:
    """Seconds of each run of one measurement."""

    runs: list[float]

    @property
    def min(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def best_of(fn: Callable[[], Any], n: int, *, warmup: int = 0) -> tuple[Timing, Any]:
    """Time `fn` n times with time.perf_counter (after `warmup` untimed calls); returns the timings and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    runs = []
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return Timing(runs), result


# ---------------------------------------------------------------- memory of a process tree


def _tree(pid: int) -> list[int]:
    import psutil

    try:
        p = psutil.Process(pid)
        return [pid] + [c.pid for c in p.children(recursive=True)]
    except psutil.Error:
        return []


def _pss_kib(pid: int) -> int:
    """Proportional set size (shared pages split between sharers), so a sum over a tree is honest."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class RunResult:
    seconds: float
    returncode: int
    peak_tree_pss_mib: float  # highest sum of PSS over the process and all its descendants, sampled
    peak_process_rss_mib: float  # highest RSS of any single process of the tree (kernel's maxrss)
    stderr: str = ""


def run_measured(
    cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None, interval: float = 0.05
) -> RunResult:
    """Run a command; wall time, and peak memory of its whole process tree (joblib workers included).

    The peak single-process RSS is GNU time's "Maximum resident set size" (the kernel's
    max over the command and every descendant it waited for); the tree sum is sampled.
    """
    full = ["/usr/bin/time", "-f", "MAXRSS_KIB=%M", *cmd] if Path("/usr/bin/time").exists() else list(cmd)
    t0 = time.perf_counter()
    proc = subprocess.Popen(full, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = sum(_pss_kib(p) for p in _tree(proc.pid))
            peak[0] = max(peak[0], total)
            done.wait(interval)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - t0
    done.set()
    th.join()
    maxrss = 0
    for line in err.splitlines():
        if line.startswith("MAXRSS_KIB="):
            maxrss = int(line.split("=", 1)[1])
    if not maxrss:
        import resource

        maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return RunResult(seconds, proc.returncode, peak[0] / 1024, maxrss / 1024, err)


# ---------------------------------------------------------------- tables


@dataclass
class Table:
    """One benchmark's rows: what, its unit rate, min/median seconds, and the ratio against the baseline."""

    title: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row: Any) -> None:
        self.rows.append(list(row))

    def text(self) -> str:
        cells = [self.columns] + [[_fmt(c) for c in r] for r in self.rows]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.columns))]
        lines = [self.title, "-" * len(self.title)]
        for k, r in enumerate(cells):
            lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines += [f"  * {n}" for n in self.notes]
        return "\n".join(lines)

    def markdown(self) -> str:
        out = [
            f"#### {self.title}",
            "",
            "| " + " | ".join(self.columns) + " |",
            "|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.columns))) + "|",
        ]
        out += ["| " + " | ".join(_fmt(c) for c in r) + " |" for r in self.rows]
        if self.notes:
            out += [""] + [f"- {n}" for n in self.notes]
        return "\n".join(out)


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        if v == 0:
            return "0"
        if abs(v) >= 1e4:
            return f"{v:,.0f}"
        if abs(v) >= 100:
            return f"{v:.0f}"
        if abs(v) >= 10:
            return f"{v:.1f}"
        if abs(v) >= 1:
            return f"{v:.2f}"
        return f"{v:.3g}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def rate(n: float, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def save(name: str, table: Table, extra: dict[str, Any] | None = None) -> None:
    """Print the table and keep it (with the machine) for the README report."""
    print()
    print(table.text())
    RESULTS.mkdir(parents=True, exist_ok=True)
    payload = {"name": name, "machine": machine(), "table": asdict(table), **(extra or {})}
    (RESULTS / f"{name}.json").write_text(json.dumps(payload, indent=1, default=str))


def say(*args: Any) -> None:
    print(*args, file=sys.stderr, flush=True)
