"""The training-corpus generator, told as the stories of the people who rely on it.

The shipped model learns only from this corpus, so these tests guard what a
model trainer needs from it: reproducible output, every stack and every root
cause present, balanced labels, records the rest of smtriage can read, no
copy of the real cases we measure on, quiet windows that are really quiet,
and a CLI that writes what it says.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from training.generator import LABELS, STACKS, generate, generate_healthy, signatures  # noqa: E402

DEV_CASES = Path(os.environ.get("SMTRIAGE_REALCASES", ROOT.parent / "shared" / "realcases" / "dev.jsonl"))
REQUIRED_STACKS = {"sklearn", "xgboost", "torchserve", "tfserving", "hf_mms", "tgi", "djl_lmi", "triton", "byoc"}
METRIC_NAMES = {
    "Invocations",
    "Invocation4XXErrors",
    "Invocation5XXErrors",
    "InvocationModelErrors",
    "ModelLatency",
    "OverheadLatency",
    "ModelSetupTime",
    "CPUUtilization",
    "MemoryUtilization",
    "GPUUtilization",
    "GPUMemoryUtilization",
    "DiskUtilization",
}
GPU_METRICS = {"GPUUtilization", "GPUMemoryUtilization"}
CPU_FAMILIES = ("ml.m", "ml.c", "ml.r", "ml.t")
# Lines that only a failing endpoint writes; a healthy window must contain none of them.
FAILURE_MARKERS = re.compile(
    r"Traceback \(most recent call last\)|\b\w+(?:Error|Exception): |[Oo]ut of memory|No space left|"
    r"\bKilled\b|SIGKILL|WORKER TIMEOUT|Worker died|worker process died|Worker exiting|[Ff]ailed to load|UNAVAILABLE|"
    r"AccessDenied|not supported by this framework|HTTP/1\.1\" [45]\d\d|has no worker|overloaded|"
    r"Load model failed|Shard \d+ failed|unexpected tensorflow serving exit"
)


def _iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample() -> list[dict]:
    return list(generate(3000, seed=11))


@pytest.fixture(scope="module")
def healthy() -> list[dict]:
    return list(generate_healthy(300, seed=11))


# -- a trainer reruns the recipe and must get the same corpus ---------------------------------------
def test_same_seed_gives_byte_identical_records_even_in_another_process():
    here = [json.dumps(r, ensure_ascii=False) for r in generate(150, seed=5)]
    assert here == [json.dumps(r, ensure_ascii=False) for r in generate(150, seed=5)]
    code = (
        "import json,sys; sys.path.insert(0, sys.argv[1]); from training.generator import generate;"
        "[print(json.dumps(r, ensure_ascii=False)) for r in generate(150, seed=5)]"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, env=env, check=True, encoding="utf-8"
    )
    assert out.stdout.splitlines() == here


def test_different_seeds_give_different_corpora():
    a = [json.dumps(r) for r in generate(50, seed=1)]
    b = [json.dumps(r) for r in generate(50, seed=2)]
    assert len(set(a) & set(b)) == 0


# -- the model must see every stack and every root cause ---------------------------------------------
def test_every_stack_appears_in_a_3000_incident_sample(sample):
    seen = {r["source"]["stack"] for r in sample}
    assert REQUIRED_STACKS <= set(STACKS)
    assert seen == set(STACKS)


def test_each_label_has_twelve_signatures_each_seen_on_two_stacks(sample):
    sigs = signatures()
    assert set(sigs) == set(LABELS)
    stacks_of: dict[str, set[str]] = defaultdict(set)
    for r in sample:
        stacks_of[r["source"]["signature"]].add(r["source"]["stack"])
    for label, names in sigs.items():
        assert len(names) >= 12, f"{label} has only {len(names)} signatures"
        for name in names:
            assert len(stacks_of[name]) >= 2, f"{name} rendered on {sorted(stacks_of[name])} only"
    assert all(r["source"]["signature"] in sigs[r["label"]] for r in sample)


def test_labels_are_balanced_between_30_and_36_percent(sample):
    counts = Counter(r["label"] for r in sample)
    for label in LABELS:
        assert 0.30 <= counts[label] / len(sample) <= 0.36, counts


def test_about_half_windows_half_snippets(sample):
    styles = Counter(r["source"]["style"] for r in sample)
    assert 0.4 <= styles["window"] / len(sample) <= 0.6, styles


# -- a team that only serves some stacks filters the corpus ------------------------------------------
def test_excluding_tgi_yields_no_tgi_record_and_keeps_the_others_unchanged():
    full = {r["id"]: r for r in generate(400, seed=3)}
    filtered = list(generate(200, seed=3, exclude_stacks=["tgi"]))
    assert len(filtered) == 200
    assert all(r["source"]["stack"] != "tgi" for r in filtered)
    for r in filtered:
        if r["id"] in full:
            assert r == full[r["id"]]


def test_stacks_filter_keeps_only_those_stacks():
    recs = list(generate(60, seed=3, stacks=["triton", "xgboost"]))
    assert {r["source"]["stack"] for r in recs} == {"triton", "xgboost"}


def test_signature_filter_yields_only_those_signatures():
    recs = list(generate(40, seed=9, signature_names=["cuda_oom", "missing_env_var"]))
    assert len(recs) == 40
    assert {r["source"]["signature"] for r in recs} == {"cuda_oom", "missing_env_var"}


def test_unknown_names_are_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown stack"):
        list(generate(1, stacks=["sagemaker-magic"]))
    with pytest.raises(ValueError, match="unknown signature"):
        list(generate(1, signature_names=["gremlins"]))


# -- every record must be readable by the rest of smtriage ----------------------------------------
def _check_record(r: dict) -> None:
    for key in ("id", "endpoint", "variant", "start", "end", "context", "logs", "metrics", "label", "source"):
        assert key in r, key
    assert isinstance(r["id"], str) and r["id"]
    assert isinstance(r["logs"], list) and isinstance(r["metrics"], dict)
    assert r["logs"] or r["metrics"], r["id"]
    for ev in r["logs"]:
        assert set(ev) == {"timestamp", "stream", "message"}
        assert isinstance(ev["message"], str) and ev["message"].strip()
        assert ev["timestamp"] is None or _iso(ev["timestamp"])
        assert ev["stream"] is None or isinstance(ev["stream"], str)
    for name, series in r["metrics"].items():
        assert name in METRIC_NAMES, name
        assert len(series["timestamps"]) == len(series["values"]) > 0
        assert all(isinstance(v, float) and math.isfinite(v) for v in series["values"]), name
        assert all(_iso(t).second == 0 for t in series["timestamps"])
    for t in (r["start"], r["end"]):
        assert t is None or _iso(t)
    ctx = r["context"]
    assert isinstance(ctx, dict)
    itype = ctx.get("instance_type")
    if itype and itype.startswith(CPU_FAMILIES):
        assert not GPU_METRICS & set(r["metrics"]), (r["id"], itype)
    assert isinstance(r["source"], dict) and r["source"]["generator"]


def test_every_failure_record_has_the_incident_shape(sample):
    for r in sample:
        _check_record(r)
        assert r["label"] in LABELS


def test_windows_have_streams_timestamps_and_aligned_metrics(sample):
    windows = [r for r in sample if r["source"]["style"] == "window"]
    assert windows
    for r in windows:
        start, end = _iso(r["start"]), _iso(r["end"])
        assert 10 * 60 <= (end - start).total_seconds() <= 60 * 60
        for ev in r["logs"]:
            assert re.fullmatch(r"[\w-]+/i-[0-9a-f]{17}", ev["stream"]), ev["stream"]
            assert start <= _iso(ev["timestamp"]) <= end
        for series in r["metrics"].values():
            assert all(start <= _iso(t) < end for t in series["timestamps"])


def test_snippets_are_short_and_mostly_without_timestamps(sample):
    snippets = [r for r in sample if r["source"]["style"] == "snippet"]
    assert snippets
    assert all(1 <= len(r["logs"]) <= 20 and not r["metrics"] for r in snippets)
    with_ts = sum(1 for r in snippets if r["logs"][0]["timestamp"])
    assert with_ts / len(snippets) < 0.3
    single = sum(1 for r in snippets if len(r["logs"]) == 1)
    assert single / len(snippets) > 0.2


# -- we measure on real cases, so the corpus must not contain them ---------------------------------
def test_no_generated_message_equals_or_contains_a_dev_case_message(sample, healthy):
    if not DEV_CASES.exists():
        pytest.skip(f"real dev cases not available at {DEV_CASES}")
    dev = {
        _norm(e["message"])
        for line in DEV_CASES.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for e in json.loads(line)["logs"]
    }
    dev = {m for m in dev if len(m) > 40}
    assert dev
    leaks = []
    for r in sample + healthy:
        for ev in r["logs"]:
            msg = _norm(ev["message"])
            leaks += [(r["id"], m[:80]) for m in dev if m in msg]
    assert not leaks, leaks[:5]


# -- quiet windows teach the model what "no failure" looks like -------------------------------------
def test_healthy_windows_contain_no_failure_lines_and_no_errors_in_metrics(healthy):
    assert {r["source"]["stack"] for r in healthy} == set(STACKS)
    for r in healthy:
        _check_record(r)
        assert r["label"] == "no_failure" and r["source"]["signature"] is None
        for ev in r["logs"]:
            assert not FAILURE_MARKERS.search(ev["message"]), (r["id"], ev["message"][:200])
        for name in ("Invocation4XXErrors", "Invocation5XXErrors", "InvocationModelErrors"):
            if name in r["metrics"]:
                assert not any(r["metrics"][name]["values"]), (r["id"], name)


def test_failure_windows_do_show_failure_lines_or_metric_evidence(sample):
    windows = [r for r in sample if r["source"]["style"] == "window"]
    quiet = [r for r in windows if not any(FAILURE_MARKERS.search(e["message"]) for e in r["logs"])]
    assert len(quiet) / len(windows) < 0.35
    for r in quiet:
        assert r["metrics"] or r["context"].get("failure_reason") or r["logs"], r["id"]


# -- the CLI writes what it says --------------------------------------------------------------------
def test_cli_writes_the_requested_number_of_jsonl_lines(tmp_path):
    out = tmp_path / "nested" / "train.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "training.generate",
            "--n",
            "40",
            "--seed",
            "7",
            "--out",
            str(out),
            "--exclude-stacks",
            "tgi",
            "--healthy",
            "5",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 45
    recs = [json.loads(x) for x in lines]
    assert sum(r["label"] == "no_failure" for r in recs) == 5
    assert all(r["source"]["stack"] != "tgi" for r in recs)
    assert [r for r in recs if r["label"] != "no_failure"] == json.loads(
        json.dumps(list(generate(40, 7, exclude_stacks=["tgi"])))
    )


def test_cli_reports_bad_arguments_without_a_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "training.generate", "--n", "3", "--out", str(tmp_path / "x.jsonl"), "--stacks", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "unknown stack" in proc.stderr and "Traceback" not in proc.stderr
