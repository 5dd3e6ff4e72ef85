"""From incidents to verdicts: read, decide, abstain when unsure, explain, advise.

`classify` scores incident records as they are (batch, evaluate): each gets
one of the four outcomes, `no_failure` included, or `uncertain`.
`triage_window` first splits a live CloudWatch window into candidate
episodes and scores each (classify, demo); an episode the model calls
`no_failure` is not a finding. Both go through `_verdicts`, so the same
episode gets the same verdict whichever way it arrived.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..incident import NO_FAILURE, UNCERTAIN, Incident, Verdict, percent
from ..model import TriageModel, decide
from ..model.features import Reading
from . import episodes
from .evidence import explain
from .remediation import TEXTS_READ, remediate

_SETTLES = {
    "resource_exhaustion": "MemoryUtilization, CPUUtilization or GPUMemoryUtilization near 100%",
    "configuration_error": "the endpoint's configuration (image, environment, model data) against what the container expects",
    "model_bug": "a traceback through your handler (model_fn, input_fn, predict_fn, output_fn)",
    NO_FAILURE: "steady 2XX traffic after these lines",
}


def _what_would_settle(labels: Sequence[str], p: np.ndarray, best: int, incident: Incident) -> str:
    """For a weak verdict: the runner-up, and what in the endpoint's data would tell the two apart."""
    second = next(int(j) for j in np.argsort(-p) if int(j) != best)
    a, b = labels[best], labels[second]
    look = f"for {a.replace('_', ' ')}, {_SETTLES[a]}; for {b.replace('_', ' ')}, {_SETTLES[b]}"
    missing = "" if incident.metrics else " No metrics came with these lines; they would help most."
    return f"To settle it against {b.replace('_', ' ')} ({percent(float(p[second]))}), look {look}.{missing}"


def _verdicts(model: TriageModel, incidents: Sequence[Incident], readings: Sequence[Reading]) -> list[Verdict]:
    if not incidents:
        return []
    rows = model.transform(incidents, readings)
    proba = model.proba_of_rows(rows)
    out = []
    for i, inc in enumerate(incidents):
        p = proba[i]
        best = int(decide(p[None, :])[0])
        label = model.labels[best]
        confidence = float(p[best])
        evidence = explain(model, inc, label, rows[i], readings[i])
        advice = remediate(label, inc, evidence, readings[i].own_texts(last=TEXTS_READ))
        guess = label
        if confidence < model.uncertain_threshold:
            advice = (
                f"Evidence is weak (confidence {percent(confidence)} is below {percent(model.uncertain_threshold)}); best guess "
                f"{label.replace('_', ' ')}: {advice} {_what_would_settle(model.labels, p, best, inc)}"
            )
            label = UNCERTAIN
        out.append(
            Verdict(
                id=inc.id,
                label=label,
                confidence=confidence,
                probabilities={name: float(p[j]) for j, name in enumerate(model.labels)},
                evidence=evidence,
                remediation=advice,
                model_version=model.version,
                endpoint=inc.endpoint,
                variant=inc.variant,
                start=inc.start,
                end=inc.end,
                best_guess=guess,
                hosting=inc.context.hosting,
            )
        )
    return out


def classify(model: TriageModel, incidents: Sequence[Incident]) -> list[Verdict]:
    """One verdict per incident record, in order."""
    incidents = list(incidents)
    return _verdicts(model, incidents, [model.read(inc) for inc in incidents])


def rules_of(model: TriageModel) -> episodes.EpisodeRules:
    detect = model.detect_threshold
    return episodes.EpisodeRules() if detect is None else episodes.EpisodeRules(detect=detect)


def triage_window(
    model: TriageModel, window: Incident, rules: episodes.EpisodeRules | None = None
) -> list[tuple[Incident, Verdict]]:
    """Each failure episode of the window with its verdict; [] means no failure found."""
    found = episodes.split(window, model.read(window), rules or rules_of(model))
    verdicts = _verdicts(model, [inc for inc, _ in found], [reading for _, reading in found])
    return [(inc, v) for (inc, _), v in zip(found, verdicts) if v.best_guess != NO_FAILURE]
