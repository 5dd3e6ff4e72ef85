"""How good is a model, measured three ways, always beside the keyword baseline.

    python -m training.report                      # shipped model: real dev cases + generated test set
    python -m training.report --loso               # also leave-one-stack-out (retrains 10 models, ~6 min)
    python -m training.report --markdown out.md    # the same tables as Markdown

1. Real cases (../shared/realcases/dev.jsonl): never trained on. Every miss is listed.
2. A generated test set from a seed the model never saw.
3. Leave-one-stack-out: for each serving stack, train on the others, test on it —
   how the model does on a stack it has never seen.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from classifier.evaluation import Scores, score
from classifier.incident import LABELS, Incident, incident_from_dict, load_incidents
from classifier.model import default_model_dir, load
from classifier.train import train_model
from training.baseline import KeywordBaseline
from training.build_default import REALCASES, SEED
from training.generator import STACKS, generate

TEST_SEED = 777


def _incidents(records) -> list[Incident]:
    return [incident_from_dict(r, f"generated[{i}]") for i, r in enumerate(records)]


def _row(name: str, s: Scores) -> str:
    recall = " | ".join(f"{s.per_label[label]['recall']:.2f}" for label in LABELS)
    return (f"| {name} | {s.n} | {s.accuracy:.3f} | {s.macro_f1:.3f} | {s.ece:.3f} | {recall} | "
            f"{s.coverage:.2f} / {s.accuracy_when_confident:.3f} |")


HEADER = ("| classifier | n | accuracy | macro-F1 | ECE | recall resource | recall config | recall model_bug | "
          "coverage / acc. above threshold |\n|---|---|---|---|---|---|---|---|---|")


def compare(title: str, incidents: Sequence[Incident], model) -> tuple[list[str], Scores]:
    y = [i.label for i in incidents]
    proba = model.predict_proba(incidents)
    s_model = score(y, proba, model.threshold)  # type: ignore[arg-type]
    s_base = score(y, KeywordBaseline().predict_proba(incidents))  # type: ignore[arg-type]
    lines = [f"### {title}", "", HEADER, _row(f"model {model.version}", s_model), _row("keyword baseline", s_base), "",
             "Confusion of the model (rows true, columns predicted: " + ", ".join(LABELS) + "): "
             + str(s_model.confusion), ""]
    return lines, s_model


def bootstrap(y: Sequence[str], proba: np.ndarray, n: int = 1000, seed: int = 0) -> str:
    """90% bootstrap intervals: on a few dozen cases a single number hides how unsure it is."""
    rng = np.random.default_rng(seed)
    y_arr = np.asarray(y)
    acc, f1, ece = [], [], []
    for _ in range(n):
        idx = rng.integers(0, len(y_arr), len(y_arr))
        s = score(list(y_arr[idx]), proba[idx])
        acc.append(s.accuracy)
        f1.append(s.macro_f1)
        ece.append(s.ece)
    q = lambda v: f"{np.percentile(v, 5):.3f}–{np.percentile(v, 95):.3f}"  # noqa: E731
    return f"90% bootstrap intervals ({n} resamples): accuracy {q(acc)}, macro-F1 {q(f1)}, ECE {q(ece)}"


def misses(incidents: Sequence[Incident], model) -> list[str]:
    proba = model.predict_proba(incidents)
    out = ["| case | true | predicted (p) | first signal line |", "|---|---|---|---|"]
    for inc, p in zip(incidents, proba):
        pred = LABELS[int(p.argmax())]
        if pred != inc.label:
            line = next((e.message for e in reversed(inc.logs) if e.message.strip()), "")[:100].replace("|", "\\|")
            out.append(f"| {inc.id} | {inc.label} | {pred} ({p.max():.2f}) | `{line}` |")
    return out if len(out) > 2 else ["(none)"]


def loso(n_train: int, n_test: int) -> list[str]:
    lines = ["### Leave-one-stack-out (train on the other stacks, test on this one)", "",
             "| held-out stack | n | model macro-F1 | model accuracy | model ECE | baseline macro-F1 |",
             "|---|---|---|---|---|---|"]
    f1s = []
    for stack in STACKS:
        t0 = time.perf_counter()
        train = _incidents(generate(n_train, seed=SEED, exclude_stacks=[stack]))
        test = _incidents(generate(n_test, seed=TEST_SEED, stacks=[stack]))
        trained = train_model(train, seed=SEED)
        y = [i.label for i in test]
        s = score(y, trained.model.predict_proba(test), trained.model.threshold)  # type: ignore[arg-type]
        b = score(y, KeywordBaseline().predict_proba(test))  # type: ignore[arg-type]
        f1s.append(s.macro_f1)
        lines.append(f"| {stack} | {s.n} | {s.macro_f1:.3f} | {s.accuracy:.3f} | {s.ece:.3f} | {b.macro_f1:.3f} |")
        print(f"  {stack}: macro-F1 {s.macro_f1:.3f} ({time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    lines += [f"| **mean** | | {np.mean(f1s):.3f} | | | |", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--loso", action="store_true")
    parser.add_argument("--n-test", type=int, default=3000)
    parser.add_argument("--markdown", type=Path, default=None)
    args = parser.parse_args(argv)
    model = load(args.model or default_model_dir())
    out: list[str] = [f"## Model report: {model.version}", ""]
    if REALCASES.is_file():
        real, _ = load_incidents([REALCASES])
        lines, _ = compare(f"Real cases ({REALCASES.name}, never trained on)", real, model)
        out += lines + [bootstrap([r.label for r in real], model.predict_proba(real)), "",  # type: ignore[misc]
                        "Misclassified real cases:", "", *misses(real, model), ""]
    test = _incidents(generate(args.n_test, seed=TEST_SEED))
    lines, _ = compare(f"Generated test set (seed {TEST_SEED}, {args.n_test} incidents)", test, model)
    out += lines
    if args.loso:
        out += loso(n_train=4000, n_test=600)
    text = "\n".join(out)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
