"""A busy endpoint's window (a million log events across 20 instances) is read page by page in bounded memory.

CloudWatch Logs is played by a `before-send` handler that writes each
FilterLogEvents page (10,000 events, AWS's own page size) as the HTTP body AWS
would send, generated from the request's nextToken when botocore asks for it:
the real client, paginator and JSON parser read it, and nothing holds the
million events at once except what smtriage itself keeps. SageMaker and
CloudWatch metrics are moto. The memory figure comes from a fresh process
(ru_maxrss), so nothing another test allocated is counted.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from classifier.cli import app
from tests.awsfaults import json_response

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
WINDOW = ["--start", "2026-11-02T03:00Z", "--end", "2026-11-02T05:00Z"]
ENDPOINT = "busy-endpoint"
OOM = "[ERROR] Worker (pid:{k}) was sent SIGKILL! Perhaps out of memory?"
runner = CliRunner()


class SyntheticLogs:
    """CloudWatch Logs for one endpoint: `streams` instance streams of `per_stream` events, 100 ms apart.

    Every line is healthy traffic except three OOM kills early in the first
    stream, an hour before the window's last events.
    """

    def __init__(self, streams: int, per_stream: int):
        self.names = [f"AllTraffic/i-{k:017x}" for k in range(streams)]
        self.per_stream = per_stream
        self.pages = 0
        self.limits: set[int] = set()
        self._lock = threading.Lock()
        self._t0 = int(START.timestamp() * 1000) + 1000

    def message(self, stream: int, k: int) -> str:
        if stream == 0 and k in (50, 51, 52):
            return OOM.format(k=k)
        return f'10.32.0.2 - - "POST /invocations HTTP/1.1" 200 38 "-" "AHC/2.0" #{k}'

    def __call__(self, request, **_):
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        params = json.loads(request.body or b"{}")
        if target.endswith(".DescribeLogStreams"):
            return json_response(
                request,
                {
                    "logStreams": [
                        {"logStreamName": n, "firstEventTimestamp": self._t0, "lastEventTimestamp": self._t0}
                        for n in self.names
                    ]
                },
            )
        if not target.endswith(".FilterLogEvents"):
            return None
        stream = self.names.index(params["logStreamNames"][0])
        offset = int(params.get("nextToken", "0"))
        limit = params.get("limit", 10_000)
        n = min(limit, self.per_stream - offset)
        body = {
            "events": [
                {
                    "logStreamName": self.names[stream],
                    "timestamp": self._t0 + (offset + k) * 100,
                    "ingestionTime": self._t0,
                    "eventId": f"{stream}-{offset + k}",
                    "message": self.message(stream, offset + k),
                }
                for k in range(n)
            ]
        }
        if offset + n < self.per_stream:
            body["nextToken"] = str(offset + n)
        with self._lock:
            self.pages += 1
            self.limits.add(limit)
        return json_response(request, body)

    def attach(self, service, client):
        if service == "logs":
            client.meta.events.register_first("before-send.cloudwatch-logs", self)


def seed_endpoint_without_logs() -> None:
    import boto3

    sm = boto3.client("sagemaker", region_name="us-east-1")
    sm.create_model(
        ModelName="m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        PrimaryContainer={"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 20, "InstanceType": "ml.m5.large"}
        ],
    )
    sm.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName="c")


def measure(streams: int, per_stream: int, max_events: int, out: str) -> None:
    """Run `smtriage export --whole-window` over a synthetic window in this (fresh) process; print what it cost."""
    import numpy  # noqa: F401  (what export imports is in memory before the baseline is taken)
    from moto import mock_aws

    from classifier import export  # noqa: F401
    from classifier.sources import cloudwatch

    logs = SyntheticLogs(streams, per_stream)
    cloudwatch.CLIENT_HOOKS.append(logs.attach)
    with mock_aws():
        seed_endpoint_without_logs()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = runner.invoke(
            app, ["export", ENDPOINT, *WINDOW, "--whole-window", "--max-events", str(max_events), "--out", out]
        )
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "exit": result.exit_code,
                "stderr": result.stderr,
                "pages": logs.pages,
                "limits": sorted(logs.limits),
                "baseline_mb": before / 1024,
                "growth_mb": (after - before) / 1024,
            }
        )
    )


def start_measure(tmp_path: Path, streams: int, per_stream: int, max_events: int) -> tuple[subprocess.Popen, Path]:
    out = tmp_path / f"window-{streams * per_stream}.jsonl"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    code = f"from tests.test_big_window import measure; measure({streams}, {per_stream}, {max_events}, {str(out)!r})"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return proc, out


def finish_measure(started: tuple[subprocess.Popen, Path]) -> tuple[dict, dict]:
    proc, out = started
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    stats = json.loads(stdout.strip().splitlines()[-1])
    assert stats["exit"] == 0, stats["stderr"]
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    return stats, record


def memory_of_events(n: int) -> float:
    """MB that `n` LogEvents like these take when all are held (measured on 20,000, scaled)."""
    import tracemalloc

    from classifier.incident import LogEvent

    logs = SyntheticLogs(1, 20_000)
    tracemalloc.start()
    held = [LogEvent(logs.message(1, k), START, logs.names[0]) for k in range(20_000)]
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del held
    return size / 20_000 * n / 2**20


def test_a_million_events_across_20_streams_are_read_page_by_page_in_bounded_memory(tmp_path):
    # both windows are read in full 10,000-event pages, several per stream; run side by side, each in a fresh process
    small = start_measure(tmp_path, streams=20, per_stream=20_000, max_events=20_000)  # 400,000 events
    big = start_measure(tmp_path, streams=20, per_stream=50_000, max_events=20_000)  # 1,000,000 events
    (small, _), (big, record) = finish_measure(small), finish_measure(big)
    print(
        f"\nmemory growth while reading: 400k events {small['growth_mb']:.0f} MB, 1M events "
        f"{big['growth_mb']:.0f} MB (process baseline {big['baseline_mb']:.0f} MB; holding 1M events would take "
        f"{memory_of_events(1_000_000):.0f} MB, 10M {memory_of_events(10_000_000):.0f} MB)"
    )
    assert big["pages"] == 20 * 5 and big["limits"] == [10_000]  # every page of every stream, at AWS's page size
    # what was kept obeys --max-events, and the user is told
    assert len(record["logs"]) <= 20_000
    notice = " ".join(big["stderr"].split())
    assert "read 1,000,000 log events in 20 stream(s)" in notice
    assert "kept 20,000" in notice and "--max-events 20,000; raise it to keep more" in notice
    # memory does not grow with the window: 2.5 times the events, about the same peak. The peak is the pages
    # in flight (8 streams read at once, 10,000 events each, as bytes, parsed JSON and LogEvents), not the window.
    assert big["growth_mb"] < small["growth_mb"] * 1.25 + 16
    assert big["growth_mb"] < 300


def test_max_events_caps_what_is_kept_and_says_so(moto_aws, client_hooks):
    seed_endpoint_without_logs()
    logs = SyntheticLogs(streams=20, per_stream=2_000)
    client_hooks.append(logs.attach)
    result = runner.invoke(app, ["classify", ENDPOINT, *WINDOW, "--max-events", "4000"])
    assert result.exit_code == 0, result.output
    notice = " ".join(result.stderr.split())
    assert "read 40,000 log events in 20 stream(s); 20 stream(s) had more than 200, so kept 4,000" in notice
    assert "--max-events 4,000; raise it to keep more" in notice


def test_without_a_cap_being_hit_there_is_no_notice(moto_aws, client_hooks, tmp_path):
    seed_endpoint_without_logs()
    client_hooks.append(SyntheticLogs(streams=4, per_stream=500).attach)
    out = tmp_path / "w.jsonl"
    result = runner.invoke(app, ["export", ENDPOINT, *WINDOW, "--whole-window", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kept" not in result.stderr
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(record["logs"]) == 2_000


def test_an_oom_early_in_a_long_window_survives_the_cap(moto_aws, client_hooks, tmp_path):
    """Three OOM kills at 03:00, then an hour of healthy traffic: keeping only the latest lines would hide them."""
    seed_endpoint_without_logs()
    client_hooks.append(SyntheticLogs(streams=4, per_stream=5_000).attach)
    out = tmp_path / "w.jsonl"
    exported = runner.invoke(
        app, ["export", ENDPOINT, *WINDOW, "--whole-window", "--max-events", "2000", "--out", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(record["logs"]) <= 2_000
    assert sum("SIGKILL" in e["message"] for e in record["logs"]) == 3
    assert "plus 3 earlier failure line(s)" in " ".join(exported.stderr.split())

    classified = runner.invoke(app, ["classify", ENDPOINT, *WINDOW, "--max-events", "2000", "-o", "json"])
    assert classified.exit_code == 0, classified.output
    verdicts = json.loads(classified.stdout)
    assert verdicts, "the OOM kills must make an episode"
    assert any("SIGKILL" in e["text"] for v in verdicts for e in v["evidence"])
