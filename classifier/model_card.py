"""MODEL_CARD.md from a manifest: what the model saw, how it scores, where it is weak.

Rendered from the manifest alone, so the card can never disagree with the
numbers shipped beside the model. A score block is rendered by its shape:
a full `Scores` record (per-label table and confusion matrix), a flat
summary (the live-endpoint figures), or a table of groups (per stack).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .incident import OUTCOMES

if TYPE_CHECKING:
    from .model.manifest import Manifest


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _full(title: str, s: dict[str, Any]) -> list[str]:
    lines = [
        f"### {title}",
        "",
        f"{s['n']} incidents · accuracy {_pct(s['accuracy'])} · macro-F1 {s['macro_f1']:.3f} · "
        f"ECE (10 bins) {s['ece']:.3f} · coverage above the `uncertain` threshold {_pct(s['coverage'])}, "
        f"accuracy there {_pct(s['accuracy_when_confident'])}",
        "",
        "| outcome | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for label in OUTCOMES:
        p = s["per_label"][label]
        lines.append(f"| {label} | {p['precision']:.3f} | {p['recall']:.3f} | {p['f1']:.3f} | {p['support']} |")
    lines += [
        "",
        "Confusion matrix (rows: true, columns: predicted):",
        "",
        "| | " + " | ".join(OUTCOMES) + " |",
        "|---|" + "---|" * len(OUTCOMES),
    ]
    for label, row in zip(OUTCOMES, s["confusion"]):
        lines.append(f"| **{label}** | " + " | ".join(str(v) for v in row) + " |")
    return lines + [""]


_LIVE = {
    "macro_f1": "macro-F1 on the failures ('no failure found' and `uncertain` count as misses)",
    "macro_f1_best_guess": "macro-F1 of the best guess, `uncertain` included",
    "no_failure_found": "failures reported as 'no failure found'",
    "uncertain": "failures reported as `uncertain`",
    "false_alarms": "healthy excerpts given a failure verdict",
}


def _flat(title: str, s: dict[str, Any]) -> list[str]:
    lines = [f"### {title}", "", "| measure | value |", "|---|---|"]
    for key, value in s.items():
        shown = f"{value:.3f}" if key.startswith("macro") else _pct(value) if isinstance(value, float) else str(value)
        lines.append(f"| {_LIVE.get(key, key)} | {shown} |")
    return lines + [""]


def _groups(title: str, s: dict[str, dict[str, Any]]) -> list[str]:
    columns = list(next(iter(s.values())).keys())
    lines = [
        f"### {title}",
        "",
        "| | " + " | ".join(c.replace("_", " ") for c in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for name, row in s.items():
        cells = [_pct(v) if isinstance(v, float) else str(v) for v in row.values()]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines + [""]


def section(title: str, s: dict[str, Any]) -> list[str]:
    if "per_label" in s:
        return _full(title, s)
    if s and all(isinstance(v, dict) for v in s.values()):
        return _groups(title, s)
    return _flat(title, s)


def render(manifest: Manifest, *, recipe: str = "", notes: str = "") -> str:
    data = manifest.training_data
    schema = manifest.feature_schema
    lines = [
        f"# Model card: smtriage {manifest.model_version}",
        "",
        "Tells whether a SageMaker endpoint's CloudWatch window (or an incident record) holds a failure, and names "
        "its cause: `resource_exhaustion`, `configuration_error` or `model_bug`, else `no_failure`.",
        "",
        "## Model",
        "",
        "scikit-learn `Pipeline`: `IncidentFeaturizer` → `MaxAbsScaler` → `CalibratedClassifierCV("
        "LogisticRegression(class_weight='balanced'), method='sigmoid', cv=5)`.",
        "",
        "- The featurizer holds two logistic regressions over the words (hashed into "
        f"2^{schema.line_hash_bits} columns) and named signals of each kind of log line: a *line scorer* "
        "(is this line part of a failure?) and a *cause model* (which cause does a failure line point to?). Both are "
        "learned from the training incidents, cross-fitted so the classifier learns from scores on lines they did "
        "not see.",
        "- An incident is described by its salient lines only (those the line scorer picks out, each kind once, "
        "weighted by its score): their scores and cause votes, their signals, "
        f"2^{schema.n_hash_bits} hashed words and word pairs, statistics of each metric window scaled to "
        "the instance, and the endpoint's status and image. Nothing counts the healthy lines around a failure.",
        f"- {schema.n_features} columns; feature schema hash `{schema.hash[:16]}…` — a "
        "model is refused by code whose schema differs.",
        f"- Calibration: {manifest.calibration or ''}. Confidence is the top probability; below "
        f"**{manifest.uncertain_threshold}** the verdict is `uncertain` (the widest coverage whose "
        f"verdicts are right at least {_pct(manifest.target_accuracy_above_threshold or 0.9)} of the time on "
        "real cases, keeping at least half of them).",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in manifest.versions.items())}.",
        f"- File: `{manifest.model_file}` (skops), sha256 `{manifest.sha256}`.",
        "",
        "## Training data",
        "",
        f"{data.get('incidents', '?')} incidents: labels {data.get('labels', {})}; stacks {data.get('stacks', {})}; "
        f"{data.get('log_events', '?')} log events, {data.get('with_metrics', '?')} with metric windows.",
    ]
    if data.get("real_cases"):
        lines.append(
            f"Of them {data['real_cases']} are real public reports and healthy excerpts (`data/realcases`, "
            f"each with its source thread), weighted {data.get('real_weight')} each."
        )
    if data.get("generator"):
        lines.append(f"Generated: {data['generator']}.")
    lines += ["", "## Scores", ""]
    for name, s in manifest.scores.items():
        lines += section(name, s)
    if recipe:
        lines += ["## Reproduce", "", recipe, ""]
    lines += [
        "## Limits",
        "",
        "- The real corpus is a few hundred public reports; its labels are one reading of each thread, and "
        "about a fifth of them are marked low confidence. Stacks with few cases (sklearn, xgboost, djl) are "
        "measured on few.",
        "- A pasted snippet without metrics carries little evidence; expect more `uncertain` verdicts there.",
        "- A timeout or a ping failure alone is ambiguous (a slow model load is configuration, saturation is "
        "resource exhaustion); metrics decide, and without them the verdict may be wrong or `uncertain`.",
        "",
    ]
    if notes:
        lines += [notes, ""]
    return "\n".join(lines)
