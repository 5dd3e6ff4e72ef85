"""Train a model on labeled incidents, measure it on held-out data, write it with its card.

Used by `smtriage train` (a team's own labeled incidents, optionally mixed
with generated ones) and by `training/build_default.py` (the shipped model).
The validation split chooses the `uncertain` threshold and gives the scores in
the manifest; nothing else is tuned on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .evaluation import Scores, score
from .incident import LABELS, Incident
from .model import TriageModel, choose_threshold, fit, save

TARGET_ACCURACY = 0.9


@dataclass
class Trained:
    model: TriageModel
    validation: Scores
    n_train: int
    n_valid: int


def split(incidents: Sequence[Incident], valid_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Stratified, seeded split of indices: the same data and seed give the same split."""
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(incidents))
    labels = [inc.label for inc in incidents]
    train, valid = train_test_split(idx, test_size=valid_fraction, random_state=seed, stratify=labels)
    return sorted(train.tolist()), sorted(valid.tolist())


def train_model(incidents: Sequence[Incident], *, seed: int = 0, valid_fraction: float = 0.2,
                weights: Sequence[float] | None = None, progress: Callable[[str], None] = lambda s: None,
                **params: Any) -> Trained:
    """Fit on a stratified share, choose the abstention threshold and score on the rest."""
    train_idx, valid_idx = split(incidents, valid_fraction, seed)
    train = [incidents[i] for i in train_idx]
    valid = [incidents[i] for i in valid_idx]
    w = np.asarray([weights[i] for i in train_idx], dtype=float) if weights is not None else None
    progress(f"fitting on {len(train):,} incidents (holding out {len(valid):,})")
    model = fit(train, sample_weight=w, **params)
    progress("scoring the held-out incidents")
    proba = model.predict_proba(valid)
    y = [inc.label for inc in valid]
    correct = (proba.argmax(axis=1) == np.array([LABELS.index(label) for label in y])).astype(float)  # type: ignore[arg-type]
    threshold = choose_threshold(proba.max(axis=1), correct, TARGET_ACCURACY)
    model.manifest["uncertain_threshold"] = threshold
    return Trained(model, score(y, proba, threshold), len(train), len(valid))  # type: ignore[arg-type]


def data_summary(incidents: Sequence[Incident]) -> dict[str, Any]:
    """What the model saw, for the manifest and the card (counts, not content)."""
    def count(key: Callable[[Incident], Any]) -> dict[str, int]:
        return dict(sorted(Counter(str(key(i)) for i in incidents).items()))

    return {
        "incidents": len(incidents),
        "labels": count(lambda i: i.label),
        "stacks": count(lambda i: (i.source or {}).get("stack", "unknown")),
        "styles": count(lambda i: (i.source or {}).get("style", "unknown")),
        "log_events": int(sum(len(i.logs) for i in incidents)),
        "with_metrics": int(sum(bool(i.metrics) for i in incidents)),
    }


def write(trained: Trained, directory: str | Path, *, training_data: dict[str, Any],
          reports: dict[str, Scores] | None = None, card: Callable[[dict[str, Any]], str] | None = None) -> dict[str, Any]:
    """Save the model with scores in its manifest; `card` renders MODEL_CARD.md from the manifest."""
    model = trained.model
    model.manifest.update({
        "training_data": training_data,
        "scores": {"validation": trained.validation.to_dict(),
                   **{name: s.to_dict() for name, s in (reports or {}).items()}},
        "calibration": "sigmoid (Platt) per class, 5-fold CalibratedClassifierCV",
        "target_accuracy_above_threshold": TARGET_ACCURACY,
    })
    manifest = save(model, directory)
    if card is not None:
        (Path(directory) / "MODEL_CARD.md").write_text(card(manifest))
    return manifest
