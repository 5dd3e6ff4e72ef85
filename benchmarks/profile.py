"""Where the time goes: py-spy profiles of the product featurizer (1) and of classify's post-fetch work (3).

Runs `py-spy record -r 500 --format raw` (sampled, line-level stacks) on
`benchmarks.profile_target`, keeps the samples under the root function, and
prints the top lines by self time (the line that was running; C work it called,
such as `str.__contains__` or `re.finditer`, counts to that line) and the top
functions by inclusive time, each as a share of the root's samples. The raw
stacks stay in benchmarks/_data/profile_*.txt (for flamegraph.pl or speedscope).

    python -m benchmarks.profile              # both
    python -m benchmarks.profile featurize    # or one
"""

from __future__ import annotations

import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .common import DATA, PY, ROOT, Table, save, say

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*):(?P<line>\d+)\)$")
TARGETS = {
    "featurize": (
        ["featurize", "1000"],
        "IncidentFeaturizer.transform (classifier/features.py",
        "IncidentFeaturizer.transform on the (1) data, 1,000 windows x 1,000 lines, 3 times",
    ),
    "triage": (
        ["triage"],
        "triage_window (classifier/triage.py",
        "triage_window on the (3) window of 100,000 events (classify after the fetch), 5 times",
    ),
    "batch": (
        ["batch"],
        "classify (classifier/triage.py",
        "classify() on 1,000 records of the (5) batch input (a batch worker's work)",
    ),
}


def parse(raw: Path, root: str) -> tuple[int, collections.Counter, collections.Counter]:
    leaf: collections.Counter[str] = collections.Counter()
    incl: collections.Counter[str] = collections.Counter()
    total = 0
    for row in raw.read_text().splitlines():
        stack, _, count = row.rpartition(" ")
        frames = stack.split(";")
        idx = next((i for i, f in enumerate(frames) if f.startswith(root)), None)
        if idx is None:
            continue
        n = int(count)
        total += n
        leaf[frames[-1]] += n
        seen = set()
        for f in frames[idx:]:
            m = _FRAME.match(f)
            key = f"{m.group('func')} ({m.group('file')})" if m else f
            if key not in seen:
                seen.add(key)
                incl[key] += n
    return total, leaf, incl


def source_line(frame: str) -> str:
    m = _FRAME.match(frame)
    if not m or not m.group("file").startswith("classifier/"):
        return ""
    try:
        return (ROOT / m.group("file")).read_text().splitlines()[int(m.group("line")) - 1].strip()[:80]
    except (OSError, IndexError):
        return ""


def profile(name: str, top: int = 12) -> None:
    args, root, title = TARGETS[name]
    pyspy = shutil.which("py-spy") or str(Path(PY).with_name("py-spy"))
    raw = DATA / f"profile_{name}.txt"
    say(f"py-spy: {title} ...")
    subprocess.run(
        [
            pyspy,
            "record",
            "-r",
            "500",
            "--format",
            "raw",
            "-o",
            str(raw),
            "--",
            PY,
            "-m",
            "benchmarks.profile_target",
            *args,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=ROOT,
    )
    total, leaf, incl = parse(raw, root)
    t = Table(f"Profile: {title} (py-spy, {total:,} samples)", ["where", "share", "source line"])
    for frame, n in leaf.most_common(top):
        t.add("self: " + frame, f"{n / max(total, 1):.1%}", source_line(frame).replace("|", "\\|"))
    for key, n in incl.most_common(top):
        t.add("incl: " + key, f"{n / max(total, 1):.1%}", "")
    t.notes.append(
        "self = samples whose innermost Python line is this one (C work it called is included); "
        "incl = samples with this function anywhere under the root"
    )
    save(f"profile_{name}", t, {"samples": total})


def main(argv: list[str]) -> None:
    for name in argv or list(TARGETS):
        profile(name)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
