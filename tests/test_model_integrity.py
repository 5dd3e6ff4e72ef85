"""A model directory from a colleague, a download or a broken copy is checked before anything in it is built.

Every story runs `smtriage classify --model DIR` and expects exit 7 with one
line saying what is wrong, and, where the file was built to run something,
proof that nothing ran. (The window is read while the model loads, and AWS
is moto: the reads go to a fake endpoint, never a real one.)
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import shutil
import zipfile
from pathlib import Path

import pytest
import skops.io as sio
from typer.testing import CliRunner

from classifier.cli import app
from classifier.model import TRUSTED_TYPES, default_model_dir
from classifier.model.manifest import content_digest

runner = CliRunner()
SHIPPED = default_model_dir()


@pytest.fixture
def colleague_model(tmp_path) -> Path:
    """A copy of the shipped model directory, as received."""
    target = tmp_path / "from-a-colleague"
    shutil.copytree(SHIPPED, target)
    return target


def edit_manifest(directory: Path, *, reseal: bool = True, **changes) -> None:
    """Change manifest fields; `reseal` also rewrites its content digest, as someone who meant it would."""
    path = directory / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest.update(changes)
    if reseal:
        manifest["manifest_sha256"] = content_digest(manifest)
    path.write_text(json.dumps(manifest))


def replace_model_file(directory: Path, data: bytes) -> None:
    """Swap in another model file *and* make the manifest vouch for it: only the content checks can stop it."""
    (directory / "model.skops").write_bytes(data)
    edit_manifest(directory, sha256=hashlib.sha256(data).hexdigest())


def refused(directory: Path) -> str:
    result = runner.invoke(app, ["classify", "any-endpoint", "--model", str(directory)])
    assert result.exit_code == 7, result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output, result.stderr
    return " ".join(result.stderr.split())


def test_a_refused_model_is_the_error_even_when_aws_cannot_be_reached(colleague_model, env_without_credentials):
    """The model loads while CloudWatch is read; when both fail, the model is what the user hears about."""
    (colleague_model / "model.skops").write_bytes(b"not a model")
    assert "model" in refused(colleague_model)


def test_the_shipped_model_is_accepted(moto_aws):
    result = runner.invoke(app, ["classify", "any-endpoint", "--model", str(SHIPPED)])
    assert result.exit_code == 5  # the model loaded; the (moto) endpoint does not exist


# ---------------------------------------------------------------- the file is not what the manifest says


def test_a_single_changed_byte_is_refused(colleague_model, moto_aws):
    path = colleague_model / "model.skops"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    message = refused(colleague_model)
    assert "sha256" in message and "does not match the manifest" in message and "do not use it" in message


def test_a_truncated_file_is_refused(colleague_model, moto_aws):
    path = colleague_model / "model.skops"
    path.write_bytes(path.read_bytes()[:4096])
    assert "does not match the manifest" in refused(colleague_model)


def test_a_truncated_file_with_a_matching_manifest_is_refused(colleague_model, moto_aws):
    replace_model_file(colleague_model, (colleague_model / "model.skops").read_bytes()[:4096])
    assert "not a readable skops file" in refused(colleague_model)


def test_a_missing_manifest_or_model_file_is_refused(colleague_model, moto_aws, tmp_path):
    assert "no manifest.json here" in refused(tmp_path)
    (colleague_model / "model.skops").unlink()
    assert "model file 'model.skops' is missing" in refused(colleague_model)


def test_a_manifest_pointing_outside_its_directory_is_refused(colleague_model, moto_aws):
    edit_manifest(colleague_model, model_file="../../etc/passwd")
    assert "is missing" in refused(colleague_model)


# ---------------------------------------------------------------- foreign files that would run code


class _RunsOnLoad:
    """Unpickling this creates a file: the classic pickle payload, harmless here."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_pickle_posing_as_a_model_is_refused_and_runs_nothing(colleague_model, moto_aws, tmp_path):
    marker = tmp_path / "pickle-ran"
    replace_model_file(colleague_model, pickle.dumps(_RunsOnLoad(marker)))
    assert "not a readable skops file" in refused(colleague_model)
    assert not marker.exists()


def test_a_joblib_file_posing_as_a_model_is_refused_and_runs_nothing(colleague_model, moto_aws, tmp_path):
    import joblib

    marker = tmp_path / "joblib-ran"
    buf = io.BytesIO()
    joblib.dump({"model": _RunsOnLoad(marker)}, buf)
    replace_model_file(colleague_model, buf.getvalue())
    assert "not a readable skops file" in refused(colleague_model)
    assert not marker.exists()


class Sentinel:
    """A type outside TRUSTED_TYPES; building one would be visible."""

    built: list[str] = []

    def __new__(cls, *args, **kwargs):
        Sentinel.built.append("__new__")
        return super().__new__(cls)

    def __setstate__(self, state):
        Sentinel.built.append("__setstate__")
        self.__dict__.update(state)


def test_a_skops_file_holding_an_untrusted_type_is_refused_before_anything_is_built(colleague_model, moto_aws):
    from classifier.model import load

    model = load(SHIPPED)
    model.featurizer.extra = Sentinel()
    raw = sio.dumps(model.pipeline)
    Sentinel.built.clear()
    replace_model_file(colleague_model, raw)
    message = refused(colleague_model)
    assert "refuses to load" in message and "Sentinel" in message
    assert Sentinel.built == []
    del model.featurizer.extra


def _edit_featurizer(data: bytes, edit) -> bytes:
    """The model file with the featurizer's node in schema.json changed by `edit(attributes_dict_node)`."""
    src = zipfile.ZipFile(io.BytesIO(data))
    schema = json.loads(src.read("schema.json"))
    featurizer = schema["content"]["content"]["steps"]["content"][0]["content"][1]
    assert featurizer["__class__"] == "IncidentFeaturizer"
    edit(featurizer["content"])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.namelist():
            dst.writestr(item, json.dumps(schema) if item == "schema.json" else src.read(item))
    return out.getvalue()


def _with_schema_node(data: bytes, name: str, node: dict) -> bytes:
    """The model file with `node` added to the featurizer's attributes."""

    def add(attributes: dict) -> None:
        attributes["content"][name] = node
        key_types = attributes["key_types"]["content"]
        key_types.append(dict(key_types[0]))  # one more str key

    return _edit_featurizer(data, add)


def test_a_skops_file_of_trusted_types_with_hostile_values_is_refused(colleague_model, moto_aws):
    """Only trusted types, so the audit passes; but the featurizer would hash into 2**40 columns."""

    def widen(attributes: dict) -> None:
        attributes["content"]["n_hash_bits"]["content"] = "40"

    replace_model_file(colleague_model, _edit_featurizer((SHIPPED / "model.skops").read_bytes(), widen))
    assert "not the one its manifest describes" in refused(colleague_model)


def test_a_skops_file_edited_to_call_os_system_is_refused_and_runs_nothing(colleague_model, moto_aws, tmp_path):
    """A hand-edited schema whose node, if built, would run `os.system("touch ...")`."""
    marker = tmp_path / "shell-ran"

    def text(s, i):
        return {
            "__class__": "str",
            "__module__": "builtins",
            "__loader__": "JsonNode",
            "content": json.dumps(s),
            "is_json": True,
            "__id__": i,
        }

    payload = {
        "__class__": "system",
        "__module__": "os",
        "__loader__": "LossNode",
        "__id__": 900001,
        "__reduce__": {
            "args": {
                "__class__": "tuple",
                "__module__": "builtins",
                "__loader__": "TupleNode",
                "__id__": 900002,
                "content": [text(f"touch {marker}", 900003)],
            }
        },
        "content": {
            "__class__": "dict",
            "__module__": "builtins",
            "__loader__": "DictNode",
            "__id__": 900004,
            "content": {},
            "key_types": {
                "__class__": "list",
                "__module__": "builtins",
                "__loader__": "ListNode",
                "content": [],
                "__id__": 900005,
            },
        },
    }
    crafted = _with_schema_node((SHIPPED / "model.skops").read_bytes(), "hook", payload)
    replace_model_file(colleague_model, crafted)
    message = refused(colleague_model)
    assert "refuses to load" in message and "os.system" in message
    assert not marker.exists()
    # the control: the payload is live, so only the audit stopped it (skops told to trust os.system runs it)
    sio.loads(crafted, trusted=[*TRUSTED_TYPES, "os.system"])
    assert marker.exists()


def test_a_skops_file_naming_builtins_eval_is_refused(colleague_model, moto_aws):
    node = {"__class__": "eval", "__module__": "builtins", "__loader__": "TypeNode", "__id__": 900010}
    replace_model_file(colleague_model, _with_schema_node((SHIPPED / "model.skops").read_bytes(), "f", node))
    assert "builtins.eval" in refused(colleague_model)


def test_the_trusted_list_is_exactly_what_the_shipped_model_needs():
    extra = set(sio.get_untrusted_types(data=(SHIPPED / "model.skops").read_bytes()))
    assert extra == set(TRUSTED_TYPES)


# ---------------------------------------------------------------- a manifest this smtriage cannot honour


def test_a_model_built_for_another_feature_schema_is_refused(colleague_model, moto_aws):
    manifest = json.loads((colleague_model / "manifest.json").read_text())
    edit_manifest(colleague_model, feature_schema={**manifest["feature_schema"], "hash": "0" * 64})
    message = refused(colleague_model)
    assert "different feature schema" in message and "smtriage train" in message


def test_a_model_trained_with_another_scikit_learn_is_refused(colleague_model, moto_aws):
    manifest = json.loads((colleague_model / "manifest.json").read_text())
    edit_manifest(colleague_model, versions={**manifest["versions"], "scikit-learn": "1.4.2"})
    message = refused(colleague_model)
    assert "trained with scikit-learn 1.4.2" in message and "install scikit-learn==1.4.2" in message


@pytest.mark.parametrize(
    "changes, says",
    [
        ({"format_version": 99}, "manifest format 99"),
        ({"labels": ["oom", "config", "bug"]}, "model labels"),
        ({"labels": "resource_exhaustion"}, "model labels"),
        ({"feature_schema": ["not", "an", "object"]}, "different feature schema"),
        ({"feature_schema": {"hash": "x", "n_hash_bits": 10**9}}, "different feature schema"),
        ({"versions": "1.9.1"}, "trained with scikit-learn unknown"),
        ({"versions": {"scikit-learn": 1.9}}, "trained with scikit-learn unknown"),
        ({"uncertain_threshold": "high"}, "uncertain_threshold must be a number from 0 to 1"),
        ({"sha256": None}, "no sha256"),
    ],
)
def test_a_malformed_manifest_is_refused_with_exit_7(colleague_model, moto_aws, changes, says):
    edit_manifest(colleague_model, **changes)
    assert says in refused(colleague_model)


def test_a_manifest_that_is_not_json_is_refused(colleague_model, moto_aws):
    (colleague_model / "manifest.json").write_bytes(b"\xff\xfe not json")
    assert "not valid JSON" in refused(colleague_model)
