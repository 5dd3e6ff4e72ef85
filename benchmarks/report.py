"""Collect benchmarks/_data/results/*.json into one markdown report.

Writes benchmarks/_data/results/RESULTS.md; with --readme, also replaces the
block between the `results:start` / `results:end` markers in benchmarks/README.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .common import RESULTS, ROOT, Table

ORDER = [
    "featurize",
    "classify",
    "classify_process",
    "startup",
    "batch",
    "train",
    "profile_featurize",
    "profile_triage",
    "profile_batch",
]
START, END = "<!-- results:start -->", "<!-- results:end -->"


def glance(found: dict) -> str:
    """The issue's targets, met or not, from the saved timings (min of each best-of-N)."""
    rows = []
    f = found.get("featurize")
    if f:
        sec, n = f["seconds"], f["lines"]
        prod = min(sec["product"])
        for name, peer, target in (("Drain3", "drain3", 5.0), ("HashingVectorizer", "hashing", 10.0)):
            r = min(sec[peer]) / prod
            rows.append(
                (
                    f"(1) featurizer vs {name}",
                    f">= {target:.0f}x its lines/s",
                    f"{r:.1f}x ({n / prod:,.0f} vs {n / min(sec[peer]):,.0f} lines/s)",
                    r >= target,
                )
            )
        g = prod / min(sec["grep"])
        rows.append(
            (
                "(1) featurizer vs grep (ceiling)",
                "<= 5x its time",
                f"{g:.1f}x ({prod:.2f} s vs {min(sec['grep']):.2f} s)",
                g <= 5.0,
            )
        )
        rows.append(("(1) absolute", "~1,000,000 lines/s", f"{n / prod:,.0f} lines/s", n / prod >= 1e6))
    c = found.get("classify")
    if c:
        sec = c["seconds"]
        # older results lack the in-run timing: fall back to the difference of the minimums
        after = (
            min(sec["post_fetch_in_run"]) if "post_fetch_in_run" in sec else min(sec["classify"]) - min(sec["fetch"])
        )
        share = after / min(sec["plain"])
        rows.append(
            (
                "(3) classify after the fetch",
                "<= 10% of the fetch",
                f"{share:.0%} ({after:.2f} s after a {min(sec['plain']):.2f} s boto3 fetch)",
                share <= 0.10,
            )
        )
    st = found.get("startup")
    if st:
        ms = st["ms"]
        helptime, typer = min(ms["smtriage --help"]), min(ms["python -c 'import typer'"])
        rows.append(
            (
                "(4) smtriage --help",
                "<= 1.3x import typer",
                f"{helptime / typer:.2f}x ({helptime * 1000:.0f} vs {typer * 1000:.0f} ms)",
                helptime / typer <= 1.3,
            )
        )
    if not rows:
        return ""
    out = ["#### Targets", "", "| | target | measured | met |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {'yes' if ok else 'no'} |" for a, b, c, ok in rows]
    return "\n".join(out)


def render(results: Path = RESULTS) -> str:
    found = {p.stem: json.loads(p.read_text()) for p in results.glob("*.json")}
    if not found:
        return "(no results yet: run `bash benchmarks/run_all.sh`)"
    names = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    m = max((found[n]["machine"] for n in names), key=lambda x: x["date"])
    dates = sorted(found[n]["machine"]["date"] for n in names)
    loads = [found[n]["machine"].get("loadavg_1m") for n in names]
    head = [
        f"Measured {dates[0]} – {dates[-1]} on {m['cores']} cores, {m['cpu']}"
        + (f" ({m['cpu_mhz']:.0f} MHz)" if m.get("cpu_mhz") else "")
        + f", {m['mem_gib']} GiB; Python {m['python']}, numpy {m['numpy']}, scikit-learn {m['sklearn']}; "
        f"code {', '.join(sorted({found[n]['machine'].get('code', '?') for n in names}))}; "
        f"OPENBLAS_CORETYPE={m.get('OPENBLAS_CORETYPE') or 'unset'}. "
        f"1-minute load average when each benchmark finished: {', '.join(str(x) for x in loads)} "
        "(the machine was shared with other work; the min of best-of-N is the figure to compare).",
    ]
    body = [glance(found)] if glance(found) else []
    for n in names:
        t = found[n]["table"]
        body.append(Table(t["title"], t["columns"], t["rows"], t["notes"]).markdown())
    return "\n\n".join(head + body)


def main(argv: list[str]) -> int:
    text = render()
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "RESULTS.md").write_text(text + "\n")
    print(f"wrote {RESULTS / 'RESULTS.md'}")
    if "--readme" in argv:
        readme = ROOT / "benchmarks" / "README.md"
        old = readme.read_text()
        a, b = old.index(START) + len(START), old.index(END)
        readme.write_text(old[:a] + "\n" + text + "\n" + old[b:])
        print(f"updated {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
