"""Rebuild the shipped model, models/default, from a fixed seed.

    python -m training.build_default            # writes models/default
    python -m training.build_default --check    # rebuild into a temp dir and compare bytes

Same seed, same library versions -> the same model.skops bytes and the same
manifest (the model file is canonicalised and versioned by its own hash, not
by the clock). The real public cases are scored for the card only: they are
never trained on and never choose the threshold.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
import time
from pathlib import Path

from classifier.evaluation import score
from classifier.incident import incident_from_dict, load_incidents
from classifier.model_card import render
from classifier.train import data_summary, train_model, write
from training.generator import generate

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "models" / "default"
REALCASES = ROOT.parent / "shared" / "realcases" / "dev.jsonl"
SEED = 20261125
N_INCIDENTS = 6000
RECIPE = ("`python -m training.build_default` (seed 20261125, 6000 generated incidents, 20% stratified "
          "validation split). `python -m training.build_default --check` rebuilds into a temporary directory and "
          "compares every file byte for byte.")


def build(out: Path, *, n: int = N_INCIDENTS, seed: int = SEED, realcases: Path | None = REALCASES) -> dict:
    t0 = time.perf_counter()
    incidents = [incident_from_dict(rec, f"generated[{i}]") for i, rec in enumerate(generate(n, seed=seed))]
    print(f"generated {len(incidents):,} incidents in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    trained = train_model(incidents, seed=seed, progress=lambda s: print(s, file=sys.stderr))
    reports = {}
    if realcases is not None and realcases.is_file():
        real, _ = load_incidents([realcases])
        reports["realcases (dev, never trained on)"] = score([r.label for r in real],
                                                             trained.model.predict_proba(real),
                                                             trained.model.threshold)
    summary = data_summary(incidents) | {"generator": f"training.generator, seed {seed}, n {n}"}
    manifest = write(trained, out, training_data=summary, reports=reports,
                     card=lambda m: render(m, recipe=RECIPE))
    print(f"wrote {out} in {time.perf_counter() - t0:.1f}s: {manifest['model_version']}", file=sys.stderr)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--n", type=int, default=N_INCIDENTS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--check", action="store_true", help="rebuild into a temp dir and compare with --out")
    args = parser.parse_args(argv)
    if not args.check:
        build(args.out, n=args.n, seed=args.seed)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp), n=args.n, seed=args.seed)
        names = ["model.skops", "manifest.json", "MODEL_CARD.md"]
        _, mismatch, errors = filecmp.cmpfiles(args.out, tmp, names, shallow=False)
        for name in mismatch + errors:
            print(f"differs: {name}", file=sys.stderr)
        print("identical" if not mismatch and not errors else "NOT identical", file=sys.stderr)
        return 1 if mismatch or errors else 0


if __name__ == "__main__":
    sys.exit(main())
