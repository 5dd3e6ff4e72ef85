"""The triage model: a scikit-learn pipeline from incidents to the probability of each outcome.

    features (IncidentFeaturizer: line scorer, salient lines, metrics, context)
      -> scale (MaxAbsScaler)
      -> classify (CalibratedClassifierCV around a multinomial LogisticRegression)

Four outcomes: the three causes and `no_failure`. Logistic regression on
hashed words and signal scores generalises across stacks, and its weights
give a per-line explanation for free; calibration makes its confidence mean
what it says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelError
from ..incident import NO_FAILURE, OUTCOMES, Incident, IncidentError, labels_of
from .features import IncidentFeaturizer, Reading
from .manifest import Manifest


@dataclass
class TriageModel:
    """A fitted pipeline, the thresholds its verdicts use, and the manifest it was loaded with (None until saved)."""

    pipeline: Any
    uncertain_threshold: float = 0.5  # a verdict less confident than this is `uncertain`
    detect_threshold: float | None = None  # a line scored this high proposes an episode; None: the splitter's default
    manifest: Manifest | None = None

    @property
    def labels(self) -> tuple[str, ...]:
        """The outcomes, in the order of the probability columns."""
        return OUTCOMES

    @property
    def version(self) -> str:
        return self.manifest.model_version if self.manifest is not None else "unversioned"

    @property
    def featurizer(self) -> IncidentFeaturizer:
        return self.pipeline.named_steps["features"]

    def read(self, incident: Incident) -> Reading:
        return self.featurizer.read(incident)

    def transform(self, incidents: Sequence[Incident], readings: Sequence[Reading] | None = None) -> Any:
        """Feature rows scaled the way the classifier sees them (from `readings` when already made)."""
        incidents = list(incidents)
        X = (
            self.featurizer.transform(incidents)
            if readings is None
            else self.featurizer.transform_readings(incidents, readings)
        )
        return self.scale(X)

    def scale(self, X: Any) -> Any:
        return self.pipeline.named_steps["scale"].transform(X)

    def predict_proba(self, incidents: Sequence[Incident]) -> np.ndarray:
        """(n, len(labels)) probabilities, columns in `labels` order."""
        if not incidents:
            return np.zeros((0, len(self.labels)))
        return self.proba_of_rows(self.transform(incidents))

    def proba_of_rows(self, rows: Any) -> np.ndarray:
        """Probabilities of already scaled feature rows (callers that also explain featurize once)."""
        clf = self.pipeline.named_steps["classify"]
        proba = clf.predict_proba(rows)
        classes = list(clf.classes_)
        return proba[:, [classes.index(label) for label in self.labels]]

    def label_weights(self) -> np.ndarray:
        """(n_labels, n_features) weight of each scaled column for each outcome against the others.

        The mean of the calibration folds' logistic-regression coefficients,
        centred across outcomes, so a positive weight pushes towards that one.
        """
        cached = getattr(self, "_weights", None)
        if cached is not None:
            return cached
        clf = self.pipeline.named_steps["classify"]
        coefs = np.mean([cc.estimator.coef_ for cc in clf.calibrated_classifiers_], axis=0)
        classes = list(clf.classes_)
        coefs = coefs[[classes.index(label) for label in self.labels]]
        weights = coefs - coefs.mean(axis=0, keepdims=True)
        self._weights = weights
        return weights


def build_pipeline(
    *,
    C: float = 2.0,
    n_hash_bits: int = 14,
    line_hash_bits: int = 16,
    line_C: float = 0.5,
    calibration: str = "sigmoid",
    cv: int = 5,
    quoted_line_weight: float = 0.3,
) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MaxAbsScaler

    base = LogisticRegression(C=C, max_iter=5000, class_weight="balanced")
    return Pipeline(
        [
            (
                "features",
                IncidentFeaturizer(
                    n_hash_bits=n_hash_bits,
                    line_hash_bits=line_hash_bits,
                    line_C=line_C,
                    cv=cv,
                    quoted_line_weight=quoted_line_weight,
                ),
            ),
            ("scale", MaxAbsScaler()),
            ("classify", CalibratedClassifierCV(base, method=calibration, cv=cv)),
        ]
    )


def fit(
    incidents: Sequence[Incident],
    *,
    sample_weight: np.ndarray | None = None,
    groups: Sequence[str] | None = None,
    **params: Any,
) -> TriageModel:
    """Fit on labelled incidents; `groups` (e.g. source threads) keep related incidents in one cross-fitting fold."""
    try:
        labels = labels_of(incidents)
    except IncidentError as exc:
        raise ModelError(f"every training incident needs a label: {exc}") from None
    missing = sorted(set(OUTCOMES) - set(labels))
    if missing:
        raise ModelError(f"training data has no incident labelled {', '.join(missing)}; every outcome needs examples")
    pipeline = build_pipeline(**params)
    w = np.ones(len(incidents)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    pipeline.fit(list(incidents), labels, features__sample_weight=w, features__groups=groups, classify__sample_weight=w)
    return TriageModel(pipeline)


NO_FAILURE_AT = 0.5  # "no failure" only when it is at least even odds: a failure a person would see is reported


def decide(proba: np.ndarray) -> np.ndarray:
    """The outcome each row reports (columns in OUTCOMES order): no failure if it is at least even odds, else the
    most probable cause.

    A window the model gives a 55% chance of holding a failure is a failure,
    even when no single cause outweighs the 45% of "no failure"; that cause
    is then reported with its own low probability, and so as `uncertain`.
    """
    nf = OUTCOMES.index(NO_FAILURE)
    causes = np.delete(np.arange(len(OUTCOMES)), nf)
    top_cause = causes[proba[:, causes].argmax(axis=1)]
    return np.where(proba[:, nf] >= NO_FAILURE_AT, nf, top_cause)


MIN_THRESHOLD = 0.5


def choose_threshold(
    confidence: np.ndarray, correct: np.ndarray, target_accuracy: float = 0.9, min_coverage: float = 0.5
) -> float:
    """Lowest confidence cut whose kept verdicts reach the target accuracy on validation data.

    If no cut reaches it while keeping `min_coverage` of the verdicts, keep that
    coverage: a tool that abstains on most failures is not used at 3 a.m.
    Never below even odds (`MIN_THRESHOLD`): an outcome the model gives less than a
    50% chance is a guess, and is shown as one.
    """
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    hits = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    best = None
    for k in range(len(order) - 1, -1, -1):  # widest coverage first
        if hits[k] >= target_accuracy:
            best = float(conf[k])
            break
    floor = float(conf[max(0, int(np.ceil(min_coverage * len(order))) - 1)]) if len(order) else 0.5
    if best is None or best > floor:
        best = floor
    return round(min(max(best, MIN_THRESHOLD), 0.99), 4)
