"""Which log lines and metric facts drove a verdict.

The classifier is linear in its (scaled) features, so a line's weight towards
a label is the dot product of that line's own features with the label's
weights: exact for the line's signals and tokens, no sampling, and cheap
enough to run on every verdict of a batch.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from . import instances
from .features import TextView, salient_events, text_view
from .incident import Evidence, Incident, LogEvent, MetricSeries
from .model import TriageModel

MAX_EVIDENCE = 8
MAX_LINE_CANDIDATES = 300
MAX_TEXT = 400
MIN_LINE_WEIGHT = 0.05  # below this a line did not move the verdict; showing it would only add noise
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class _Candidate:
    text: str
    event: LogEvent | None


def _candidates(incident: Incident, view: TextView) -> list[_Candidate]:
    """Distinct signal-bearing lines (multi-line events split), in window order.

    Drawn from the same capped set of signal events the featurizer hashes
    (failure lines first), each distinct event once, so a window of 100,000
    events costs no more than one of a few hundred.
    """
    texts = view.texts
    seen: set[str] = set()
    out: list[_Candidate] = []
    first_of: dict[str, int] = {}
    for i in salient_events(view.result, len(texts)).tolist():
        first_of.setdefault(texts[i], i)
    for i in first_of.values():
        event = incident.logs[i] if i < len(incident.logs) else None
        for line in texts[i].splitlines() or [texts[i]]:
            line = line.strip()
            key = _DIGITS.sub("#", line.lower())
            if not line or key in seen:
                continue
            seen.add(key)
            out.append(_Candidate(line, event))
    if len(out) > MAX_LINE_CANDIDATES:
        half = MAX_LINE_CANDIDATES // 2
        out = out[:half] + out[-half:]
    return out


_GROUPS: dict[int, dict[str, np.ndarray]] = {}


def _column_groups(model: TriageModel) -> dict[str, np.ndarray]:
    """Column masks per kind of evidence; they depend only on the featurizer's width, so computed once."""
    key = model.featurizer.n_hash_bits
    if key not in _GROUPS:
        _GROUPS[key] = _compute_groups(model)
    return _GROUPS[key]


def _compute_groups(model: TriageModel) -> dict[str, np.ndarray]:
    names = model.featurizer.get_feature_names_out()
    prefix = np.array([n.split(":", 1)[0] for n in names])
    groups = {"line": np.isin(prefix, ["sig", "hash"]), "context": prefix == "ctx"}
    metric_of = np.array([n.split(":")[1] if n.startswith("metric:") and n.count(":") == 2 else "" for n in names])
    derived = {"metric:rate_5xx": "Invocation5XXErrors", "metric:rate_4xx": "Invocation4XXErrors",
               "metric:rate_model_errors": "InvocationModelErrors", "metric:traffic_drop": "Invocations"}
    for i, n in enumerate(names):
        if n in derived:
            metric_of[i] = derived[n]
    for m in set(metric_of) - {""}:
        groups["metric:" + m] = metric_of == m
    return groups


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
        it = instances.lookup(instance_type)
        scale = ""
        if it and name == "CPUUtilization":
            scale = f" of {100 * it.vcpus}% ({it.vcpus} vCPUs)"
        elif it and it.gpus and name.startswith("GPU"):
            scale = f" of {100 * it.gpus}% ({it.gpus} GPU{'s' if it.gpus > 1 else ''})"
        high = int((vals >= 90 * (it.vcpus if it and name == "CPUUtilization" else it.gpus if it and it.gpus and name.startswith("GPU") else 1)).sum())
        return (f"{name} peaked at {_fmt_pct(vals.max())}{scale}{where} (started at {_fmt_pct(vals[0])}; "
                f"≥90% in {high} of {vals.size} minutes)")
    if name in ("ModelLatency", "OverheadLatency", "ModelSetupTime"):
        return f"{name} peaked at {_fmt_us(vals.max())} (median {_fmt_us(float(np.median(vals)))})"
    with np.errstate(over="ignore"):  # absurd datapoints (1e308 errors a minute) sum to inf, printed as such
        total = vals.sum()
    minutes = int((vals > 0).sum())
    if name == "Invocations":
        return f"Invocations: {total:,.0f} requests over {vals.size} minutes (last minute: {vals[-1]:,.0f})"
    return f"{name}: {total:,.0f} in {minutes} of {vals.size} minutes"


def explain(model: TriageModel, incident: Incident, label: str, rows_scaled=None,
            view: TextView | None = None) -> list[Evidence]:
    """Up to MAX_EVIDENCE items, strongest first: log lines, metric facts, endpoint status."""
    k = model.labels.index(label)
    weights = model.label_weights()[k]
    groups = _column_groups(model)
    items: list[Evidence] = []

    candidates = _candidates(incident, view or text_view(incident))
    if candidates:
        X = model.scale(model.featurizer.line_rows([c.text for c in candidates]))
        scores = np.asarray(X @ np.where(groups["line"], weights, 0.0)).ravel()
        for c, s in zip(candidates, scores):
            if s >= MIN_LINE_WEIGHT:
                text = c.text if len(c.text) <= MAX_TEXT else c.text[:MAX_TEXT] + "…"
                items.append(Evidence("log", text, float(s), c.event.timestamp if c.event else None,
                                      c.event.stream if c.event else None))

    full = rows_scaled if rows_scaled is not None else model.transform([incident])
    contrib = np.asarray(full.multiply(weights).todense()).ravel() if hasattr(full, "multiply") else full.ravel() * weights
    for key, mask in groups.items():
        if not key.startswith("metric:"):
            continue
        name = key.split(":", 1)[1]
        series = incident.metrics.get(name)
        score = float(contrib[mask].sum())
        if series is None or score <= 0:
            continue
        text = describe_metric(name, series, incident.context.instance_type)
        if text:
            items.append(Evidence("metric", text, score, metric=name))

    ctx = incident.context
    if ctx.status or ctx.failure_reason:
        score = float(contrib[groups["context"]].sum())
        reason = f": {ctx.failure_reason}" if ctx.failure_reason else ""
        items.append(Evidence("context", f"Endpoint status {ctx.status or 'unknown'}{reason}", max(score, 0.0)))

    items.sort(key=lambda e: -e.weight)
    logs = [e for e in items if e.kind == "log"][:6]
    others = [e for e in items if e.kind != "log"][:3]
    return sorted(logs + others, key=lambda e: -e.weight)[:MAX_EVIDENCE]
