"""Train a model on labeled incidents, measure it on held-out data, write it with its card.

Used by `smtriage train` (a team's own labeled incidents, on top of the
shipped model's own training set unless told otherwise) and by
`training/build_default.py` (the shipped model). The validation split
chooses the `uncertain` threshold and gives the scores in the manifest,
reported apart for each source of incidents (the team's own, real public
reports, generated), so a team sees how the model does on its incidents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import UsageError
from .evaluation import Scores, score, scores_by_source, source_of
from .incident import OUTCOMES, Incident, labels_of
from .model import Manifest, TriageModel, choose_threshold, decide, fit, save

TARGET_ACCURACY = 0.9
# Of each outcome: a fifth is held out, and what is left must fill five calibration folds.
MIN_PER_OUTCOME = 10


@dataclass
class Trained:
    model: TriageModel
    validation: Scores
    n_train: int
    n_valid: int
    by_source: dict[str, Scores]  # the validation split, one score per source of incidents


def split(incidents: Sequence[Incident], valid_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded split of indices, stratified by outcome within each source (`evaluation.source_of`): a team's
    dozen incidents are held out in their share, not left to chance among thousands of others, so the
    held-out score shows them apart. The same data and seed give the same split."""
    from sklearn.model_selection import train_test_split

    sources = np.array([source_of(inc) for inc in incidents])
    train: list[int] = []
    valid: list[int] = []
    for name in sorted(set(sources.tolist())):
        idx = np.flatnonzero(sources == name)
        if len(idx) * valid_fraction < 1:
            train += idx.tolist()  # too few to hold any out
            continue
        labels = [incidents[i].label for i in idx.tolist()]
        fewest = min(Counter(labels).values())
        stratify = labels if fewest >= 2 and len(idx) * valid_fraction >= len(set(labels)) else None
        t, v = train_test_split(idx, test_size=valid_fraction, random_state=seed, stratify=stratify)
        train += t.tolist()
        valid += v.tolist()
    return sorted(train), sorted(valid)


def threshold_for(truth: Sequence[str], proba: np.ndarray) -> float:
    """The `uncertain` threshold: the widest coverage whose verdicts are right TARGET_ACCURACY of the time."""
    answer = decide(proba)
    correct = (answer == np.array([OUTCOMES.index(label) for label in truth])).astype(float)
    return choose_threshold(proba[np.arange(len(answer)), answer], correct, TARGET_ACCURACY)


def group_of(incident: Incident) -> str:
    """Incidents from one source thread belong together: never split across training and test folds."""
    url = (incident.source or {}).get("url")
    return str(url) if url else str(incident.id)


def train_model(
    incidents: Sequence[Incident],
    *,
    seed: int = 0,
    valid_fraction: float = 0.2,
    weights: Sequence[float] | None = None,
    progress: Callable[[str], None] = lambda s: None,
    **params: Any,
) -> Trained:
    """Fit on a stratified share, choose the abstention threshold and score on the rest."""
    counts = Counter(labels_of(incidents))
    short = {o: counts[o] for o in OUTCOMES if counts[o] < MIN_PER_OUTCOME}
    if short:
        raise UsageError(
            "too few labeled incidents to train on: "
            + ", ".join(f"{o} {n}" for o, n in short.items())
            + f"; each outcome needs at least {MIN_PER_OUTCOME} (without --no-base, the shipped training set "
            "supplies them)"
        )
    train_idx, valid_idx = split(incidents, valid_fraction, seed)
    train = [incidents[i] for i in train_idx]
    valid = [incidents[i] for i in valid_idx]
    w = np.asarray([weights[i] for i in train_idx], dtype=float) if weights is not None else None
    progress(f"fitting on {len(train):,} incidents (holding out {len(valid):,})")
    model = fit(train, sample_weight=w, groups=[group_of(i) for i in train], **params)
    progress("scoring the held-out incidents")
    proba = model.predict_proba(valid)
    y = labels_of(valid)
    threshold = threshold_for(y, proba)
    model.uncertain_threshold = threshold
    by_source = scores_by_source(valid, y, proba, threshold)
    return Trained(model, score(y, proba, threshold), len(train), len(valid), by_source)


def retrain(
    own: Sequence[Incident],
    output: str | Path,
    *,
    base: tuple[Sequence[Incident], Sequence[float]] | None,
    own_weight: float,
    seed: int = 0,
    valid_fraction: float = 0.2,
    progress: Callable[[str], None] = lambda s: None,
    card: Callable[[Manifest], str] | None = None,
) -> tuple[Trained, Manifest]:
    """A team's model: its own labeled incidents (each weighing `own_weight` generated ones) on top of `base`."""
    base_incidents, base_weights = base if base is not None else ((), ())
    incidents = list(base_incidents) + list(own)
    weights = list(base_weights) + [own_weight] * len(own)
    trained = train_model(incidents, seed=seed, valid_fraction=valid_fraction, weights=weights, progress=progress)
    summary = data_summary(incidents) | {
        "own_incidents": len(own),
        "own_weight": own_weight,
        "base": "the shipped model's training set" if base is not None else "none",
    }
    scores = {
        "validation": trained.validation.to_dict(),
        **{f"validation: {name}": s.to_dict() for name, s in trained.by_source.items()},
    }
    return trained, write(trained.model, output, training_data=summary, scores=scores, card=card)


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


def write(
    model: TriageModel,
    directory: str | Path,
    *,
    training_data: dict[str, Any],
    scores: dict[str, Any],
    card: Callable[[Manifest], str] | None = None,
) -> Manifest:
    """Save the model with what it was trained on and how it scored; `card` renders MODEL_CARD.md from the manifest."""
    return save(
        model,
        directory,
        training_data=training_data,
        scores=scores,
        calibration="sigmoid (Platt) per class, 5-fold CalibratedClassifierCV",
        target_accuracy=TARGET_ACCURACY,
        card=card,
    )
