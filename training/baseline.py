"""A keyword-rule baseline: what a careful engineer would grep for, and nothing learned.

Every report puts the model beside this, scored by the same `classifier.evaluation.score`,
so a number for the model always comes with the number it has to beat. It is not part
of the product path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from classifier.incident import LABELS, OUTCOMES, Incident
from classifier.model.features import event_texts

RULES: dict[str, tuple[str, ...]] = {
    "resource_exhaustion": (
        r"out of memory",
        r"\boom\b",
        r"outofmemory",
        r"memoryerror",
        r"cannot allocate memory",
        r"\bkilled\b",
        r"sigkill",
        r"exit(?:ed)? (?:with )?(?:code|status) 137",
        r"no space left on device",
        r"storagefull",
        r"resource_?exhausted",
        r"too many open files",
        r"can't start new thread",
        r"overloaded",
        r"queue (?:is )?full",
        r"too many requests",
        r"\b503\b",
        r"throttl",
        r"worker timeout",
    ),
    "configuration_error": (
        r"content[-_ ]?type",
        r"\b415\b",
        r"unsupported media",
        r"no module named",
        r"modulenotfounderror",
        r"importerror",
        r"accessdenied",
        r"access denied",
        r"permission denied",
        r"forbidden",
        r"\b403\b",
        r"environment variable",
        r"sagemaker_program",
        r"hf_model_id",
        r"not compiled with cuda",
        r"cuda driver",
        r"no cuda-capable",
        r"shard",
        r"tensor.?parallel",
        r"executable file not found",
        r"no such file or directory",
        r"failed to download",
        r"model\.tar\.gz",
        r"health check",
        r"did not pass",
        r"max_input_length",
        r"max_total_tokens",
        r"trust_remote_code",
        r"unsupported",
        r"not supported",
    ),
    "model_bug": (
        r"traceback",
        r"valueerror",
        r"typeerror",
        r"keyerror",
        r"attributeerror",
        r"nameerror",
        r"indexerror",
        r"runtimeerror",
        r"shape",
        r"size mismatch",
        r"state_dict",
        r"not json serializable",
        r"\bnan\b",
        r"predict_fn",
        r"input_fn",
        r"output_fn",
        r"model_fn",
        r"inference\.py",
        r"exception",
    ),
}
_COMPILED = {label: [re.compile(p) for p in patterns] for label, patterns in RULES.items()}


class KeywordBaseline:
    """predict_proba (columns in OUTCOMES order) from keyword hit counts per cause, smoothed; no hit at all -> no
    failure."""

    labels = OUTCOMES
    threshold = 0.0
    version = "keyword-baseline"

    def predict_proba(self, incidents: Sequence[Incident]) -> np.ndarray:
        rows = []
        for inc in incidents:
            text = "\n".join(event_texts(inc)).lower()
            hits = np.array([sum(1 for rx in _COMPILED[label] if rx.search(text)) for label in LABELS], dtype=float)
            row = np.append(hits + 0.1, 1.0 if not hits.any() else 0.0)
            rows.append(row / row.sum())
        return np.array(rows).reshape(len(rows), len(OUTCOMES))
