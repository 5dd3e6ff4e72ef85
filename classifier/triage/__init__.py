"""From incidents to verdicts: classify, abstain when unsure, explain, advise.

`classify` scores incident records as they are (batch, evaluate);
`triage_window` first splits a live CloudWatch window into failure episodes
and scores each (classify, demo). Both go through `_verdicts`, so the same
episode gets the same verdict whichever way it arrived.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import collector, episodes
from .evidence import explain
from .features import TextView, text_view
from .incident import UNCERTAIN, Incident, Verdict
from .model import TriageModel
from .remediation import remediate


def _verdicts(model: TriageModel, incidents: Sequence[Incident], views: Sequence[TextView] | None = None) -> list[Verdict]:
    if not incidents:
        return []
    views = views if views is not None else [text_view(inc) for inc in incidents]
    rows = model.transform(incidents, views)
    proba = model.proba_of_rows(rows)
    out = []
    for i, inc in enumerate(incidents):
        p = proba[i]
        best = int(p.argmax())
        label = model.labels[best]
        confidence = float(p[best])
        evidence = explain(model, inc, label, rows[i], views[i])
        advice = remediate(label, inc, evidence, views[i].texts)
        if confidence < model.threshold:
            advice = (f"Evidence is weak (confidence {confidence:.0%} is below {model.threshold:.0%}); best guess "
                      f"{label.replace('_', ' ')}: {advice}")
            label = UNCERTAIN
        out.append(Verdict(
            id=inc.id, label=label, confidence=confidence,
            probabilities={name: float(p[j]) for j, name in enumerate(model.labels)},
            evidence=evidence, remediation=advice, model_version=model.version,
            endpoint=inc.endpoint, variant=inc.variant, start=inc.start, end=inc.end,
        ))
    return out


def classify(model: TriageModel, incidents: Sequence[Incident]) -> list[Verdict]:
    """One verdict per incident record, in order."""
    with collector.paused():
        return _verdicts(model, list(incidents))


def triage_window(model: TriageModel, window: Incident,
                  rules: episodes.EpisodeRules = episodes.EpisodeRules()) -> list[tuple[Incident, Verdict]]:
    """Each failure episode of the window with its verdict; [] means no failure found."""
    with collector.paused():
        found = episodes.split_with_views(window, rules)
        incidents = [inc for inc, _ in found]
        return list(zip(incidents, _verdicts(model, incidents, [view for _, view in found])))
