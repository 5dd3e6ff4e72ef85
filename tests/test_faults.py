"""When AWS misbehaves, `classify` and `export` say what to do in one line and exit with a documented code.

Each story runs the real CLI against moto; faults moto cannot produce
(throttling, expired tokens, timeouts) come from botocore's own machinery via
`tests.awsfaults`. No test reaches the network.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from classifier.cli import app
from classifier.demo import LOG_GROUP_PREFIX, seed_endpoint
from classifier.errors import AwsUnavailable
from classifier.sources.cloudwatch import AwsOptions, fetch_window
from tests.awsfaults import (
    LOGS,
    METRICS,
    SAGEMAKER,
    THROTTLED,
    Fault,
    allow,
    error_response,
    iam_user,
    inject,
    read_timeout,
)
from tests.conftest import recent, seed

runner = CliRunner()
COMMANDS = ("classify", "export")
PREVIOUS = '{"kept": "an earlier export the failed run must not destroy"}\n'


@pytest.fixture(params=COMMANDS)
def smtriage(request, tmp_path):
    """Run `classify ENDPOINT ...` or `export ENDPOINT --out FILE ...`; an export's FILE already holds PREVIOUS."""
    command = request.param
    out = tmp_path / "incidents.jsonl"
    out.write_text(PREVIOUS)

    def run(endpoint: str, *args: str):
        extra = ["--out", str(out)] if command == "export" else ["-o", "json"]
        result = runner.invoke(app, [command, endpoint, *extra, *args])
        result.command, result.out_file = command, out
        return result

    run.command = command
    return run


def one_line_error(result, code: int) -> str:
    """The user sees exactly one line, no traceback, and the exit code the README documents."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    if result.command == "export":  # a failed export leaves the previous file as it was, and no debris
        assert result.out_file.read_text() == PREVIOUS
        assert [p.name for p in result.out_file.parent.iterdir()] == [result.out_file.name]
    return lines[0]


def exported(result) -> list[dict]:
    return [json.loads(line) for line in result.out_file.read_text().splitlines()]


def create_endpoint(clients, name: str, *, log_group: bool) -> None:
    sm = clients["sagemaker"]
    sm.create_model(
        ModelName=f"{name}-m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        PrimaryContainer={"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-c",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": f"{name}-m",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
            }
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-c")
    if log_group:
        clients["logs"].create_log_group(logGroupName=LOG_GROUP_PREFIX + name)
        clients["logs"].create_log_stream(logGroupName=LOG_GROUP_PREFIX + name, logStreamName="AllTraffic/i-0abc")


# ---------------------------------------------------------------- credentials


def test_no_credentials_exits_3(smtriage, env_without_credentials, moto_server_url, monkeypatch):
    for k in (
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(k, raising=False)
    line = one_line_error(smtriage("any-endpoint", "--endpoint-url", moto_server_url), 3)
    assert "no AWS credentials found" in line and "aws configure" in line


def test_no_region_exits_3(smtriage, monkeypatch):
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    line = one_line_error(smtriage("any-endpoint"), 3)
    assert "no AWS region" in line and "--region" in line


def test_the_region_in_aws_region_is_used_as_the_aws_cli_uses_it(moto_aws, samples, monkeypatch):
    seed(moto_aws, samples["fraud-detector-prod"])
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    result = runner.invoke(app, ["classify", "fraud-detector-prod", "-o", "json"])
    assert result.exit_code == 0, result.output
    assert [v["best_guess"] for v in json.loads(result.stdout)] == ["resource_exhaustion"]


def test_expired_token_exits_3(smtriage, moto_aws, samples, client_hooks):
    """STS session credentials run out between `aws sso login` and the page: the first call is refused."""
    seed(moto_aws, samples["fraud-detector-prod"])
    stubs = []

    def expired(service, client):
        if service == "sagemaker":
            stub = Stubber(client)
            stub.add_client_error(
                "describe_endpoint",
                service_error_code="ExpiredTokenException",
                service_message="The security token included in the request is expired",
                http_status_code=400,
            )
            stub.activate()
            stubs.append(stub)

    client_hooks.append(expired)
    line = one_line_error(smtriage("fraud-detector-prod"), 3)
    assert "credentials have expired" in line and "aws sso login" in line
    stubs[0].assert_no_pending_responses()


def test_token_expiring_while_reading_logs_exits_3(smtriage, moto_aws, samples, client_hooks):
    seed(moto_aws, samples["fraud-detector-prod"])
    expired = Fault(
        "logs",
        "FilterLogEvents",
        error_response("ExpiredTokenException", "The security token included in the request is expired"),
    )
    inject(client_hooks, expired)
    line = one_line_error(smtriage("fraud-detector-prod"), 3)
    assert "FilterLogEvents" in line and "credentials have expired" in line
    assert expired.calls == 1  # an expired token is not retried


# ---------------------------------------------------------------- access denied, one service at a time


def as_user(policy, run):
    """Run as an IAM user holding only `policy` (moto enforces IAM after the user is set up)."""
    from moto.core import set_initial_no_auth_action_count

    @set_initial_no_auth_action_count(3 if policy else 2)  # the IAM calls that set the user up
    def go():
        import os

        key, secret = iam_user(policy)
        os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"] = key, secret
        return run()

    return go()


def test_without_log_access_it_classifies_from_metrics_and_says_so(smtriage, moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])
    result = as_user(allow(*SAGEMAKER, *METRICS), lambda: smtriage("fraud-detector-prod", "--since", "1h"))
    assert result.exit_code == 0, result.output
    assert "logs not read (DescribeLogStreams: access denied" in result.stderr
    assert "classifying from metrics and status only" in result.stderr
    if smtriage.command == "classify":
        verdicts = json.loads(result.stdout)
        assert verdicts and all(e["kind"] != "log" for v in verdicts for e in v["evidence"])
        assert any(e["kind"] == "metric" for v in verdicts for e in v["evidence"])
    else:
        records = exported(result)
        assert records and all(not r["logs"] and r["metrics"] for r in records)


def test_without_metric_access_it_classifies_from_logs_and_says_so(smtriage, moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])
    result = as_user(allow(*SAGEMAKER, *LOGS), lambda: smtriage("fraud-detector-prod", "--since", "1h"))
    assert result.exit_code == 0, result.output
    assert "metrics not read (GetMetricData: access denied" in result.stderr
    assert "classifying from logs and status only" in result.stderr
    if smtriage.command == "classify":
        verdicts = json.loads(result.stdout)
        assert verdicts and all(e["kind"] != "metric" for v in verdicts for e in v["evidence"])
        assert any("SIGKILL" in e["text"] for v in verdicts for e in v["evidence"])
    else:
        records = exported(result)
        assert records and all(r["logs"] and not r["metrics"] for r in records)


def test_without_sagemaker_access_it_classifies_from_logs_and_metrics_and_says_so(smtriage, moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])
    result = as_user(allow(*LOGS, *METRICS), lambda: smtriage("fraud-detector-prod", "--since", "1h"))
    assert result.exit_code == 0, result.output
    assert "status not read (DescribeEndpoint: access denied" in result.stderr
    assert "classifying from logs and metrics only" in result.stderr
    if smtriage.command == "classify":
        verdicts = json.loads(result.stdout)
        assert verdicts and {e["kind"] for v in verdicts for e in v["evidence"]} >= {"log", "metric"}
    else:
        records = exported(result)
        assert records and all(r["context"]["instance_type"] is None for r in records)


def test_with_no_access_at_all_exits_4_naming_the_calls(smtriage, moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])
    result = as_user(None, lambda: smtriage("fraud-detector-prod"))
    line = one_line_error(result, 4)
    assert "access denied" in line
    for call in ("DescribeEndpoint", "DescribeLogStreams", "GetMetricData"):
        assert call in line


# ---------------------------------------------------------------- not found, empty


def test_unknown_endpoint_exits_5(smtriage, moto_aws):
    line = one_line_error(smtriage("no-such-endpoint"), 5)
    assert "endpoint 'no-such-endpoint' not found in us-east-1" in line and "--region" in line


def test_endpoint_in_another_region_exits_5_naming_the_region_searched(smtriage, moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])  # created in us-east-1
    line = one_line_error(smtriage("fraud-detector-prod", "--region", "eu-west-1"), 5)
    assert "not found in eu-west-1" in line


def test_endpoint_that_never_logged_exits_5_naming_the_log_group(smtriage, moto_aws):
    create_endpoint(moto_aws, "silent-endpoint", log_group=False)
    line = one_line_error(smtriage("silent-endpoint"), 5)
    assert "log group /aws/sagemaker/Endpoints/silent-endpoint does not exist" in line


def test_an_empty_window_is_no_failure_and_exits_0(smtriage, moto_aws):
    create_endpoint(moto_aws, "quiet-endpoint", log_group=True)
    result = smtriage("quiet-endpoint", "--since", "30m")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    if smtriage.command == "classify":
        assert json.loads(result.stdout) == []
        assert "no failure found" in result.stderr and "(0 log events read)" in result.stderr
    else:
        assert "exported 0 record(s) from quiet-endpoint: no failure in the window" in result.stderr
        assert result.out_file.read_text() == ""  # the export is complete, and empty


# ---------------------------------------------------------------- throttling and retries


def test_throttling_that_ends_is_retried_by_botocore_and_the_answer_is_unchanged(
    smtriage, moto_aws, samples, client_hooks, backoff
):
    seed(moto_aws, samples["fraud-detector-prod"])
    calm = smtriage("fraud-detector-prod", "--since", "1h")
    describe = Fault("sagemaker", "DescribeEndpoint", THROTTLED, times=3)
    filter_logs = Fault("logs", "FilterLogEvents", THROTTLED, times=2)
    inject(client_hooks, describe, filter_logs)
    stormy = smtriage("fraud-detector-prod", "--since", "1h")
    assert stormy.exit_code == 0, stormy.output
    assert describe.calls == 4  # three throttled attempts, then the one that got through
    assert filter_logs.calls >= 3
    assert len(backoff.delays) == 5  # botocore backed off before each retry
    if smtriage.command == "classify":
        assert [v["label"] for v in json.loads(stormy.stdout)] == [v["label"] for v in json.loads(calm.stdout)]
    else:
        assert stormy.out_file.read_text() == calm.out_file.read_text()


def test_max_attempts_reaches_botocore(smtriage, moto_aws, samples, client_hooks, backoff):
    seed(moto_aws, samples["fraud-detector-prod"])
    describe = Fault("sagemaker", "DescribeEndpoint", THROTTLED, times=3)
    inject(client_hooks, describe)
    line = one_line_error(smtriage("fraud-detector-prod", "--max-attempts", "3"), 6)
    assert describe.calls == 3
    assert "throttled" in line and "on all 3 attempts" in line and "ThrottlingException: Rate exceeded" in line


def test_adaptive_retry_mode_rides_out_throttling(moto_aws, samples, client_hooks, backoff):
    """Adaptive mode also rate-limits the client after a throttle (its token bucket really waits: ~5 s here)."""
    seed(moto_aws, samples["fraud-detector-prod"])
    describe = Fault("sagemaker", "DescribeEndpoint", THROTTLED, times=2)
    inject(client_hooks, describe)
    retries = {}
    client_hooks.append(lambda service, client: retries.setdefault(service, client.meta.config.retries))
    result = runner.invoke(app, ["classify", "fraud-detector-prod", "--retry-mode", "adaptive", "--max-attempts", "3"])
    assert result.exit_code == 0, result.output
    assert describe.calls == 3
    assert retries == {s: {"mode": "adaptive", "total_max_attempts": 3} for s in ("sagemaker", "logs", "cloudwatch")}


def test_throttling_that_never_ends_gives_up_after_bounded_backoff_and_exits_6(
    smtriage, moto_aws, samples, client_hooks, backoff
):
    seed(moto_aws, samples["fraud-detector-prod"])
    describe = Fault("sagemaker", "DescribeEndpoint", THROTTLED)
    inject(client_hooks, describe)
    started = time.monotonic()
    line = one_line_error(smtriage("fraud-detector-prod"), 6)
    assert describe.calls == 8  # the default --max-attempts
    assert "on all 8 attempts" in line and "wait a minute" in line and "--max-attempts" in line
    # what a user would wait: botocore's capped exponential backoff, at most 1+2+4+8+16+20+20 s
    assert len(backoff.delays) == 7 and sum(backoff.delays) <= 71
    assert time.monotonic() - started < 20


def test_throttling_that_never_ends_really_stops_within_its_backoff(smtriage, moto_aws, samples, client_hooks):
    """No recording here: botocore really sleeps; two attempts back off at most one second."""
    seed(moto_aws, samples["fraud-detector-prod"])
    inject(client_hooks, Fault("sagemaker", "DescribeEndpoint", THROTTLED))
    started = time.monotonic()
    one_line_error(smtriage("fraud-detector-prod", "--max-attempts", "2"), 6)
    assert time.monotonic() - started < 8


def test_when_one_stream_is_throttled_for_good_the_other_streams_are_not_all_read_first(
    moto_aws, samples, client_hooks, backoff
):
    """20 instance streams, FilterLogEvents throttled forever: the error comes after the calls in flight."""
    base = recent(samples["fraud-detector-prod"])
    logs = [replace(e, stream=f"AllTraffic/i-{k:017x}") for k in range(20) for e in base.logs[:3]]
    seed_endpoint(moto_aws, replace(base, logs=logs))
    filter_logs = Fault("logs", "FilterLogEvents", THROTTLED)
    inject(client_hooks, filter_logs)
    result = runner.invoke(app, ["classify", "fraud-detector-prod", "--since", "1h"])
    result.command = "classify"
    line = one_line_error(result, 6)
    assert "FilterLogEvents" in line
    assert filter_logs.calls <= 8 * 8  # at most 8 streams in flight, 8 attempts each; 20 x 8 without the stop


# ---------------------------------------------------------------- timeouts and unreachable AWS


def test_read_timeout_on_every_attempt_exits_6(smtriage, moto_aws, samples, client_hooks, backoff):
    seed(moto_aws, samples["fraud-detector-prod"])
    describe = Fault("sagemaker", "DescribeEndpoint", read_timeout)
    inject(client_hooks, describe)
    line = one_line_error(smtriage("fraud-detector-prod", "--max-attempts", "4"), 6)
    assert describe.calls == 4  # a timeout is transient: botocore retried it
    assert "did not answer in time" in line and "Read timeout" in line


def test_a_read_timeout_that_passes_is_retried(smtriage, moto_aws, samples, client_hooks, backoff):
    seed(moto_aws, samples["fraud-detector-prod"])
    inject(client_hooks, Fault("logs", "FilterLogEvents", read_timeout, times=1))
    assert smtriage("fraud-detector-prod", "--since", "1h").exit_code == 0


@pytest.fixture
def silent_server():
    """A loopback socket that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    accepted = []
    stop = threading.Event()

    def serve():
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(sock.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        t.join()
        for c in accepted:
            c.close()
        sock.close()


def test_a_server_that_never_answers_times_out_for_real(silent_server):
    """The same path with a real socket and urllib3's own read timeout (short, through AwsOptions)."""
    now = datetime.now(UTC)
    opts = AwsOptions(region="us-east-1", endpoint_url=silent_server, read_timeout=0.2, max_attempts=2)
    started = time.monotonic()
    with pytest.raises(AwsUnavailable, match="DescribeEndpoint: AWS did not answer in time"):
        fetch_window("any-endpoint", now - timedelta(hours=1), now, opts)
    assert time.monotonic() - started < 5


def test_unreachable_endpoint_url_exits_6(smtriage):
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = one_line_error(
        smtriage("any-endpoint", "--endpoint-url", f"http://127.0.0.1:{port}", "--max-attempts", "2"), 6
    )
    assert "could not connect" in line and "--endpoint-url" in line


# ---------------------------------------------------------------- --debug


def test_debug_shows_the_traceback_the_one_line_hides(smtriage, moto_aws):
    plain = smtriage("no-such-endpoint")
    debug = smtriage("no-such-endpoint", "--debug")
    assert plain.exit_code == debug.exit_code == 5
    assert "Traceback" not in plain.stderr
    assert "Traceback" in debug.stderr and "NotFound" in debug.stderr


def test_export_of_every_failed_endpoint_skips_one_it_cannot_read(moto_aws, samples, tmp_path):
    """`export --all-failed`: a failed endpoint that never logged is named, the others are exported."""
    broken = seed(moto_aws, samples["llm-chat-tgi"])
    assert (broken.context.status or "").lower() == "failed"
    create_endpoint(moto_aws, "never-logged", log_group=False)
    from moto.sagemaker.models import sagemaker_backends

    sagemaker_backends["123456789012"]["us-east-1"].endpoints["never-logged"].endpoint_status = "Failed"
    out = tmp_path / "failed.jsonl"
    result = runner.invoke(app, ["export", "--all-failed", "--since", "2h", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "never-logged: log group /aws/sagemaker/Endpoints/never-logged does not exist" in result.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert records and {r["endpoint"] for r in records} == {"llm-chat-tgi"}
