"""Rebuild the shipped model, models/default, from the repository alone.

    python -m training.build_default            # writes models/default
    python -m training.build_default --check    # rebuild into a temp dir and compare bytes

The training data is the real-case corpus (`data/realcases`, through
`training.realcases`) plus generated incidents that fill its gaps (metrics,
long windows, rare stacks). Before the final fit, the real corpus is
cross-validated grouped by source thread (`training.crossval`); those
out-of-fold answers, never the generator's, choose the `uncertain` threshold
and give the scores in the manifest and model card.

Same repository, same library versions -> the same model.skops bytes and the
same manifest (the model file is canonicalised and versioned by its own hash,
not by the clock).
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from classifier.evaluation import score
from classifier.incident import Incident, incident_from_dict, labels_of
from classifier.model import Manifest, fit
from classifier.model_card import render
from classifier.train import data_summary, group_of, threshold_for, write
from training import realcases
from training.crossval import cross_validate, live_summary, per_group
from training.generator import generate, generate_healthy

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "models" / "default"
SEED = 20261201
N_FAILURES = 1000
N_HEALTHY = 700
REAL_WEIGHT = 3.0  # a real case weighs this many generated ones ...
HIDDEN_CAUSE_WEIGHT = 0.3  # ... times this when its lines show a failure but not its cause (`realcases.cause_in_logs`)
DETECT = 0.35  # a line the line scorer rates at least this proposes an episode; the classifier judges it
FOLDS = 5
RECIPE = (
    f"`python -m training.build_default`: the real-case corpus (`data/realcases`, weight {REAL_WEIGHT:g}, "
    f"{HIDDEN_CAUSE_WEIGHT:g} of that for a case whose lines do not show its cause) plus {N_FAILURES} generated "
    f"failures and {N_HEALTHY} generated healthy windows (seed {SEED}); the `uncertain` threshold and the scores "
    f"come from {FOLDS}-fold cross-validation on the real cases grouped by source thread. "
    "`python -m training.build_default --check` rebuilds into a temporary directory and compares every file "
    "byte for byte."
)


def real_weights(real: list[Incident]) -> list[float]:
    return [REAL_WEIGHT * (1.0 if realcases.cause_in_logs(c) else HIDDEN_CAUSE_WEIGHT) for c in real]


def base_training_set(seed: int = SEED) -> tuple[list[Incident], list[float]]:
    """What the shipped model learns from, each incident with its weight: a team's retraining starts from it."""
    gen = generated(seed=seed)
    real = realcases.load()
    return gen + real, [1.0] * len(gen) + real_weights(real)


def generated(n_failures: int = N_FAILURES, n_healthy: int = N_HEALTHY, seed: int = SEED) -> list[Incident]:
    out = [incident_from_dict(rec, f"generated[{i}]") for i, rec in enumerate(generate(n_failures, seed=seed))]
    for i, rec in enumerate(generate_healthy(n_healthy, seed=seed)):
        out.append(incident_from_dict(rec, f"generated-healthy[{i}]"))
    return out


def build(out: Path, *, seed: int = SEED, progress=lambda s: print(s, file=sys.stderr)) -> Manifest:
    t0 = time.perf_counter()
    gen = generated(seed=seed)
    real = realcases.load()
    progress(f"{len(real)} real cases, {len(gen):,} generated incidents ({time.perf_counter() - t0:.1f}s)")
    weights = real_weights(real)
    cv = cross_validate(real, gen, k=FOLDS, real_weights=weights, progress=progress, detect=DETECT)
    truth = labels_of(real)
    shown = [i for i, c in enumerate(real) if realcases.cause_in_logs(c)]
    # the threshold is chosen where a verdict can be right: on the cases whose lines show their cause
    threshold = threshold_for([truth[i] for i in shown], cv.proba[shown])
    cv = cv.with_threshold(threshold)
    records = score(truth, cv.proba, threshold)
    records_shown = score([truth[i] for i in shown], cv.proba[shown], threshold)
    progress(
        f"grouped CV on the real cases: macro-F1 {records.macro_f1:.3f} ({records_shown.macro_f1:.3f} where the "
        f"lines show the cause), ECE {records.ece:.3f}; uncertain below {threshold:.2f}"
    )
    data = gen + real
    model = fit(data, sample_weight=np.array([1.0] * len(gen) + weights), groups=[group_of(i) for i in data])
    model.uncertain_threshold, model.detect_threshold = threshold, DETECT
    summary = data_summary(data) | {
        "real_cases": len(real),
        "real_weight": REAL_WEIGHT,
        "real_cases_cause_in_logs": len(shown),
        "generator": f"training.generator, seed {seed}: {N_FAILURES} failures, {N_HEALTHY} healthy windows",
    }
    live_all = live_summary(truth, cv.live, cv.live_best)
    live_shown = live_summary([truth[i] for i in shown], [cv.live[i] for i in shown], [cv.live_best[i] for i in shown])
    scores = {
        "real cases whose lines show the cause, grouped CV, as records": records_shown.to_dict(),
        "real cases whose lines show the cause, grouped CV, as live endpoints": {
            k: round(v, 4) for k, v in live_shown.items()
        },
        "all real cases, grouped CV, as records": records.to_dict(),
        "all real cases, grouped CV, as live endpoints": {k: round(v, 4) for k, v in live_all.items()},
        "all real cases, grouped CV, per stack": per_group(real, truth, cv, "family"),
    }
    manifest = write(model, out, training_data=summary, scores=scores, card=lambda m: render(m, recipe=RECIPE))
    progress(f"wrote {out} in {time.perf_counter() - t0:.1f}s: {manifest.model_version}")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="rebuild into a temp dir and compare with --out")
    args = parser.parse_args(argv)
    if not args.check:
        build(args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        names = ["model.skops", "manifest.json", "MODEL_CARD.md"]
        _, mismatch, errors = filecmp.cmpfiles(args.out, tmp, names, shallow=False)
        for name in mismatch + errors:
            print(f"differs: {name}", file=sys.stderr)
        print("identical" if not mismatch and not errors else "NOT identical", file=sys.stderr)
        return 1 if mismatch or errors else 0


if __name__ == "__main__":
    sys.exit(main())
