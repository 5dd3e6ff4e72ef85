"""`smtriage batch`: a platform team scores months of incidents, and nothing is lost or scored twice."""

from __future__ import annotations

import fcntl
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from classifier.batch import read_text_lines, run_batch
from classifier.cli import app
from classifier.incident import OUTCOMES, UNCERTAIN
from training.generator import generate

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def write_incidents(path: Path, n: int, seed: int = 11, extra_lines: dict[int, str] | None = None) -> list[dict]:
    """n generated incidents as JSONL; `extra_lines` inserts raw (bad) lines before the given record index."""
    records = list(generate(n, seed=seed))
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as fh:
        for i, rec in enumerate(records):
            if extra_lines and i in extra_lines:
                fh.write(extra_lines[i] + "\n")
            fh.write(json.dumps(rec) + "\n")
    return records


def verdict_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in read_text_lines(path)]


def test_every_incident_gets_one_verdict_in_input_order_and_bad_lines_are_reported(tmp_path, model):
    src = tmp_path / "incidents.jsonl"
    records = write_incidents(
        src, 40, extra_lines={5: "{not json", 17: '{"id": "no-logs"}', 30: '{"logs": [{"message": 42}]}'}
    )
    out = tmp_path / "verdicts.jsonl"
    result = runner.invoke(app, ["batch", str(src), "--out", str(out), "--jobs", "2", "--chunk-size", "7"])
    assert result.exit_code == 8, result.output  # some records were bad
    verdicts = verdict_lines(out)
    assert [v["id"] for v in verdicts] == [r["id"] for r in records]
    lines = [v["input"]["line"] for v in verdicts]
    assert lines == sorted(lines) and len(set(lines)) == len(lines)
    assert all(v["label"] in (*OUTCOMES, UNCERTAIN) for v in verdicts)
    bad = [json.loads(x) for x in (tmp_path / "verdicts.errors.jsonl").read_text().splitlines()]
    assert [b["input"]["line"] for b in bad] == [6, 19, 33]
    assert "not valid JSON" in bad[0]["reason"]
    assert "needs 'logs' or 'metrics'" in bad[1]["reason"]
    assert "logs[0].message must be a string" in bad[2]["reason"]
    assert "bad records" in result.stdout and "3" in result.stdout


def test_gzip_in_and_out_and_stdin(tmp_path, model):
    src = tmp_path / "incidents.jsonl.gz"
    records = write_incidents(src, 12)
    out = tmp_path / "verdicts.jsonl.gz"
    assert run_batch(model, [str(src)], out).scored == 12
    assert [v["id"] for v in verdict_lines(out)] == [r["id"] for r in records]

    plain = tmp_path / "plain.jsonl"
    write_incidents(plain, 5)
    result = runner.invoke(app, ["batch", "-", "--out", str(tmp_path / "from-stdin.jsonl")], input=plain.read_text())
    assert result.exit_code == 0, result.output
    assert len(verdict_lines(tmp_path / "from-stdin.jsonl")) == 5


def test_the_same_incident_gets_the_same_verdict_alone_or_in_parallel(tmp_path, model):
    src = tmp_path / "incidents.jsonl"
    write_incidents(src, 24)
    run_batch(model, [str(src)], tmp_path / "one.jsonl", jobs=1)
    run_batch(model, [str(src)], tmp_path / "two.jsonl", jobs=2, chunk_size=5)
    strip = lambda v: {k: v[k] for k in ("id", "label", "confidence", "probabilities", "remediation")}  # noqa: E731
    assert [strip(v) for v in verdict_lines(tmp_path / "one.jsonl")] == [
        strip(v) for v in verdict_lines(tmp_path / "two.jsonl")
    ]


def test_a_batch_killed_with_sigkill_resumes_without_loss_or_duplicates(tmp_path):
    src = tmp_path / "incidents.jsonl"
    records = write_incidents(src, 300, extra_lines={150: "{broken"})
    out = tmp_path / "verdicts.jsonl"
    cmd = [sys.executable, "-m", "classifier.cli", "batch", str(src), "--out", str(out), "--chunk-size", "4"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 40):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    written_before = out.read_bytes().count(b"\n")
    assert 0 < written_before < 300, "the kill must land half way for this test to mean anything"

    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 8, again.stderr  # the broken line is reported, once
    verdicts = verdict_lines(out)
    assert len(verdicts) == 300
    assert [v["id"] for v in verdicts] == [r["id"] for r in records]
    bad = (tmp_path / "verdicts.errors.jsonl").read_text().splitlines()
    assert len(bad) == 1
    assert "already done before resume" in again.stdout


def test_a_torn_last_line_is_cut_and_redone(tmp_path, model):
    src = tmp_path / "incidents.jsonl"
    records = write_incidents(src, 10)
    out = tmp_path / "verdicts.jsonl"
    run_batch(model, [str(src)], out)
    whole = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(whole[:6]) + whole[6][:25])  # died mid-write of the 7th verdict
    summary = run_batch(model, [str(src)], out)
    assert summary.skipped == 6 and summary.scored == 4
    assert [v["id"] for v in verdict_lines(out)] == [r["id"] for r in records]


def test_a_torn_gzip_output_resumes_too(tmp_path, model):
    src = tmp_path / "incidents.jsonl"
    records = write_incidents(src, 9)
    out = tmp_path / "verdicts.jsonl.gz"
    run_batch(model, [str(src)], out, chunk_size=3)  # three gzip members
    data = out.read_bytes()
    out.write_bytes(data[: len(data) - 15])  # the last member is cut short
    summary = run_batch(model, [str(src)], out, chunk_size=3)
    assert summary.skipped == 6 and summary.scored == 3
    assert [v["id"] for v in verdict_lines(out)] == [r["id"] for r in records]


def test_resuming_after_a_large_run_holds_one_line_not_the_whole_output(tmp_path, model):
    import tracemalloc

    src = tmp_path / "incidents.jsonl"
    write_incidents(src, 40)
    out = tmp_path / "verdicts.jsonl"
    run_batch(model, [str(src)], out, jobs=1)
    lines = out.read_bytes().splitlines()
    fat = [json.dumps({**json.loads(line), "note": "x" * 2_000_000}).encode() for line in lines[:-1]]
    out.write_bytes(b"\n".join([*fat, lines[-1]]) + b"\n")  # an 80 MB output, as after a long run
    tracemalloc.start()
    try:
        summary = run_batch(model, [str(src)], out, jobs=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary.skipped == 40 and summary.scored == 0
    assert peak < 16 * 2**20, f"resuming held {peak / 2**20:.0f} MiB of an {out.stat().st_size / 2**20:.0f} MiB output"


def test_a_second_batch_on_the_same_output_is_refused(tmp_path):
    src = tmp_path / "incidents.jsonl"
    write_incidents(src, 3)
    out = tmp_path / "verdicts.jsonl"
    with open(tmp_path / "verdicts.jsonl.lock", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running batch holds it
        result = runner.invoke(app, ["batch", str(src), "--out", str(out)])
    assert result.exit_code == 1
    assert "another smtriage batch is writing" in result.stderr
    assert not out.exists() or out.read_bytes() == b""


def test_output_from_other_inputs_is_not_resumed_into(tmp_path, model):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_incidents(a, 3)
    write_incidents(b, 3, seed=12)
    out = tmp_path / "verdicts.jsonl"
    run_batch(model, [str(a)], out)
    result = runner.invoke(app, ["batch", str(b), "--out", str(out)])
    assert result.exit_code == 1
    assert "not written by a batch over these inputs" in result.stderr


def test_review_lists_the_least_confident_incidents_first_ready_to_label(tmp_path, model):
    src = tmp_path / "incidents.jsonl"
    write_incidents(src, 30)
    review = tmp_path / "to-label.jsonl"
    run_batch(model, [str(src)], tmp_path / "v.jsonl", review=review, review_size=5)
    rows = [json.loads(x) for x in review.read_text().splitlines()]
    assert len(rows) == 5
    confidences = [r["suggested"]["confidence"] for r in rows]
    assert confidences == sorted(confidences)
    all_conf = sorted(v["confidence"] for v in verdict_lines(tmp_path / "v.jsonl"))
    assert confidences == all_conf[:5]
    assert all(r["label"] is None and r["logs"] for r in rows)
    assert all(r["suggested"]["label"] in OUTCOMES for r in rows)


def test_missing_input_file_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["batch", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "v.jsonl")])
    assert result.exit_code == 2
    assert "input file not found" in result.stderr
    assert not (tmp_path / "v.jsonl").exists()


def test_on_a_dask_cluster_the_verdicts_are_the_same(tmp_path, model):
    from dask import distributed

    src = tmp_path / "incidents.jsonl"
    write_incidents(src, 16)
    run_batch(model, [str(src)], tmp_path / "local.jsonl")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        summary = run_batch(
            model, [str(src)], tmp_path / "cluster.jsonl", scheduler=cluster.scheduler_address, chunk_size=4
        )
    assert summary.scored == 16
    key = lambda v: (v["id"], v["label"], v["confidence"])  # noqa: E731
    assert [key(v) for v in verdict_lines(tmp_path / "cluster.jsonl")] == [
        key(v) for v in verdict_lines(tmp_path / "local.jsonl")
    ]


def test_export_then_batch_gives_the_verdicts_classify_gives(moto_aws, samples, tmp_path):
    """Round trip: the exported window, scored offline, says what `classify` said live."""
    from tests.conftest import seed

    inc = seed(moto_aws, samples["recsys-ranker"])
    window = [
        "--start",
        (inc.start - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "--end",
        (inc.end + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ]
    live = runner.invoke(app, ["classify", "recsys-ranker", *window, "-o", "json"])
    assert live.exit_code == 0, live.output
    exported = tmp_path / "incident.jsonl"
    ex = runner.invoke(app, ["export", "recsys-ranker", *window, "--out", str(exported)])
    assert ex.exit_code == 0, ex.output
    records = [json.loads(x) for x in exported.read_text().splitlines()]
    assert records and all(r["label"] is None for r in records)
    out = tmp_path / "verdicts.jsonl"
    assert runner.invoke(app, ["batch", str(exported), "--out", str(out)]).exit_code == 0
    key = lambda v: (v["id"], v["label"], v["confidence"], v["probabilities"], v["remediation"])  # noqa: E731
    assert [key(v) for v in verdict_lines(out)] == [key(v) for v in json.loads(live.stdout)]


def test_killed_between_writing_bad_records_and_verdicts_nothing_is_lost(tmp_path, model):
    """A chunk's bad records reached the errors file but its verdicts did not: the rerun fills the gap."""
    src = tmp_path / "incidents.jsonl"
    records = write_incidents(src, 8, extra_lines={5: "{broken"})
    out = tmp_path / "verdicts.jsonl"
    run_batch(model, [str(src)], out)
    errors = tmp_path / "verdicts.errors.jsonl"
    assert len(errors.read_text().splitlines()) == 1
    whole = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(whole[:4]))  # verdicts after the bad line (input line 6) never reached the disk
    summary = run_batch(model, [str(src)], out)
    assert summary.scored == 4
    assert [v["id"] for v in verdict_lines(out)] == [r["id"] for r in records]
    assert len(errors.read_text().splitlines()) == 1  # the bad record is not reported twice
