"""Model directories: write them, and load them only after checking they are safe and meant for this code.

A model directory holds `model.skops` (skops.io: every type in the file is
audited against TRUSTED_TYPES before anything is built, so a model file from a
colleague cannot run code when loaded — unlike a pickle or joblib file),
`manifest.json` (versions, labels, feature schema, sha256 of the model file,
training summary, scores, the `uncertain` threshold) and `MODEL_CARD.md`.
Loading checks the hash, the versions and the schema before it reads a byte of
the model, and refuses a mismatch with a message that says what to do.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import ModelError
from ..incident import OUTCOMES
from ..text.signals import SIGNALS
from .features import IncidentFeaturizer, schema_hash
from .manifest import MODEL_FILE, FeatureSchema, Manifest
from .pipeline import TriageModel

MANIFEST_FILE = "manifest.json"
CARD_FILE = "MODEL_CARD.md"

# The types a smtriage model file may contain beyond those skops trusts by
# default (builtins, numpy arrays, and scikit-learn's public estimators such as
# Pipeline, MaxAbsScaler, LogisticRegression, CalibratedClassifierCV).
# A file naming anything else is refused before any object is built.
TRUSTED_TYPES: tuple[str, ...] = (
    "classifier.model.features.IncidentFeaturizer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)


# ---------------------------------------------------------------- persistence


def _canonical_skops(raw: bytes) -> bytes:
    """Rewrite a skops archive so the same model always gives the same bytes.

    skops names array files and node ids after `id()` of the objects and stamps
    zip entries with the current time; renumbering ids in order of appearance and
    fixing the timestamps makes the shipped model reproducible bit for bit.
    """
    src = zipfile.ZipFile(io.BytesIO(raw))
    schema = json.loads(src.read("schema.json"))
    ids: dict[int, int] = {}
    files: dict[str, str] = {}

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            for key, value in node.items():
                if key == "__id__" and isinstance(value, int):
                    out[key] = ids.setdefault(value, len(ids) + 1)
                elif key == "file" and isinstance(value, str):
                    suffix = Path(value).suffix
                    out[key] = files.setdefault(value, f"{len(files) + 1:05d}{suffix}")
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    canonical = walk(schema)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:

        def put(name: str, data: bytes) -> None:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data, compresslevel=6)

        for old, new in sorted(files.items(), key=lambda kv: kv[1]):
            put(new, src.read(old))
        put("schema.json", json.dumps(canonical, indent=1, sort_keys=True).encode())
    return buf.getvalue()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def runtime_versions() -> dict[str, str]:
    import numpy
    import scipy
    import sklearn
    import skops

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
    }


def save(
    model: TriageModel,
    directory: str | Path,
    *,
    training_data: dict[str, Any] | None = None,
    scores: dict[str, Any] | None = None,
    calibration: str | None = None,
    target_accuracy: float | None = None,
    card: Callable[[Manifest], str] | None = None,
) -> Manifest:
    """Write model.skops + manifest.json (+ MODEL_CARD.md, rendered from the manifest by `card`)."""
    import skops.io as sio

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    raw = _canonical_skops(sio.dumps(model.pipeline))
    untrusted = set(sio.get_untrusted_types(data=raw)) - set(TRUSTED_TYPES)
    if untrusted:
        raise ModelError(
            f"model holds types outside TRUSTED_TYPES: {sorted(untrusted)}; add them deliberately or drop them"
        )
    model_path = directory / MODEL_FILE
    model_path.write_bytes(raw)
    featurizer = model.featurizer
    sha256 = sha256_file(model_path)
    manifest = Manifest(
        # derived from the content, not the clock, so a rebuild from the same recipe is identical
        model_version=f"{__version__}+{sha256[:12]}",
        sha256=sha256,
        feature_schema=FeatureSchema(
            featurizer.schema_hash_, featurizer.n_hash_bits, featurizer.line_hash_bits, featurizer.n_features_out_
        ),
        versions=runtime_versions(),
        uncertain_threshold=model.uncertain_threshold,
        detect_threshold=model.detect_threshold,
        training_data=training_data or {},
        scores=scores or {},
        calibration=calibration,
        target_accuracy_above_threshold=target_accuracy,
    )
    (directory / MANIFEST_FILE).write_text(json.dumps(manifest.to_json(), indent=2, sort_keys=True) + "\n")
    if card is not None:
        (directory / CARD_FILE).write_text(card(manifest))
    model.manifest = manifest
    return manifest


# What the parts of a model file may hold once uncompressed: far above the shipped model (a few MB),
# far below what would take a machine's memory (a zip bomb).
MAX_ENTRY_BYTES = 256 << 20
MAX_MODEL_BYTES = 1 << 30


def _check_archive(raw: bytes, where: Path) -> None:
    """The zip's entries, as their headers say, before any is read: a bomb is refused, not inflated."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ModelError(f"{where}: not a readable skops file ({exc})") from None
    big = [e for e in entries if e.file_size > MAX_ENTRY_BYTES]
    if big or sum(e.file_size for e in entries) > MAX_MODEL_BYTES:
        raise ModelError(
            f"{where}: holds {big[0].filename if big else 'entries'} of "
            f"{(big[0].file_size if big else sum(e.file_size for e in entries)):,} bytes uncompressed, "
            "far more than any smtriage model; refused without reading it"
        )


def _major_minor(version: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", version)[:2])


def check_manifest(manifest: Manifest, where: Path) -> None:
    """Refuse a manifest this code cannot honour; each message says what to do instead."""
    schema = manifest.feature_schema
    if schema.hash != schema_hash(schema.n_hash_bits, schema.line_hash_bits):
        raise ModelError(
            f"{where}: model was trained on a different feature schema than this smtriage computes; "
            "retrain it with `smtriage train` or use the smtriage version that made it"
        )
    trained = manifest.versions.get("scikit-learn", "")
    running = runtime_versions()["scikit-learn"]
    if _major_minor(trained) != _major_minor(running):
        raise ModelError(
            f"{where}: model was trained with scikit-learn {trained or 'unknown'} but {running} is "
            f"installed; install scikit-learn=={trained} or retrain with `smtriage train`"
        )


def load(directory: str | Path) -> TriageModel:
    """Verify then load a model directory; never executes code from the file."""
    import skops.io as sio
    from sklearn.exceptions import InconsistentVersionWarning

    directory = Path(directory)
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ModelError(
            f"{directory}: no {MANIFEST_FILE} here; a model directory holds {MODEL_FILE} and {MANIFEST_FILE}"
        )
    try:
        raw_manifest = json.loads(manifest_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{manifest_path}: not valid JSON ({exc})") from None
    manifest = Manifest.from_json(raw_manifest, manifest_path)
    check_manifest(manifest, manifest_path)
    model_path = directory / manifest.model_file
    if model_path.parent.resolve() != directory.resolve() or not model_path.is_file():
        raise ModelError(f"{directory}: model file {manifest.model_file!r} is missing")
    digest = sha256_file(model_path)
    if digest != manifest.sha256:
        raise ModelError(
            f"{model_path}: sha256 {digest[:12]}… does not match the manifest's "
            f"{manifest.sha256[:12]}…; the file was modified or truncated — do not use it"
        )
    raw = model_path.read_bytes()
    _check_archive(raw, model_path)
    try:
        untrusted = set(sio.get_untrusted_types(data=raw)) - set(TRUSTED_TYPES)
    except Exception as exc:  # skops raises a variety of errors on a malformed archive
        raise ModelError(f"{model_path}: not a readable skops file ({type(exc).__name__}: {exc})") from None
    if untrusted:
        raise ModelError(
            f"{model_path}: refuses to load, the file names types smtriage does not trust: "
            f"{', '.join(sorted(untrusted))}"
        )
    try:
        with warnings.catch_warnings():
            # check_manifest has held the scikit-learn minor to the one the model was built with; within it, a
            # patch release changes no estimator's state, and its warning would print once per estimator
            warnings.simplefilter("ignore", InconsistentVersionWarning)
            pipeline = sio.load(io.BytesIO(raw), trusted=list(TRUSTED_TYPES))
    except Exception as exc:
        raise ModelError(f"{model_path}: could not be loaded ({type(exc).__name__}: {exc})") from None
    _check_built(pipeline, manifest.feature_schema, model_path)
    return TriageModel(pipeline, manifest.uncertain_threshold, manifest.detect_threshold, manifest)


def _check_built(pipeline: Any, schema: FeatureSchema, where: Path) -> None:
    """The object built is the pipeline the manifest describes, and its parts fit one another.

    Only trusted types got this far; their values could still be anything: a
    featurizer told to hash into 2**40 columns, or a consistent set of hash
    widths that no scaler or classifier in the file was fitted on. Refused
    here, before any AWS call, not at the first verdict.
    """
    steps: Any = getattr(pipeline, "named_steps", None)
    featurizer = steps.get("features") if hasattr(steps, "get") else None
    refused = ModelError(
        f"{where}: the model in the file is not the one its manifest describes (pipeline steps, "
        "feature schema, sizes or labels differ); do not use it"
    )
    if (
        not isinstance(featurizer, IncidentFeaturizer)
        or "classify" not in steps
        or "scale" not in steps
        or getattr(featurizer, "n_hash_bits", None) != schema.n_hash_bits
        or getattr(featurizer, "line_hash_bits", None) != schema.line_hash_bits
        or getattr(featurizer, "schema_hash_", None) != schema.hash
        or list(getattr(steps["classify"], "classes_", [])) != sorted(OUTCOMES)
    ):
        raise refused
    width = featurizer.n_dense_ + (1 << featurizer.n_hash_bits)
    line_width = (1 << featurizer.line_hash_bits) + len(SIGNALS)
    try:
        fits = (
            featurizer.n_features_out_ == width == schema.n_features
            and getattr(steps["scale"], "n_features_in_", None) == width
            and all(cc.estimator.coef_.shape[1] == width for cc in steps["classify"].calibrated_classifiers_)
            and featurizer.line_model_.coef_.shape == (1, line_width)
            and featurizer.cause_model_.coef_.shape == (len(OUTCOMES) - 1, line_width)
        )
    except AttributeError:
        fits = False
    if not fits:
        raise refused


def default_model_dir() -> Path:
    """The shipped model: inside the installed package, or `models/default` in a source checkout."""
    here = Path(__file__).resolve().parent.parent
    bundled = here / "_bundled" / "models" / "default"
    if (bundled / MANIFEST_FILE).is_file():
        return bundled
    return here.parent / "models" / "default"
