"""A user who installs the wheel (not an editable checkout) gets the shipped model and the demo samples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import aws_clients, seed

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("smtriage-*.whl")
    return built


def test_the_wheel_carries_the_model_and_the_samples(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("model.skops", "manifest.json", "MODEL_CARD.md"):
        assert f"classifier/_bundled/models/default/{f}" in names
    assert "classifier/_bundled/samples/incidents.jsonl" in names
    shipped = json.loads(zipfile.ZipFile(wheel).read("classifier/_bundled/models/default/manifest.json"))
    assert shipped == json.loads((ROOT / "models/default/manifest.json").read_text())


def test_classify_works_from_the_installed_wheel(wheel, tmp_path, moto_server_url, samples):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    seed(aws_clients(moto_server_url), samples["recsys-ranker"])
    env = {**os.environ, "PYTHONPATH": str(site)}
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import classifier, sys; print(classifier.__file__, file=sys.stderr); "
            "from classifier.cli import main; main()",
            "classify",
            "recsys-ranker",
            "--endpoint-url",
            moto_server_url,
            "--region",
            "us-east-1",
            "-o",
            "json",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert str(site) in run.stderr  # the installed copy ran, not the source tree
    (verdict,) = json.loads(run.stdout)
    assert verdict["label"] == "model_bug"
    manifest = json.loads((ROOT / "models/default/manifest.json").read_text())
    assert verdict["model_version"] == manifest["model_version"]


def test_the_wheel_carries_what_retraining_starts_from(wheel, tmp_path):
    """A pip user retrains without a source checkout: the corpus and the generator ship in the wheel."""
    names = set(zipfile.ZipFile(wheel).namelist())
    corpus = sorted(n for n in names if n.startswith("classifier/_bundled/realcases/") and n.endswith(".jsonl"))
    assert corpus == sorted(
        f"classifier/_bundled/realcases/{p.name}" for p in (ROOT / "data/realcases").glob("*.jsonl")
    )
    assert {"training/generator.py", "training/realcases.py", "training/build_default.py"} <= names
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    run = subprocess.run(
        [sys.executable, "-c", "from training import realcases; print(len(realcases.load()), realcases.CORPUS)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    count, where = run.stdout.split()
    assert int(count) == len(__import__("training.realcases", fromlist=["load"]).load())
    assert where.startswith(str(site))
    generated = tmp_path / "gen.jsonl"
    gen = subprocess.run(
        [sys.executable, "-m", "training.generate", "--n", "5", "--healthy", "2", "--out", str(generated)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert gen.returncode == 0, gen.stderr
    assert len(generated.read_text().splitlines()) == 7


def test_the_declared_scikit_learn_range_is_the_one_the_shipped_model_loads_under():
    """A user whose environment satisfies the declared range must not meet exit 7 on the first command."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    root = Path(__file__).resolve().parents[1]
    deps = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(Requirement(d) for d in deps if Requirement(d).name == "scikit-learn").specifier
    trained = Version(
        json.loads((root / "models" / "default" / "manifest.json").read_text())["versions"]["scikit-learn"]
    )
    same_minor = [Version(f"{trained.major}.{trained.minor}.{p}") for p in (0, 9)]
    other_minors = [
        Version(f"{trained.major}.{trained.minor - 1}.0"),
        Version(f"{trained.major}.{trained.minor + 1}.0"),
    ]
    assert all(v in spec for v in same_minor), f"{spec} refuses the scikit-learn the model was trained with"
    assert not any(v in spec for v in other_minors), f"{spec} admits a scikit-learn the shipped model refuses"
