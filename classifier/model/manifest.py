"""What a model directory says about its model file: one typed record, checked field by field when read.

A manifest is written once, by `store.save`, from the fitted model and what
it was trained on; nothing edits it afterwards. Its `manifest_sha256` seals
every other field (the model file's own sha256 among them), so an edit shows.
Its texts are printed in titles and cards, so each is checked to be printable
and of a sane length before anything reads it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ModelError
from ..incident import OUTCOMES
from ..text.clean import UNSAFE

MANIFEST_FORMAT = 1
MODEL_FILE = "model.skops"
CONTENT_DIGEST = "manifest_sha256"
MAX_TEXT = 4096  # characters of any text in a manifest
_VERSION = re.compile(r"^[0-9A-Za-z.+_-]{1,64}$")


@dataclass(frozen=True)
class FeatureSchema:
    """The columns the classifier was fitted on: code whose schema hash differs computes other columns."""

    hash: str
    n_hash_bits: int
    line_hash_bits: int
    n_features: int


@dataclass(frozen=True)
class Manifest:
    model_version: str
    sha256: str  # of the model file
    feature_schema: FeatureSchema
    versions: dict[str, str]  # of the libraries it was trained with
    uncertain_threshold: float
    detect_threshold: float | None = None  # None: the episode splitter's default
    training_data: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)
    calibration: str | None = None
    target_accuracy_above_threshold: float | None = None
    model_file: str = MODEL_FILE
    labels: tuple[str, ...] = OUTCOMES
    format_version: int = MANIFEST_FORMAT

    def to_json(self) -> dict[str, Any]:
        """The manifest as manifest.json holds it, sealed by its content digest."""
        out: dict[str, Any] = {
            "format_version": self.format_version,
            "model_version": self.model_version,
            "model_file": self.model_file,
            "sha256": self.sha256,
            "labels": list(self.labels),
            "versions": dict(self.versions),
            "feature_schema": {
                "hash": self.feature_schema.hash,
                "n_hash_bits": self.feature_schema.n_hash_bits,
                "line_hash_bits": self.feature_schema.line_hash_bits,
                "n_features": self.feature_schema.n_features,
            },
            "uncertain_threshold": self.uncertain_threshold,
            "training_data": self.training_data,
            "scores": self.scores,
        }
        optional = {
            "detect_threshold": self.detect_threshold,
            "calibration": self.calibration,
            "target_accuracy_above_threshold": self.target_accuracy_above_threshold,
        }
        out |= {k: v for k, v in optional.items() if v is not None}
        out[CONTENT_DIGEST] = content_digest(out)
        return out

    @classmethod
    def from_json(cls, raw: Any, where: Path) -> Manifest:
        """Refuse a manifest that was edited, is malformed, or could take over a terminal; else its record."""
        if not isinstance(raw, dict):
            raise ModelError(f"{where}: must be a JSON object")
        _check_texts(raw, where)
        if not _VERSION.match(str(raw.get("model_version", ""))):
            raise ModelError(f"{where}: model_version must be a short version string")
        if raw.get(CONTENT_DIGEST) != content_digest(raw):
            raise ModelError(
                f"{where}: its content does not match its {CONTENT_DIGEST}; it was edited after it was written "
                "— do not use it"
            )
        if raw.get("format_version") != MANIFEST_FORMAT:
            raise ModelError(
                f"{where}: manifest format {raw.get('format_version')!r} is not {MANIFEST_FORMAT}; "
                "retrain with this smtriage (`smtriage train`)"
            )
        labels = raw.get("labels")
        if not isinstance(labels, list) or tuple(labels) != OUTCOMES:
            raise ModelError(
                f"{where}: model labels {labels!r:.200} differ from {list(OUTCOMES)}; retrain it with `smtriage train`"
            )
        if not isinstance(raw.get("sha256"), str):
            raise ModelError(f"{where}: no sha256 of the model file; a manifest written by `smtriage train` has one")
        thresholds = {k: _fraction(raw, k, where) for k in ("uncertain_threshold", "detect_threshold")}
        return cls(
            model_version=raw["model_version"],
            sha256=raw["sha256"],
            feature_schema=_schema(raw.get("feature_schema"), where),
            versions=_versions(raw.get("versions")),
            uncertain_threshold=thresholds["uncertain_threshold"]
            if thresholds["uncertain_threshold"] is not None
            else 0.5,
            detect_threshold=thresholds["detect_threshold"],
            training_data=_mapping(raw.get("training_data")),
            scores=_mapping(raw.get("scores")),
            calibration=raw.get("calibration") if isinstance(raw.get("calibration"), str) else None,
            target_accuracy_above_threshold=_fraction(raw, "target_accuracy_above_threshold", where),
            model_file=str(raw.get("model_file", MODEL_FILE)),
        )


def content_digest(manifest: dict[str, Any]) -> str:
    """sha256 of everything else in the manifest (it holds the model file's sha256 too): an edited field shows."""
    rest = {k: v for k, v in manifest.items() if k != CONTENT_DIGEST}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def hash_bits(value: Any) -> int | None:
    """A hash width a model file may ask for: 1 to 24 bits (2**24 columns), as an int and not a bool."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 24 else None


def _schema(raw: Any, where: Path) -> FeatureSchema:
    raw = raw if isinstance(raw, dict) else {}
    bits, line_bits, n = hash_bits(raw.get("n_hash_bits")), hash_bits(raw.get("line_hash_bits")), raw.get("n_features")
    if bits is None or line_bits is None or not isinstance(raw.get("hash"), str):
        raise ModelError(
            f"{where}: model was trained on a different feature schema than this smtriage computes; "
            "retrain it with `smtriage train` or use the smtriage version that made it"
        )
    return FeatureSchema(raw["hash"], bits, line_bits, n if isinstance(n, int) and not isinstance(n, bool) else -1)


def _versions(raw: Any) -> dict[str, str]:
    """Library versions as written; one that is not a string is as good as unknown."""
    return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(raw, dict) else {}


def _mapping(raw: Any) -> dict[str, Any]:
    return raw if isinstance(raw, dict) else {}


def _fraction(raw: dict[str, Any], key: str, where: Path) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ModelError(f"{where}: {key} must be a number from 0 to 1")
    return float(value)


def _check_texts(node: Any, where: Path, path: str = "manifest") -> None:
    """Every text a manifest holds is printable and of a sane length: it is shown in titles and cards."""
    if isinstance(node, dict):
        for key, value in node.items():
            _check_texts(key, where, path)
            _check_texts(value, where, f"{path}.{key}" if isinstance(key, str) else path)
    elif isinstance(node, list):
        for value in node:
            _check_texts(value, where, path)
    elif isinstance(node, str) and (len(node) > MAX_TEXT or UNSAFE.search(node)):
        raise ModelError(
            f"{where}: {path[:80]} holds control characters or is too long; a manifest written by "
            "`smtriage train` has neither — do not use this model"
        )
