"""Which log lines and metric facts drove a verdict.

The classifier is linear in its (scaled) features, and each feature of the
text comes from known kinds of line: the hashed words of a salient kind
enter weighted by its score, each signal's column is the score of the
strongest kind carrying it. So a line's weight towards an outcome is exact:
its share of the word columns plus the signal columns it holds, dotted with
that outcome's weights. No sampling, and cheap enough for every verdict of a
batch.
"""

from __future__ import annotations

import math

import numpy as np

from .. import capacity
from ..incident import LABELS, Evidence, Incident, MetricSeries
from ..model import TriageModel
from ..model.features import Reading, dense_feature_names
from ..text.signals import SIGNALS

MAX_EVIDENCE = 8
MAX_TEXT = 400
MIN_LINE_WEIGHT = 0.05  # below this a line did not move the verdict; showing it would only add noise


def _fmt_pct(v: float) -> str:
    return f"{v:.0f}%" if v >= 10 else f"{v:.1f}%"


def _fmt_us(v: float) -> str:
    return f"{v / 1e6:.1f} s" if v >= 1e6 else f"{v / 1e3:.0f} ms"


def describe_metric(name: str, series: MetricSeries, instance_type: str | None) -> str | None:
    """One sentence a person can check against the console."""
    vals = np.array([v for v in series.values if not math.isnan(v)])
    if vals.size == 0:
        return None
    where = f" on {instance_type}" if instance_type else ""
    if name.endswith("Utilization"):
        full = capacity.full_scale(name, instance_type, float(vals.max()))
        high = int((vals >= capacity.SATURATED * full).sum())
        return (
            f"{name} peaked at {_fmt_pct(vals.max())}{capacity.devices(name, instance_type)}{where} (started at "
            f"{_fmt_pct(vals[0])}; ≥{capacity.SATURATED:.0%} of full in {high} of {vals.size} minutes)"
        )
    if name in ("ModelLatency", "OverheadLatency", "ModelSetupTime"):
        return f"{name} peaked at {_fmt_us(vals.max())} (median {_fmt_us(float(np.median(vals)))})"
    with np.errstate(over="ignore"):  # absurd datapoints (1e308 errors a minute) sum to inf, printed as such
        total = vals.sum()
    minutes = int((vals > 0).sum())
    if name == "Invocations":
        return f"Invocations: {total:,.0f} requests over {vals.size} minutes (last minute: {vals[-1]:,.0f})"
    return f"{name}: {total:,.0f} in {minutes} of {vals.size} minutes"


_DERIVED_METRIC = {
    "rate_5xx": "Invocation5XXErrors",
    "rate_4xx": "Invocation4XXErrors",
    "rate_model_errors": "InvocationModelErrors",
    "traffic_drop": "Invocations",
}


def _metric_columns() -> dict[str, np.ndarray]:
    """Column indices of each metric's statistics."""
    out: dict[str, list[int]] = {}
    for i, name in enumerate(dense_feature_names()):
        parts = name.split(":")
        if parts[0] != "metric":
            continue
        metric = parts[1] if len(parts) == 3 else _DERIVED_METRIC.get(parts[1])
        if metric:
            out.setdefault(metric, []).append(i)
    return {k: np.asarray(v) for k, v in out.items()}


def _line_weights(model: TriageModel, reading: Reading, salient: np.ndarray, raw_weights: np.ndarray) -> np.ndarray:
    """Each salient kind's part in the outcome's score: its words' share of the row, and its signals."""
    featurizer = model.featurizer
    n_dense = featurizer.n_dense_
    sig0 = dense_feature_names().index(f"sig:{SIGNALS[0].name}")
    out = np.zeros(len(salient))
    # the word columns are the score-weighted sum of each kind's word counts, over that sum's norm
    norm = float(np.linalg.norm(featurizer.word_counts(reading, salient)[1]))
    for j, k in enumerate(salient.tolist()):
        cols, vals = featurizer.word_counts(reading, np.asarray([k]))
        if norm > 0 and len(cols):
            out[j] += float(raw_weights[n_dense + cols] @ vals) / norm
    # each signal's column is the score of the strongest salient kind carrying it
    best: dict[int, int] = {}
    for j, k in enumerate(salient.tolist()):
        for sig in reading.table.signals_of(k):
            if sig not in best or reading.kind_score[k] > reading.kind_score[salient[best[sig]]]:
                best[sig] = j
    for sig, j in best.items():
        out[j] += raw_weights[sig0 + sig] * reading.kind_score[salient[j]]
    # the cause votes: the mean is every kind's share, the strongest vote is one kind's
    s = reading.kind_score[salient]
    votes = s[:, None] * reading.kind_cause[salient]
    if len(s) and s.sum() > 0:
        names = dense_feature_names()
        for c, label in enumerate(LABELS):
            out += raw_weights[names.index(f"cause:{label}:mean")] * votes[:, c] / s.sum()
            top = int(votes[:, c].argmax())
            out[top] += raw_weights[names.index(f"cause:{label}:max")] * votes[top, c]
    return out


def explain(model: TriageModel, incident: Incident, label: str, row_scaled, reading: Reading) -> list[Evidence]:
    """Up to MAX_EVIDENCE items, strongest first: log lines, metric facts, the FailureReason and status."""
    k = model.labels.index(label)
    scale = model.pipeline.named_steps["scale"].scale_
    raw_weights = model.label_weights()[k] / np.where(scale > 0, scale, 1.0)
    items: list[Evidence] = []

    salient = reading.salient()
    weights = _line_weights(model, reading, salient, raw_weights)
    for kind, w in zip(salient.tolist(), weights.tolist()):
        if w < MIN_LINE_WEIGHT:
            continue
        line_no = reading.first_line(kind)
        at = reading.log_index(int(reading.table.owner[line_no]))
        text = reading.table.lines[line_no].strip()
        text = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
        if at is None:  # the FailureReason
            items.append(Evidence("context", text, float(w)))
            continue
        event = incident.logs[at]
        items.append(Evidence("log", text, float(w), event.timestamp, event.stream))

    contrib = np.asarray(row_scaled.multiply(model.label_weights()[k]).todense()).ravel()
    for name, cols in _metric_columns().items():
        series = incident.metrics.get(name)
        score = float(contrib[cols].sum())
        if series is None or score <= 0:
            continue
        said = describe_metric(name, series, incident.context.instance_type)
        if said:
            items.append(Evidence("metric", said, score, metric=name))

    status = incident.context.status or ""
    if status.lower() == "failed":
        status_col = dense_feature_names().index("ctx:status_failed")
        score = float(contrib[status_col])
        if score > 0 and not any(e.kind == "context" for e in items):
            # DescribeEndpoint gives the status now, not at the episode's time: said so, for an old episode
            items.append(Evidence("context", "Endpoint status Failed (when the window was read)", score))

    items.sort(key=lambda e: -e.weight)
    logs = [e for e in items if e.kind == "log"][:6]
    others = [e for e in items if e.kind != "log"][:3]
    return sorted(logs + others, key=lambda e: -e.weight)[:MAX_EVIDENCE]
