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

from ..incident import NO_FAILURE, UNCERTAIN, Incident, Verdict, percent
from ..model import TriageModel, decide
from ..model.features import Reading
from . import episodes
from .evidence import explain
from .remediation import TEXTS_READ, remediate


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
                f"{label.replace('_', ' ')}: {advice}"
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
