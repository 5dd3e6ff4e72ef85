"""How good is a model, measured where users meet it, always beside the keyword baseline.

    python -m training.report                      # the shipped model
    python -m training.report --model DIR --markdown out.md

1. Real cases, grouped cross-validation by source thread (from the model's
   manifest, computed when it was built): per outcome, per stack, as records
   and as live endpoints, on all cases and on those whose lines show their cause.
2. The check set (`../shared/realcases/dev.jsonl`, never trained on), when it
   is beside the repository: each case served as a live endpoint on a local
   moto server and diagnosed by `smtriage classify` (`training.live`), and
   scored as records; every miss listed.
3. A generated test set from a seed the model never saw: a smoke test of the
   generator's world, not evidence of quality.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from classifier.evaluation import Scores, score
from classifier.incident import OUTCOMES, Incident, incident_from_dict, labels_of, load_incidents
from classifier.model import default_model_dir, load
from classifier.model_card import section
from training.baseline import KeywordBaseline
from training.generator import generate, generate_healthy
from training.live import classify_live, family, summary
from training.realcases import DEV

TEST_SEED = 777
HEADER = (
    "| classifier | n | accuracy | macro-F1 | ECE | "
    + " | ".join(f"recall {o}" for o in OUTCOMES)
    + " | coverage / acc. above threshold |\n|---|---|---|---|---|"
    + "---|" * len(OUTCOMES)
    + "---|"
)


def _row(name: str, s: Scores) -> str:
    recall = " | ".join(f"{s.per_label[o]['recall']:.2f}" if s.per_label[o]["support"] else "–" for o in OUTCOMES)
    return (
        f"| {name} | {s.n} | {s.accuracy:.3f} | {s.macro_f1:.3f} | {s.ece:.3f} | {recall} | "
        f"{s.coverage:.2f} / {s.accuracy_when_confident:.3f} |"
    )


def records_table(title: str, incidents: Sequence[Incident], model) -> list[str]:
    y = labels_of(incidents)
    s_model = score(y, model.predict_proba(incidents), model.uncertain_threshold)
    s_base = score(y, KeywordBaseline().predict_proba(incidents))
    return [
        f"### {title}",
        "",
        HEADER,
        _row(f"model {model.version}", s_model),
        _row("keyword baseline", s_base),
        "",
        "Confusion of the model (rows true, columns predicted: " + ", ".join(OUTCOMES) + "): " + str(s_model.confusion),
        "",
    ]


def live_section(title: str, cases: Sequence[Incident], model_dir: Path) -> list[str]:
    results = classify_live(cases, model_dir=model_dir, progress=True)
    lines = section(title, summary(results))
    misses = [r for r in results if r.predicted != r.truth]
    lines += [
        "Misses (the verdict `classify` printed):",
        "",
        "| case | stack | true | verdict (confidence) | best guess |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.case.id} | {family(r.case)} | {r.truth} | {r.predicted} ({r.confidence:.2f}) | {r.best_guess} |"
        for r in misses
    ] or ["| (none) | | | | |"]
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--n-test", type=int, default=2000)
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    model_dir = args.model or default_model_dir()
    model = load(model_dir)
    out: list[str] = [f"## Model report: {model.version}", ""]
    for name, s in (model.manifest.scores if model.manifest else {}).items():
        out += section(name, s)
    if DEV.is_file():
        dev, _ = load_incidents([DEV])
        out += live_section(
            f"Check set ({DEV.name}, never trained on) served as live endpoints through `smtriage classify` on moto",
            dev,
            model_dir,
        )
        out += records_table(f"Check set ({DEV.name}) as records", dev, model)
    test = [
        incident_from_dict(r, f"generated[{i}]")
        for i, r in enumerate(
            list(generate(args.n_test, seed=TEST_SEED)) + list(generate_healthy(args.n_test // 4, seed=TEST_SEED))
        )
    ]
    out += records_table(f"Generated test set (seed {TEST_SEED}: a smoke test of the generator's world)", test, model)
    text = "\n".join(out)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
