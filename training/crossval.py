"""Cross-validation on the real corpus, grouped by source thread: how the model does on reports it never saw.

Each fold trains on the generated incidents plus the real cases of the other
folds, then scores its own real cases twice: as records (what `batch` and
`evaluate` see) and as live windows (each case in one burst amid 30 minutes
of its stack's healthy traffic, triaged as `classify` triages a CloudWatch
window). No thread is ever in both a training and a test fold.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from classifier.incident import NO_FAILURE, OUTCOMES, UNCERTAIN, Incident
from classifier.model import TriageModel, decide, fit
from classifier.train import group_of
from classifier.triage import rules_of, triage_window
from training.live import as_window

WINDOW_END = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)


@dataclass
class Fold:
    """Out-of-fold answers for the real cases: record probabilities and what the live path said."""

    proba: np.ndarray  # (n_real, len(OUTCOMES)), record-level
    live: list[str]  # per real case: the live verdict's label (a cause, UNCERTAIN, or NO_FAILURE)
    live_best: list[str]  # ... its best guess
    live_conf: np.ndarray

    def with_threshold(self, threshold: float) -> Fold:
        """The live answers as a model with this `uncertain` threshold gives them."""
        live = [
            b if b == NO_FAILURE or c >= threshold else UNCERTAIN
            for b, c in zip(self.live_best, self.live_conf.tolist())
        ]
        return Fold(self.proba, live, self.live_best, self.live_conf)


def fold_of(incident: Incident, k: int) -> int:
    return zlib.crc32(group_of(incident).encode()) % k


def live_answer(model: TriageModel, case: Incident, minutes: float = 30) -> tuple[str, str, float]:
    """What `classify` would say of the case served as a live endpoint (in memory, no AWS)."""
    found = triage_window(model, as_window(case, WINDOW_END, minutes=minutes), rules_of(model))
    if not found:
        return NO_FAILURE, NO_FAILURE, 1.0
    _, v = max(found, key=lambda pair: pair[1].confidence)
    return v.label, v.best_guess, v.confidence


def cross_validate(
    real: Sequence[Incident],
    generated: Sequence[Incident],
    *,
    k: int = 5,
    real_weights: Sequence[float] | None = None,
    detect: float | None = None,
    progress: Callable[[str], None] = lambda s: None,
    **params: Any,
) -> Fold:
    """Out-of-fold answers for every real case; `real_weights` weigh each real case against a generated one."""
    real = list(real)
    rw = np.ones(len(real)) if real_weights is None else np.asarray(real_weights, dtype=float)
    folds = np.array([fold_of(c, k) for c in real])
    proba = np.zeros((len(real), len(OUTCOMES)))
    live: list[str] = [""] * len(real)
    best: list[str] = [""] * len(real)
    conf = np.zeros(len(real))
    for f in range(k):
        test = np.flatnonzero(folds == f)
        inside = np.flatnonzero(folds != f)
        train = [real[i] for i in inside]
        data = list(generated) + train
        w = np.concatenate([np.ones(len(generated)), rw[inside]])
        model = fit(data, sample_weight=w, groups=[group_of(i) for i in data], **params)
        if detect is not None:
            model.detect_threshold = detect
        cases = [real[i] for i in test]
        proba[test] = model.predict_proba(cases)
        for i, case in zip(test.tolist(), cases):
            live[i], best[i], conf[i] = live_answer(model, case)
        progress(f"fold {f + 1}/{k}: {len(test)} real cases scored")
    return Fold(proba, live, best, conf)


def live_summary(truth: Sequence[str], live: Sequence[str], best: Sequence[str]) -> dict[str, float]:
    from sklearn.metrics import f1_score

    from classifier.incident import LABELS

    fail = [i for i, t in enumerate(truth) if t != NO_FAILURE]
    healthy = [i for i, t in enumerate(truth) if t == NO_FAILURE]
    out: dict[str, float] = {}
    if fail:
        y = [truth[i] for i in fail]
        out["macro_f1"] = float(
            f1_score(y, [live[i] for i in fail], labels=list(LABELS), average="macro", zero_division=0)
        )
        out["macro_f1_best_guess"] = float(
            f1_score(y, [best[i] for i in fail], labels=list(LABELS), average="macro", zero_division=0)
        )
        out["no_failure_found"] = sum(live[i] == NO_FAILURE for i in fail) / len(fail)
        out["uncertain"] = sum(live[i] == UNCERTAIN for i in fail) / len(fail)
    if healthy:
        out["false_alarms"] = sum(live[i] != NO_FAILURE for i in healthy) / len(healthy)
    return out


def per_group(real: Sequence[Incident], truth: Sequence[str], fold: Fold, key: str) -> dict[str, dict[str, float]]:
    """Per value of `source[key]` (the stack): cases, record accuracy and live accuracy."""
    groups: dict[str, list[int]] = {}
    for i, case in enumerate(real):
        groups.setdefault(str((case.source or {}).get(key, "unknown")), []).append(i)
    pred = [OUTCOMES[j] for j in decide(fold.proba)]
    return {
        name: {
            "n": len(idx),
            "record_accuracy": round(sum(pred[i] == truth[i] for i in idx) / len(idx), 4),
            "live_accuracy": round(sum(fold.live[i] == truth[i] for i in idx) / len(idx), 4),
        }
        for name, idx in sorted(groups.items())
    }
