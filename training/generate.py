"""Command line: write a synthetic training corpus as JSONL.

    python -m training.generate --n 6000 --seed 7 --out data/generated/train.jsonl \\
        [--stacks a,b] [--exclude-stacks c] [--signatures x,y] [--healthy N]

Failures come first, then ``--healthy`` windows with no failure (label no_failure).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from training.generator import STACKS, generate, generate_healthy


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.generate", description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, required=True, help="number of failure incidents")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help="output JSONL path")
    p.add_argument("--stacks", help="comma-separated stacks to include (default: all)")
    p.add_argument("--exclude-stacks", help="comma-separated stacks to leave out")
    p.add_argument("--signatures", help="comma-separated signature names to include (default: all)")
    p.add_argument("--healthy", type=int, default=0, help="number of extra no-failure windows")
    a = p.parse_args(argv)
    stacks, excl, sigs = _csv(a.stacks), _csv(a.exclude_stacks), _csv(a.signatures)
    t0 = time.perf_counter()
    labels: Counter[str] = Counter()
    try:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        with a.out.open("w", encoding="utf-8") as f:
            for rec in generate(a.n, a.seed, stacks=stacks, exclude_stacks=excl, signature_names=sigs):
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                labels[rec["label"]] += 1
            if a.healthy:
                healthy_stacks = [s for s in (stacks or STACKS) if s not in (excl or ())]
                for rec in generate_healthy(a.healthy, a.seed, stacks=healthy_stacks):
                    f.write(json.dumps(rec, ensure_ascii=False) + "\n")
                    labels["no_failure"] += 1
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    took = time.perf_counter() - t0
    summary = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    print(f"wrote {sum(labels.values())} records to {a.out} in {took:.1f}s ({summary})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
