"""Scores of a set of predictions against labels: what `smtriage evaluate` and the model card report.

Plain numpy so a keyword baseline or any other classifier is scored by the
same code as the model (a comparison is only fair through one ruler).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .incident import OUTCOMES, Incident
from .model.pipeline import decide


@dataclass
class Scores:
    n: int
    accuracy: float
    macro_f1: float
    per_label: dict[str, dict[str, float]]
    confusion: list[list[int]]  # rows: true label, columns: predicted label, both in OUTCOMES order
    ece: float
    coverage: float  # share of verdicts that are not `uncertain`
    accuracy_when_confident: float
    threshold: float
    labels: list[str] = field(default_factory=lambda: list(OUTCOMES))

    def to_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    """Weighted mean |accuracy - confidence| over equal-width confidence bins."""
    if len(confidence) == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(correct[mask].mean() - confidence[mask].mean())
    return float(ece)


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean confidence, accuracy, count) per non-empty bin, for the reliability diagram."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    return [
        (float(confidence[which == b].mean()), float(correct[which == b].mean()), int((which == b).sum()))
        for b in range(bins)
        if (which == b).any()
    ]


def score(y_true: Sequence[str], proba: np.ndarray, threshold: float = 0.0) -> Scores:
    """Scores of probability rows (columns in OUTCOMES order) against true labels, each row's answer chosen as the
    product chooses it (`decide`)."""
    index = {label: i for i, label in enumerate(OUTCOMES)}
    t = np.array([index[y] for y in y_true], dtype=int)
    p = decide(proba) if len(t) else np.zeros(0, dtype=int)
    conf = proba[np.arange(len(t)), p] if len(t) else np.zeros(0)
    correct = (p == t).astype(float)
    k = len(OUTCOMES)
    confusion = np.zeros((k, k), dtype=int)
    np.add.at(confusion, (t, p), 1)
    per_label = {}
    f1s = []
    for i, label in enumerate(OUTCOMES):
        tp = confusion[i, i]
        precision = tp / confusion[:, i].sum() if confusion[:, i].sum() else 0.0
        recall = tp / confusion[i, :].sum() if confusion[i, :].sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": round(float(precision), 4),
            "recall": round(float(recall), 4),
            "f1": round(float(f1), 4),
            "support": int(confusion[i, :].sum()),
        }
        if confusion[i, :].sum():
            f1s.append(f1)
    kept = conf >= threshold
    return Scores(
        n=len(t),
        accuracy=float(correct.mean()) if len(t) else 0.0,
        macro_f1=float(np.mean(f1s)) if f1s else 0.0,
        per_label=per_label,
        confusion=confusion.tolist(),
        ece=expected_calibration_error(conf, correct),
        coverage=float(kept.mean()) if len(t) else 0.0,
        accuracy_when_confident=float(correct[kept].mean()) if kept.any() else 0.0,
        threshold=threshold,
    )


def source_of(incident: Incident) -> str:
    """Where an incident comes from: the generator, the real-case corpus, or the team itself."""
    src = incident.source or {}
    if src.get("generator"):
        return "generated"
    if src.get("corpus"):
        return "real public cases"
    return "your own incidents"


def scores_by_source(
    incidents: Sequence[Incident], truth: Sequence[str], proba: np.ndarray, threshold: float
) -> dict[str, Scores]:
    """The scores of each source of incidents apart: a team sees how the model does on its own."""
    sources = np.array([source_of(i) for i in incidents])
    return {
        name: score([truth[i] for i in np.flatnonzero(sources == name).tolist()], proba[sources == name], threshold)
        for name in sorted(set(sources.tolist()))
    }
