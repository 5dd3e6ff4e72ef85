"""Write a synthetic training corpus as JSONL: `smtriage generate`, or `python -m training.generate`.

    python -m training.generate --n 6000 --seed 7 --out data/generated/train.jsonl \\
        [--stacks a,b] [--exclude-stacks c] [--signatures x,y] [--healthy N]

Failures come first, then ``--healthy`` windows with no failure (label no_failure).
The generator fills gaps the real corpus leaves; its incidents are no
evidence of quality on real endpoints.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from pathlib import Path

from classifier.incident import json_text, replace_on_success
from training.generator import STACKS, generate, generate_healthy


def csv_list(value: str | None) -> list[str] | None:
    """Comma-separated names as a list ("a, b" -> ["a", "b"]); nothing given -> None (no filter)."""
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def corpus(
    n: int,
    seed: int = 0,
    *,
    healthy: int = 0,
    stacks: Sequence[str] | None = None,
    exclude_stacks: Sequence[str] | None = None,
    signatures: Sequence[str] | None = None,
) -> Iterator[dict]:
    """`n` failure incidents, then `healthy` windows without one; an unknown stack or signature is a ValueError
    here, before anything is made or written."""
    healthy_stacks = [s for s in (stacks or STACKS) if s not in (exclude_stacks or ())]
    return chain(
        generate(n, seed, stacks=stacks, exclude_stacks=exclude_stacks, signature_names=signatures),
        generate_healthy(healthy, seed, stacks=healthy_stacks) if healthy else (),
    )


def write_corpus(
    out: str | Path, records: Iterable[dict], progress: Callable[[int], None] | None = None
) -> Counter[str]:
    """Write the records to `out` (.gz to compress, - for stdout); the file appears only once complete.
    Returns how many records of each label were written."""
    labels: Counter[str] = Counter()
    with replace_on_success(out) as fh:
        for rec in records:
            fh.write(json_text(rec) + "\n")
            labels[rec["label"]] += 1
            if progress:
                progress(1)
    return labels


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.generate", description=(__doc__ or "").splitlines()[0])
    p.add_argument("--n", type=int, required=True, help="number of failure incidents")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True, help="output JSONL path")
    p.add_argument("--stacks", help="comma-separated stacks to include (default: all)")
    p.add_argument("--exclude-stacks", help="comma-separated stacks to leave out")
    p.add_argument("--signatures", help="comma-separated signature names to include (default: all)")
    p.add_argument("--healthy", type=int, default=0, help="number of extra no-failure windows")
    a = p.parse_args(argv)
    t0 = time.perf_counter()
    try:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        records = corpus(
            a.n,
            a.seed,
            healthy=a.healthy,
            stacks=csv_list(a.stacks),
            exclude_stacks=csv_list(a.exclude_stacks),
            signatures=csv_list(a.signatures),
        )
        labels = write_corpus(a.out, records)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    took = time.perf_counter() - t0
    summary = ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
    print(f"wrote {sum(labels.values())} records to {a.out} in {took:.1f}s ({summary})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
