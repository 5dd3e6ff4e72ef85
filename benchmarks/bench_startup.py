"""(4) Start-up: `smtriage --help` wall time vs `python -c "import typer"` (target <= 1.3x).

Measured with hyperfine (`apt-get install hyperfine`) when present, else
best-of-N subprocess runs timed with time.perf_counter. Also checks that
`--help` imports none of numpy, scipy, scikit-learn, boto3 and skops, and lists
the largest imports it does make (python -X importtime).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from .common import PY, ROOT, SMTRIAGE, Table, Timing, repeat, save, say

TARGET = 1.3
HEAVY = ("numpy", "scipy", "sklearn", "boto3", "botocore", "skops", "joblib")


def _hyperfine(commands: dict[str, list[str]], runs: int) -> dict[str, Timing]:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "h.json")
        argv = ["hyperfine", "-N", "--warmup", "3", "--runs", str(runs), "--export-json", out, "--style", "none"]
        for name, cmd in commands.items():
            argv += ["--command-name", name, subprocess.list2cmdline(cmd)]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        data = json.load(open(out))
    return {r["command"]: Timing(r["times"]) for r in data["results"]}


def _subprocess(commands: dict[str, list[str]], runs: int) -> dict[str, Timing]:
    out = {}
    for name, cmd in commands.items():
        for _ in range(3):
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            times.append(time.perf_counter() - t0)
        out[name] = Timing(times)
    return out


def _imports() -> tuple[list[str], list[tuple[str, float]]]:
    code = (
        "import sys, io, contextlib\nsys.argv=['smtriage','--help']\nfrom classifier.cli import main\n"
        "try:\n  with contextlib.redirect_stdout(io.StringIO()): main()\nexcept SystemExit: pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    r = subprocess.run([PY, "-X", "importtime", "-c", code], capture_output=True, text=True, cwd=ROOT)
    heavy = [m for m in r.stdout.strip().split(",") if m]
    tops = []
    for line in r.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):  # top level only
            tops.append((parts[2].strip(), int(parts[1]) / 1000))
    return heavy, sorted(tops, key=lambda x: -x[1])[:6]


def main() -> None:
    commands = {
        "smtriage --help": [SMTRIAGE, "--help"],
        "python -c 'import typer'": [PY, "-c", "import typer"],
        "(info) TYPER_USE_RICH=0 smtriage --help": ["env", "TYPER_USE_RICH=0", SMTRIAGE, "--help"],
        "(info) python -c 'import typer, rich.console'": [PY, "-c", "import typer, rich.console"],
        "python -c pass — interpreter floor": [PY, "-c", "pass"],
    }
    runs = repeat(20)
    tool = "hyperfine" if shutil.which("hyperfine") else "subprocess best-of-N"
    say(f"start-up with {tool}, {runs} runs each ...")
    timings = _hyperfine(commands, runs) if tool == "hyperfine" else _subprocess(commands, runs)
    heavy, tops = _imports()
    base = timings["python -c 'import typer'"]
    t = Table(
        f"(4) Start-up wall time ({tool}, {runs} runs after warm-up)",
        ["command", "min ms", "median ms", "vs import typer (min)", "target", "met"],
    )
    for name, tm in timings.items():
        ratio = tm.min / base.min
        is_help = name == "smtriage --help"
        t.add(
            name,
            tm.min * 1000,
            tm.median * 1000,
            f"{ratio:.2f}x",
            f"<= {TARGET}x" if is_help else "",
            ("yes" if ratio <= TARGET else "NO") if is_help else "",
        )
    t.notes += [
        f"heavy modules imported by --help: {', '.join(heavy) if heavy else 'none'} (checked: {', '.join(HEAVY)})",
        "largest top-level imports of --help (cumulative ms, -X importtime): "
        + ", ".join(f"{m} {ms:.0f}" for m, ms in tops),
        "the TYPER_USE_RICH=0 row forces typer's plain click help for comparison (set for that command only)",
    ]
    save("startup", t, {"ms": {k: v.runs for k, v in timings.items()}, "heavy_imported": heavy, "imports": tops})


if __name__ == "__main__":
    sys.exit(main())
