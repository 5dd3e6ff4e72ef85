"""A team retrains the model on its own labeled incidents and measures it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from classifier.incident import Incident, LogEvent, incident_from_dict
from classifier.model import load
from classifier.train import train_model, write
from training.generator import generate, generate_healthy

runner = CliRunner()


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def own_incidents() -> list[dict]:
    """A team's own labeled incidents: no `source.generator`, phrased their way."""
    lines = {
        "resource_exhaustion": "kernel: Out of memory: Killed process 4121 (python3) total-vm:31245812kB",
        "configuration_error": "ValueError: environment variable MODEL_NAME must be set for the recsys handler",
        "model_bug": '  File "/opt/ml/model/code/inference.py", line 88, in predict_fn\nIndexError: list index out of range',
    }
    return [
        {"id": f"team-{label}-{k}", "logs": [{"message": msg}], "label": label}
        for label, msg in lines.items()
        for k in range(4)
    ]


def test_a_team_retrains_on_its_own_incidents_and_sees_them_scored_apart(tmp_path):
    own = write_jsonl(tmp_path / "team.jsonl", own_incidents() + [{"id": "unlabeled", "logs": ["x"]}])
    out = tmp_path / "team-model"
    result = runner.invoke(app, ["train", str(own), "--out", str(out), "--own-weight", "5"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.stdout.split())  # rich wraps at 80 columns where stdout is no terminal
    assert "held-out score on" in said and "your own incidents" in said
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["training_data"]["own_incidents"] == 12
    assert manifest["training_data"]["own_weight"] == 5.0
    assert {"validation", "validation: real public cases", "validation: generated"} <= set(manifest["scores"])
    assert 0 < manifest["uncertain_threshold"] < 1
    card = (out / "MODEL_CARD.md").read_text()
    assert "precision" in card and "Confusion matrix" in card and "your own incidents" in card

    plots = tmp_path / "plots"
    ev = runner.invoke(app, ["evaluate", str(own), "--model", str(out), "--plots", str(plots), "-o", "json"])
    assert ev.exit_code == 0, ev.output
    scores = json.loads(ev.stdout)
    assert scores["n"] == 12
    assert set(scores) >= {
        "accuracy",
        "macro_f1",
        "per_label",
        "confusion",
        "ece",
        "coverage",
        "accuracy_when_confident",
    }
    assert sum(map(sum, scores["confusion"])) == 12
    for png in ("confusion_matrix.png", "reliability.png"):
        assert (plots / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    table = runner.invoke(app, ["evaluate", str(own), "--model", str(out)])
    assert "macro-F1" in table.stdout and "confusion" in table.stdout

    # the team's own incidents scored apart from generated ones in the same file
    mixed = write_jsonl(tmp_path / "mixed.jsonl", own_incidents() + list(generate(30, seed=5)))
    ev = runner.invoke(app, ["evaluate", str(mixed), "--model", str(out), "-o", "json"])
    by = json.loads(ev.stdout)["by_source"]
    assert by["your own incidents"]["n"] == 12 and by["generated"]["n"] == 30
    table = runner.invoke(app, ["evaluate", str(mixed), "--model", str(out)])
    assert "by source of the incidents" in table.stdout and "your own incidents" in table.stdout


def test_the_same_data_and_seed_give_a_byte_identical_model(tmp_path):
    incidents = [incident_from_dict(r) for r in list(generate(240, seed=3)) + list(generate_healthy(60, seed=3))]
    for name in ("a", "b"):
        trained = train_model(incidents, seed=1)
        write(
            trained.model,
            tmp_path / name,
            training_data={"n": len(incidents)},
            scores={"validation": trained.validation.to_dict()},
        )
    assert (tmp_path / "a" / "model.skops").read_bytes() == (tmp_path / "b" / "model.skops").read_bytes()
    assert (tmp_path / "a" / "manifest.json").read_text() == (tmp_path / "b" / "manifest.json").read_text()
    reloaded = load(tmp_path / "a")
    assert reloaded.predict_proba(incidents[:3]).shape == (3, 4)


def test_training_on_too_few_of_an_outcome_is_refused_naming_what_is_short(tmp_path):
    only_oom = write_jsonl(
        tmp_path / "oom.jsonl", [r for r in own_incidents() if r["label"] == "resource_exhaustion"] * 5
    )
    result = runner.invoke(app, ["train", str(only_oom), "--no-base", "--out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "too few labeled incidents to train on: configuration_error 0, model_bug 0, no_failure 0" in result.stderr
    assert not (tmp_path / "m").exists()


def test_a_bad_record_in_a_teams_file_stops_train_before_it_trains(tmp_path):
    own = tmp_path / "team.jsonl"
    own.write_text("".join(json.dumps(r) + "\n" for r in own_incidents()) + '{"id": "half-written", "logs": [\n')
    result = runner.invoke(app, ["train", str(own), "--out", str(tmp_path / "m")])
    assert result.exit_code == 8
    assert f"{own}:13: not valid JSON" in result.stderr and "nothing was trained" in result.stderr
    assert not (tmp_path / "m").exists()


def test_evaluate_scores_the_good_records_and_exits_8_for_the_bad(tmp_path):
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("".join(json.dumps(r) + "\n" for r in own_incidents()) + "{broken\n")
    result = runner.invoke(app, ["evaluate", str(mixed), "-o", "json"])
    assert result.exit_code == 8
    assert json.loads(result.stdout)["n"] == 12
    assert f"{mixed}:13" in result.stderr and "1 bad record(s) were not scored" in result.stderr


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_a_missing_or_directory_input_is_named_in_one_line(tmp_path, command):
    extra = ["--out", str(tmp_path / "m")] if command == "train" else []
    for path, said in [(tmp_path / "nope.jsonl", "input file not found"), (tmp_path, "is a directory")]:
        result = runner.invoke(app, [command, str(path), *extra])
        assert result.exit_code == 2
        assert said in result.stderr and str(path) in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_evaluate_without_labels_says_so(tmp_path):
    unlabeled = write_jsonl(tmp_path / "u.jsonl", [{"id": "a", "logs": ["Killed"]}])
    result = runner.invoke(app, ["evaluate", str(unlabeled)])
    assert result.exit_code == 2
    assert "no labeled incidents" in result.stderr


# The same root cause, phrased the way different serving stacks phrase it, must land in the same label.
SAME_CAUSE = {
    "resource_exhaustion": [
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.50 GiB (GPU 0; 22.19 GiB total capacity)",
        "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[64,1024,1024]",
        "[WARN ] W-9000-model_1-stderr MODEL_LOG - RuntimeError: CUDA error: out of memory",
        "[2026-01-03 10:00:01 +0000] [7] [ERROR] Worker (pid:31) was sent SIGKILL! Perhaps out of memory?",
        "OSError: [Errno 28] No space left on device: '/opt/ml/model/pytorch_model-00002-of-00003.bin'",
    ],
    "configuration_error": [
        "ModuleNotFoundError: No module named 'lightgbm'",
        "sagemaker_containers._errors.ImportModuleError: No module named 'catboost'",
        "mms.service.PredictionException: Content type text/csv is not supported by this framework. : 415",
        'Received client error (415) from primary with message "Unsupported content type: application/x-npy"',
        "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver",
    ],
    "model_bug": [
        '  File "/opt/ml/model/code/inference.py", line 41, in predict_fn\n    return model(x)\nRuntimeError: mat1 and mat2 shapes cannot be multiplied (4x10 and 12x1)',
        "  File \"/models/ranker/1/model.py\", line 63, in execute\n    out = self.net(batch)\nKeyError: 'input_ids'",
        "TypeError: Object of type ndarray is not JSON serializable",
        'RuntimeError: Error(s) in loading state_dict for ResNet: Missing key(s) in state_dict: "fc.weight", "fc.bias"',
    ],
}


@pytest.mark.parametrize("label, lines", SAME_CAUSE.items(), ids=list(SAME_CAUSE))
def test_one_root_cause_in_many_stacks_gets_one_label(model, label, lines):
    incidents = [Incident(logs=[LogEvent(line)]) for line in lines]
    proba = model.predict_proba(incidents)
    predicted = [model.labels[int(p.argmax())] for p in proba]
    assert predicted == [label] * len(lines)
