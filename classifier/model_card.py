"""MODEL_CARD.md from a manifest: what the model saw, how it scores, where it is weak.

Rendered from the manifest alone, so the card can never disagree with the
numbers shipped beside the model.
"""

from __future__ import annotations

from typing import Any

from .incident import LABELS


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _scores_section(title: str, s: dict[str, Any]) -> list[str]:
    lines = [f"### {title}", "",
             f"{s['n']} incidents · accuracy {_pct(s['accuracy'])} · macro-F1 {s['macro_f1']:.3f} · "
             f"ECE (10 bins) {s['ece']:.3f} · coverage above the `uncertain` threshold {_pct(s['coverage'])}, "
             f"accuracy there {_pct(s['accuracy_when_confident'])}", "",
             "| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for label in LABELS:
        p = s["per_label"][label]
        lines.append(f"| {label} | {p['precision']:.3f} | {p['recall']:.3f} | {p['f1']:.3f} | {p['support']} |")
    lines += ["", "Confusion matrix (rows: true, columns: predicted):", "",
              "| | " + " | ".join(LABELS) + " |", "|---|" + "---|" * len(LABELS)]
    for label, row in zip(LABELS, s["confusion"]):
        lines.append(f"| **{label}** | " + " | ".join(str(v) for v in row) + " |")
    return lines + [""]


def render(manifest: dict[str, Any], *, recipe: str = "", notes: str = "") -> str:
    data = manifest.get("training_data", {})
    scores = manifest.get("scores", {})
    schema = manifest.get("feature_schema", {})
    lines = [
        f"# Model card: smtriage {manifest.get('model_version', '')}", "",
        "Classifies a SageMaker endpoint failure episode as `resource_exhaustion`, `configuration_error` or "
        "`model_bug` from its CloudWatch logs, metrics and endpoint status.", "",
        "## Model", "",
        "scikit-learn `Pipeline`: `IncidentFeaturizer` → `MaxAbsScaler` → `CalibratedClassifierCV("
        "LogisticRegression(class_weight='balanced'), method='sigmoid', cv=5)`.", "",
        f"- Features: {schema.get('n_features', '?')} columns — counts of named signal patterns "
        "(memory, GPU memory, disk, capacity, timeouts, worker death, HTTP status families, content type, imports, "
        "environment/config keys, permissions, model artifacts, CUDA/sharding config, user-code frames, shape/dtype, "
        "serialization, ...), log-shape statistics, numpy statistics of each CloudWatch metric window (max, mean, "
        f"last, rise, slope, time above 90%, error rates), endpoint context, and 2^{schema.get('n_hash_bits', '?')} "
        "hashed unigrams+bigrams of the lines that carry signals.",
        f"- Feature schema hash `{str(schema.get('hash', ''))[:16]}…` — a model is refused by code whose schema differs.",
        f"- Calibration: {manifest.get('calibration', '')}. Confidence is the top probability; below "
        f"**{manifest.get('uncertain_threshold', '?')}** the verdict is `uncertain` (threshold chosen on the "
        f"validation split as the widest coverage reaching {_pct(manifest.get('target_accuracy_above_threshold', 0.9))} "
        "accuracy, keeping at least half of the verdicts).",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in manifest.get('versions', {}).items())}.",
        f"- File: `{manifest.get('model_file')}` (skops), sha256 `{manifest.get('sha256')}`.", "",
        "## Training data", "",
        f"{data.get('incidents', '?')} incidents: labels {data.get('labels', {})}; stacks {data.get('stacks', {})}; "
        f"styles {data.get('styles', {})}; {data.get('log_events', '?')} log events, "
        f"{data.get('with_metrics', '?')} with metric windows.",
    ]
    if data.get("generator"):
        lines.append(f"Generator: {data['generator']}.")
    lines += ["", "## Scores", ""]
    for name, s in scores.items():
        lines += _scores_section(name, s)
    if recipe:
        lines += ["## Reproduce", "", recipe, ""]
    lines += ["## Limits", "",
              "- Trained on synthetic incidents only; real logs from stacks or failure modes the generator does not "
              "model can be misread. Check the `realcases` scores above, not only the validation split.",
              "- Short snippets without metrics carry little evidence; expect more `uncertain` verdicts there.",
              "- A timeout or a ping failure alone is ambiguous (a slow model load is configuration, saturation is "
              "resource exhaustion); metrics decide, and without them the verdict may be wrong or `uncertain`.", ""]
    if notes:
        lines += [notes, ""]
    return "\n".join(lines)
