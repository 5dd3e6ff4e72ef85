"""`smtriage batch` never destroys a file the user has, never stops for good on one bad record or file, never hangs.

Each story is a mistake or an accident seen in an attack on an earlier build:
a path given twice, a symlink around the lock, one record of four million
datapoints, a truncated .gz among good files, endless junk on stdin, a kill -9.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from classifier import batch
from classifier.cli import app
from classifier.errors import SmtriageError
from tests.test_batch import ROOT, verdict_lines, write_incidents

runner = CliRunner()


def run(*args: str, **kw):
    return runner.invoke(app, ["batch", *args], **kw)


@pytest.fixture
def src(tmp_path) -> Path:
    path = tmp_path / "in.jsonl"
    write_incidents(path, 6)
    return path


@pytest.mark.parametrize("option", ["--out", "--errors", "--review"])
def test_a_path_that_is_the_input_is_refused_before_anything_is_written(tmp_path, src, option):
    before = src.read_bytes()
    args = [str(src), "--out", str(tmp_path / "v.jsonl")]
    if option == "--out":
        args = [str(src), "--out", str(src)]
    else:
        args += [option, str(src)]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "is the input file" in result.stderr
    assert src.read_bytes() == before


def test_the_review_file_cannot_be_the_verdicts_file(tmp_path, src):
    out = tmp_path / "v.jsonl"
    result = run(str(src), "--out", str(out), "--review", str(out))
    assert result.exit_code == 2 and "are the same file" in result.stderr
    assert not out.exists()


def test_a_symlink_to_the_output_does_not_get_around_the_lock(tmp_path, src):
    out = tmp_path / "v.jsonl"
    link = tmp_path / "link.jsonl"
    link.symlink_to(out)
    with open(tmp_path / "v.jsonl.lock", "a") as held:  # another batch writing v.jsonl
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run(str(src), "--out", str(link))
    assert result.exit_code != 0 and "another smtriage batch is writing" in result.stderr


def test_a_finished_batch_leaves_no_lock_file_behind(tmp_path, src):
    out = tmp_path / "v.jsonl"
    assert run(str(src), "--out", str(out)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "v.jsonl"]


def test_rerunning_a_finished_batch_keeps_the_review_file_being_labelled(tmp_path, src):
    out, review = tmp_path / "v.jsonl", tmp_path / "to-label.jsonl"
    assert run(str(src), "--out", str(out), "--review", str(review)).exit_code == 0
    review.write_text(review.read_text().replace('"label": null', '"label": "model_bug"', 1))
    labelled = review.read_text()
    assert run(str(src), "--out", str(out), "--review", str(review)).exit_code == 0
    assert review.read_text() == labelled


def test_one_record_of_four_million_datapoints_does_not_stop_the_others(tmp_path):
    path = tmp_path / "in.jsonl"
    records = write_incidents(path, 63)
    huge = {
        "id": "huge",
        "logs": [{"message": "Traceback (most recent call last):"}],
        "metrics": {"CPUUtilization": {"timestamps": None, "values": [50.0] * 4_000_000}},
    }
    with open(path, "a") as fh:
        fh.write(json.dumps(huge) + "\n")
    out = tmp_path / "v.jsonl"
    result = run(str(path), "--out", str(out), "--chunk-size", "64")
    assert result.exit_code == 8, result.output
    assert [v["id"] for v in verdict_lines(out)] == [r["id"] for r in records]
    (bad,) = [json.loads(x) for x in (tmp_path / "v.errors.jsonl").read_text().splitlines()]
    assert "4,000,000 datapoints, over the" in bad["reason"]


@pytest.mark.parametrize("damage", ["truncated", "not gzip"])
def test_a_bad_gz_among_good_files_is_a_bad_record_and_the_others_are_scored(tmp_path, damage):
    first, broken, last = tmp_path / "a.jsonl", tmp_path / "b.jsonl.gz", tmp_path / "c.jsonl"
    write_incidents(first, 4, seed=1)
    write_incidents(last, 4, seed=2)
    if damage == "truncated":
        write_incidents(broken, 40, seed=3)
        broken.write_bytes(broken.read_bytes()[: broken.stat().st_size // 2])
    else:
        write_incidents(tmp_path / "plain.jsonl", 3, seed=3)
        broken.write_bytes((tmp_path / "plain.jsonl").read_bytes())
    out = tmp_path / "v.jsonl"
    result = run(str(first), str(broken), str(last), "--out", str(out))
    assert result.exit_code == 8, result.output
    files = [v["input"]["file"] for v in verdict_lines(out)]
    assert files.count(str(first)) == 4 and files.count(str(last)) == 4
    bad = [json.loads(x) for x in (tmp_path / "v.errors.jsonl").read_text().splitlines()]
    assert bad[-1]["input"]["file"] == str(broken)
    assert ("not a gzip file" if damage == "not gzip" else "cut short or damaged") in bad[-1]["reason"]


def test_the_errors_file_is_capped_and_the_rest_counted(tmp_path, monkeypatch, model):
    monkeypatch.setattr(batch, "MAX_ERRORS", 5)
    junk = tmp_path / "junk.jsonl"
    junk.write_text("".join(f"not json {k}\n" for k in range(40)))
    summary = batch.run_batch(model, [str(junk)], tmp_path / "v.jsonl")
    assert summary.bad == 40 and summary.unlisted == 35
    assert len((tmp_path / "v.errors.jsonl").read_text().splitlines()) == 5


def test_endless_input_with_no_line_end_is_given_up_not_spun_on(tmp_path):
    out = tmp_path / "v.jsonl"
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run(
            [sys.executable, "-m", "classifier.cli", "batch", "-", "--out", str(out)],
            stdin=zero,
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
        )
    assert proc.returncode == 8, proc.stderr
    (bad,) = [json.loads(x) for x in (tmp_path / "v.errors.jsonl").read_text().splitlines()]
    assert "no line end within" in bad["reason"]


def test_a_resumed_batch_still_says_some_records_were_bad(tmp_path, model):
    src = tmp_path / "in.jsonl"
    write_incidents(src, 10, extra_lines={2: "{oops"})
    out = tmp_path / "v.jsonl"
    summary = batch.run_batch(model, [str(src)], out)
    assert summary.bad == 1
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[:5]))  # as if killed after five verdicts, the bad record already listed
    result = run(str(src), "--out", str(out))
    assert result.exit_code == 8, result.output
    assert len(verdict_lines(out)) == 10
    assert len((tmp_path / "v.errors.jsonl").read_text().splitlines()) == 1


def test_a_named_pipe_is_read_like_a_file(tmp_path):
    plain = tmp_path / "plain.jsonl"
    write_incidents(plain, 5)
    fifo = tmp_path / "incidents.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_bytes(plain.read_bytes()))
    writer.start()
    result = run(str(fifo), "--out", str(tmp_path / "v.jsonl"))
    writer.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert len(verdict_lines(tmp_path / "v.jsonl")) == 5


def test_a_full_disk_names_the_file_it_could_not_write(tmp_path, monkeypatch):
    sink = batch._LineSink(tmp_path / "v.jsonl")
    sink.write({"id": "x"})
    sink.flush()

    def full(data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sink._fh, "write", full)
    sink.write({"id": "y"})
    with pytest.raises(SmtriageError, match=r"cannot write .*v\.jsonl: No space left on device"):
        sink.flush()


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _alive(pids: set[int]) -> list[int]:
    out = []
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                out.append(pid)
        except OSError:
            continue
    return out


def _loky_workers(pids: set[int]) -> set[int]:
    found = set()
    for pid in pids:
        try:
            if b"popen_loky" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
@pytest.mark.parametrize("when", ["workers just started", "mid-scoring"])
def test_killing_a_parallel_batch_takes_its_workers_with_it(tmp_path, when):
    src, out = tmp_path / "in.jsonl", tmp_path / "v.jsonl"
    write_incidents(src, 400)
    proc = subprocess.Popen(
        [sys.executable, "-m", "classifier.cli", "batch", str(src), "--out", str(out), "--jobs", "2"]
        + ["--chunk-size", "4"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    family: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        family |= _descendants(proc.pid)
        started = len(_loky_workers(family)) >= 2
        scoring = out.exists() and out.stat().st_size > 0
        if started and (when == "workers just started" or scoring):
            break
        time.sleep(0.05)
    assert proc.poll() is None and len(_loky_workers(family)) >= 2, "the batch did not start its workers"
    family |= _descendants(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while _alive(family) and time.monotonic() < deadline:
        time.sleep(0.2)
    alive = _alive(family)
    assert not alive, f"workers outlived their batch: {alive}"


def test_an_export_that_cannot_write_its_output_says_which_file_and_leaves_nothing(tmp_path, moto_aws, samples):
    from tests.conftest import seed

    seed(moto_aws, samples["fraud-detector-prod"])
    target = tmp_path / "no-such-dir" / "out.jsonl"
    result = runner.invoke(app, ["export", "fraud-detector-prod", "--since", "1h", "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert f"cannot write {target}" in " ".join(result.stderr.split())
    assert not target.parent.exists()


def test_a_partial_file_left_by_a_killed_export_is_cleaned_by_the_next(tmp_path, moto_aws, samples):
    from tests.conftest import seed

    seed(moto_aws, samples["fraud-detector-prod"])
    stale = tmp_path / ".out.999999999.partial.jsonl"  # a pid that cannot be running
    stale.write_text("half an export")
    result = runner.invoke(
        app, ["export", "fraud-detector-prod", "--since", "1h", "--out", str(tmp_path / "out.jsonl")]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_the_old_output_name_still_writes_the_file_and_says_the_new_one(tmp_path, src):
    """Scripts written when `--output` named batch's file keep working; -o/--output now names a format."""
    out = tmp_path / "v.jsonl"
    result = run(str(src), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert len(verdict_lines(out)) == 6
    assert "--output FILE is now --out FILE" in result.stderr


def test_both_names_for_the_file_is_a_usage_error(tmp_path, src):
    result = run(str(src), "--out", str(tmp_path / "a.jsonl"), "--output", str(tmp_path / "b.jsonl"))
    assert result.exit_code == 2
    assert "give --out only" in result.stderr
    assert not (tmp_path / "a.jsonl").exists() and not (tmp_path / "b.jsonl").exists()


def test_batch_without_a_file_for_its_verdicts_says_which_option(src):
    result = run(str(src))
    assert result.exit_code == 2
    assert "--out FILE" in result.stderr
