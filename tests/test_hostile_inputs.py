"""What an attacker controls never reaches the terminal raw, and a hostile model file is refused before use.

A model directory from a colleague can carry a manifest whose fields are
printed (the version in `evaluate`'s title), a file name can hold control
characters, an AWS error message can too, and `--endpoint-url` can hold
credentials. Everything printed goes through one inert rendering path.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
import skops.io as sio
from typer.testing import CliRunner

from classifier.cli import app
from classifier.model import default_model_dir
from classifier.model.features import schema_hash
from classifier.model.manifest import content_digest
from tests.awsfaults import Fault, inject
from tests.test_model_integrity import edit_manifest, refused

runner = CliRunner()
ESCAPES = ("\x1b]2;pwned\x07", "\x1b]52;c;ZWNobyBwd25lZA==\x07", "\x1bc", "\u202e", "[link=https://evil]x[/link]")


@pytest.fixture
def colleague_model(tmp_path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    return target


def labeled(tmp_path: Path, name: str = "labeled.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"id": "a", "logs": ["Killed process 42 (python)"], "label": "resource_exhaustion"}) + "\n"
    )
    return path


def no_raw_controls(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, repr(text)


@pytest.mark.parametrize("hostile", ESCAPES)
def test_a_manifest_with_terminal_controls_in_its_version_is_refused(colleague_model, hostile, moto_aws):
    edit_manifest(colleague_model, model_version="0.1.0" + hostile)
    message = refused(colleague_model)
    no_raw_controls(message)


def test_a_manifest_edited_after_it_was_written_is_refused(colleague_model, moto_aws):
    edit_manifest(colleague_model, reseal=False, uncertain_threshold=0.01)
    assert "was edited after it was written" in refused(colleague_model)


def test_file_names_in_the_evaluate_title_are_shown_inert(tmp_path):
    path = labeled(tmp_path, "in\x1b]2;pwned\x07.jsonl")
    result = runner.invoke(app, ["evaluate", str(path)])
    assert result.exit_code == 0, result.output
    no_raw_controls(result.output)
    assert "\\x1b]2;pwned\\x07" in result.stdout


def test_a_zip_bomb_model_file_is_refused_without_being_inflated(colleague_model, monkeypatch, moto_aws):
    from classifier.model import store

    monkeypatch.setattr(store, "MAX_ENTRY_BYTES", 1 << 20)  # the attack's 1.5 GiB, scaled down with the limit
    raw = (colleague_model / "model.skops").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "schema.json":
                data = data + b" " * (8 << 20)  # valid JSON, eight times the limit once inflated
            dst.writestr(item.filename, data)
    (colleague_model / "model.skops").write_bytes(buf.getvalue())
    edit_manifest(colleague_model, sha256=hashlib.sha256(buf.getvalue()).hexdigest())
    assert "uncompressed, far more than any smtriage model" in refused(colleague_model)


def test_a_consistent_model_of_another_hash_width_is_refused_before_any_aws_call(
    colleague_model, env_without_credentials
):
    """Every declared width agrees (featurizer, manifest, schema hash); the fitted parts do not. Exit 7, not 1 later."""
    pipeline = sio.load(
        colleague_model / "model.skops", trusted=sio.get_untrusted_types(file=colleague_model / "model.skops")
    )
    featurizer = pipeline.named_steps["features"]
    featurizer.n_hash_bits = 24
    featurizer.schema_hash_ = schema_hash(24, featurizer.line_hash_bits)
    featurizer.n_features_out_ = featurizer.n_dense_ + (1 << 24)
    data = sio.dumps(pipeline)
    (colleague_model / "model.skops").write_bytes(data)
    manifest = json.loads((colleague_model / "manifest.json").read_text())
    edit_manifest(
        colleague_model,
        sha256=hashlib.sha256(data).hexdigest(),
        feature_schema={
            **manifest["feature_schema"],
            "n_hash_bits": 24,
            "hash": featurizer.schema_hash_,
            "n_features": featurizer.n_features_out_,
        },
    )
    assert "sizes" in refused(colleague_model)


def test_debug_tracebacks_show_an_aws_message_inert(moto_aws, client_hooks):
    from tests.awsfaults import error_response

    inject(
        client_hooks,
        Fault("sagemaker", "DescribeEndpoint", error_response("ValidationException", "bad \x1bc\x1b]2;x\x07 input")),
    )
    result = runner.invoke(app, ["classify", "ep", "--debug"])
    assert result.exit_code != 0
    assert "Traceback" in result.stderr
    no_raw_controls(result.output)


def test_credentials_written_into_the_endpoint_url_are_never_echoed():
    result = runner.invoke(
        app,
        [
            "classify",
            "ep",
            "--endpoint-url",
            "http://AKIAEXAMPLE:s3cr3t@127.0.0.1:9",
            "--max-attempts",
            "1",
            "--timeout",
            "20",
        ],
    )
    assert result.exit_code == 6, result.output
    assert "s3cr3t" not in result.output and "AKIAEXAMPLE" not in result.output
    assert "***@127.0.0.1:9" in result.output


def test_a_gateway_error_page_after_every_retry_is_aws_unavailable(moto_aws, client_hooks, backoff):
    from botocore.awsrequest import AWSResponse

    from tests.awsfaults import _Body

    page = b"<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
    inject(
        client_hooks,
        Fault(
            "sagemaker",
            "DescribeEndpoint",
            lambda request: AWSResponse(request.url, 502, {"Content-Type": "text/html"}, _Body(page)),
        ),
    )
    result = runner.invoke(app, ["classify", "ep", "--max-attempts", "2"])
    assert result.exit_code == 6, result.output
    assert "wait a minute and run again" in result.stderr


def test_manifest_digest_is_of_everything_but_itself(colleague_model):
    manifest = json.loads((colleague_model / "manifest.json").read_text())
    assert manifest["manifest_sha256"] == content_digest(manifest)
