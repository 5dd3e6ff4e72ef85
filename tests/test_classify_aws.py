"""`smtriage classify <endpoint>` against AWS, as an on-call engineer runs it (AWS is moto)."""

from __future__ import annotations

import gc
import json
from dataclasses import replace
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from classifier.errors import NotFound
from classifier.incident import Incident, LogEvent
from classifier.sources.cloudwatch import AwsOptions, CloudWatchSource, fetch_window
from tests.awsfaults import iam_user
from tests.conftest import seed

runner = CliRunner()


def classify(*args: str):
    return runner.invoke(app, ["classify", *args])


def busy_two_instance_incident(base: Incident, per_stream: int) -> Incident:
    """`per_stream` events on each of two instances, one second apart, with an OOM near the end of each."""
    end = base.end
    start = end - timedelta(seconds=per_stream + 60)  # type: ignore[operator]
    logs = []
    for stream in ("AllTraffic/i-0aaa1111bbbb22223", "AllTraffic/i-0ccc3333dddd44445"):
        for k in range(per_stream):
            t = start + timedelta(seconds=k)
            msg = f'10.32.0.2 - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "POST /invocations HTTP/1.1" 200 38 "-" "AHC/2.0" #{k}'
            if k == per_stream - 5:
                msg = f"[{t:%Y-%m-%d %H:%M:%S} +0000] [12] [ERROR] Worker (pid:{k}) was sent SIGKILL! Perhaps out of memory?"
            logs.append(LogEvent(msg, t, stream))
    return replace(base, start=start, logs=logs)


def test_every_page_of_every_instance_stream_is_read(moto_aws, samples):
    """A busy endpoint with two instances: all events of both streams arrive, across many pages."""
    inc = seed(
        moto_aws,
        busy_two_instance_incident(samples["fraud-detector-prod"], per_stream=1_200),
        context=replace(samples["fraud-detector-prod"].context, instance_count=2),
    )
    window = fetch_window(
        "fraud-detector-prod",
        inc.start - timedelta(minutes=1),
        inc.end + timedelta(minutes=1),
        AwsOptions(region="us-east-1"),
        page_size=250,
    )
    (got,) = window.incidents
    assert len(got.logs) == 2_400  # 5 pages per stream of 250: only complete if nextToken is followed
    streams = {e.stream for e in got.logs}
    assert streams == {"AllTraffic/i-0aaa1111bbbb22223", "AllTraffic/i-0ccc3333dddd44445"}
    assert sum("SIGKILL" in e.message for e in got.logs) == 2
    assert got.context.instance_type == "ml.m5.large"
    assert got.context.instance_count == 2
    assert "sagemaker-scikit-learn" in (got.context.image or "")
    assert [e.timestamp for e in got.logs] == sorted(e.timestamp for e in got.logs)


def test_full_aws_sized_pages_are_followed(moto_aws, samples):
    """More than 10,000 events in one stream needs a second FilterLogEvents page at AWS's own page size."""
    base = busy_two_instance_incident(samples["fraud-detector-prod"], per_stream=5_300)
    inc = seed(moto_aws, base)
    window = fetch_window(
        "fraud-detector-prod",
        inc.start - timedelta(minutes=1),
        inc.end + timedelta(minutes=1),
        AwsOptions(region="us-east-1"),
    )
    assert len(window.incidents[0].logs) == 10_600


@pytest.mark.parametrize(
    "endpoint, expected",
    [
        ("fraud-detector-prod", "resource_exhaustion"),
        ("sentiment-hf-staging", "configuration_error"),
        ("recsys-ranker", "model_bug"),
        ("llm-chat-tgi", "configuration_error"),
    ],
)
def test_each_kind_of_failure_is_named_through_aws(moto_aws, samples, endpoint, expected):
    seed(moto_aws, samples[endpoint])
    result = classify(endpoint, "--since", "1h", "--output", "json")
    assert result.exit_code == 0, result.output
    verdicts = json.loads(result.stdout)  # stdout holds only JSON
    assert verdicts, "a failing endpoint must yield at least one verdict"
    assert {v["label"] for v in verdicts} == {expected}
    for v in verdicts:
        assert set(v) >= {"id", "label", "confidence", "probabilities", "evidence", "remediation", "model_version"}
        assert abs(sum(v["probabilities"].values()) - 1) < 1e-3
        assert 3 <= len(v["evidence"]) <= 8
        assert v["remediation"]


def test_resource_exhaustion_names_a_bigger_instance_and_shows_the_memory_curve(moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])
    result = classify("fraud-detector-prod", "--since", "1h")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "resource exhaustion" in text
    assert "MemoryUtilization peaked at 99" in text
    assert "ml.m5.xlarge" in text  # one size up from the ml.m5.large it runs on
    assert any(ch in text for ch in "▆▇█")  # the sparkline climbs to the top


def test_model_bug_names_the_function_and_line(moto_aws, samples):
    seed(moto_aws, samples["recsys-ranker"])
    result = classify("recsys-ranker", "--since", "1h", "-o", "json")
    (verdict,) = json.loads(result.stdout)
    assert "predict_fn" in verdict["remediation"]
    assert "/opt/ml/model/code/inference.py:57" in verdict["remediation"]


def test_content_type_error_names_the_expected_type(moto_aws, samples):
    seed(moto_aws, samples["sentiment-hf-staging"])
    result = classify("sentiment-hf-staging", "--since", "1h", "-o", "json")
    (verdict,) = json.loads(result.stdout)
    assert "application/json" in verdict["remediation"]
    assert "text/csv" in verdict["remediation"]


def test_a_healthy_endpoint_has_no_failure(moto_aws, samples):
    seed(moto_aws, samples["churn-xgb-prod"])
    result = classify("churn-xgb-prod", "--since", "1h")
    assert result.exit_code == 0
    assert "no failure found" in result.stdout
    as_json = classify("churn-xgb-prod", "--since", "1h", "-o", "json")
    assert json.loads(as_json.stdout) == []
    assert "no failure found" in as_json.stderr


def test_yaml_output_holds_the_same_verdicts_as_json(moto_aws, samples):
    """`-o yaml` for people who read YAML: the same records as `-o json`."""
    import yaml

    seeded = seed(moto_aws, samples["recsys-ranker"])
    window = ["--start", f"{seeded.start:%Y-%m-%dT%H:%M:%SZ}", "--end", f"{seeded.end:%Y-%m-%dT%H:%M:%SZ}"]
    as_json = classify("recsys-ranker", *window, "-o", "json")
    as_yaml = classify("recsys-ranker", *window, "-o", "yaml")
    assert as_yaml.exit_code == 0, as_yaml.output
    assert yaml.safe_load(as_yaml.stdout) == json.loads(as_json.stdout)
    assert json.loads(as_json.stdout)[0]["label"] == "model_bug"


def test_an_explicit_window_outside_the_failure_finds_nothing(moto_aws, samples):
    inc = seed(moto_aws, samples["fraud-detector-prod"])
    start = (inc.start - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (inc.start - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = classify("fraud-detector-prod", "--start", start, "--end", end)
    assert result.exit_code == 0
    assert "no failure found" in result.stdout


# ---------------------------------------------------------------- errors a user can act on


def one_line_error(result) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def test_smtriage_as_a_library_leaves_the_garbage_collector_as_it_found_it(moto_aws, samples):
    """Reading and scoring tune Python's collector for their own allocations, and undo it, also when they fail."""
    from classifier.live import classify_endpoint
    from classifier.model import default_model_dir, load

    inc = seed(moto_aws, samples["fraud-detector-prod"])
    model = load(default_model_dir())

    def collector():
        return gc.get_threshold(), gc.isenabled()

    before = collector()
    source = CloudWatchSource(AwsOptions(region="us-east-1"))
    report = classify_endpoint(
        model, source, "fraud-detector-prod", inc.start - timedelta(minutes=1), inc.end + timedelta(minutes=1)
    )
    assert report.findings
    assert collector() == before
    with pytest.raises(NotFound):
        fetch_window("no-such-endpoint", inc.start, inc.end, AwsOptions(region="us-east-1"))
    assert collector() == before
    assert classify("fraud-detector-prod", "--since", "1h", "-o", "json").exit_code == 0  # the CLI, in this process
    assert collector() == before
    assert classify("no-such-endpoint").exit_code == 5
    assert collector() == before


def test_loading_the_model_while_reading_cloudwatch_gives_the_same_verdicts(moto_aws, samples):
    """`smtriage classify` loads the model while CloudWatch is read; the findings do not change."""
    from classifier.cli import read_while_loading
    from classifier.live import classify_endpoint, report
    from classifier.model import default_model_dir, load

    inc = seed(moto_aws, samples["recsys-ranker"])
    window = inc.start - timedelta(minutes=1), inc.end + timedelta(minutes=1)
    source = CloudWatchSource(AwsOptions(region="us-east-1"))
    loaded = classify_endpoint(load(default_model_dir()), source, "recsys-ranker", *window)
    model, read = read_while_loading(lambda: load(default_model_dir()), lambda: source.read("recsys-ranker", *window))
    during = report(model, "recsys-ranker", *window, read)
    assert [v.to_dict() for _, v in during.findings] == [v.to_dict() for _, v in loaded.findings]
    assert [v.label for _, v in during.findings] == ["model_bug"]


def test_a_window_from_any_source_is_triaged_like_one_from_cloudwatch(moto_aws, samples):
    """`classify_endpoint` reads through whatever source it is given: a replay of a saved window is scored the same."""
    from classifier.live import classify_endpoint
    from classifier.model import default_model_dir, load

    inc = seed(moto_aws, samples["recsys-ranker"])
    span = inc.start - timedelta(minutes=1), inc.end + timedelta(minutes=1)
    saved = CloudWatchSource(AwsOptions(region="us-east-1")).read("recsys-ranker", *span)

    class Replay:
        def __init__(self) -> None:
            self.asked: list[tuple] = []

        def read(self, endpoint, start, end):
            self.asked.append((endpoint, start, end))
            return saved

    model, replay = load(default_model_dir()), Replay()
    replayed = classify_endpoint(model, replay, "recsys-ranker", *span)
    live = classify_endpoint(model, CloudWatchSource(AwsOptions(region="us-east-1")), "recsys-ranker", *span)
    assert replay.asked == [("recsys-ranker", *span)]
    assert [v.to_dict() for _, v in replayed.findings] == [v.to_dict() for _, v in live.findings]


def test_unknown_endpoint_exits_5(moto_aws):
    result = classify("no-such-endpoint")
    assert result.exit_code == 5
    assert "endpoint 'no-such-endpoint' not found" in one_line_error(result)


def test_endpoint_that_never_logged_exits_5_naming_the_log_group(moto_aws, samples):
    inc = samples["churn-xgb-prod"]
    sm = moto_aws["sagemaker"]
    sm.create_model(
        ModelName="m",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/r",
        PrimaryContainer={"Image": inc.context.image},
    )
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.m5.xlarge"}
        ],
    )
    sm.create_endpoint(EndpointName="silent-endpoint", EndpointConfigName="c")
    result = classify("silent-endpoint")
    assert result.exit_code == 5
    assert "/aws/sagemaker/Endpoints/silent-endpoint does not exist" in one_line_error(result)


def test_no_credentials_exits_3(env_without_credentials, moto_server_url):
    result = classify("any-endpoint", "--endpoint-url", moto_server_url, "--region", "us-east-1")
    assert result.exit_code == 3
    assert "no AWS credentials" in one_line_error(result)


def test_unknown_profile_exits_3():
    result = classify("any-endpoint", "--profile", "nobody-has-this-profile")
    assert result.exit_code == 3
    assert "nobody-has-this-profile" in one_line_error(result)


def test_access_denied_exits_4(moto_aws, samples, monkeypatch):
    from moto.core import set_initial_no_auth_action_count

    seed(moto_aws, samples["fraud-detector-prod"])

    @set_initial_no_auth_action_count(2)
    def as_user_without_permissions():
        key, secret = iam_user(None)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        return classify("fraud-detector-prod")

    result = as_user_without_permissions()
    assert result.exit_code == 4
    line = one_line_error(result)
    assert "access denied" in line and "DescribeEndpoint" in line


def test_without_log_access_it_still_classifies_from_metrics_and_says_so(moto_aws, samples, monkeypatch):
    from moto.core import set_initial_no_auth_action_count

    seed(moto_aws, samples["fraud-detector-prod"])
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            # moto checks CloudWatch actions under its endpoint prefix "monitoring"; AWS uses "cloudwatch"
            {
                "Effect": "Allow",
                "Action": ["sagemaker:Describe*", "cloudwatch:GetMetricData", "monitoring:GetMetricData"],
                "Resource": "*",
            }
        ],
    }

    @set_initial_no_auth_action_count(3)
    def as_user_without_logs():
        key, secret = iam_user(policy)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        return classify("fraud-detector-prod", "-o", "json")

    result = as_user_without_logs()
    assert result.exit_code == 0, result.output
    assert "logs not read" in result.stderr
    verdicts = json.loads(result.stdout)
    assert verdicts and verdicts[0]["label"] in ("resource_exhaustion", "uncertain")
    assert all(e["kind"] != "log" for e in verdicts[0]["evidence"])


def test_bad_window_arguments_exit_2():
    assert classify("x", "--since", "soon").exit_code == 2
    assert classify("x", "--start", "2026-11-02T04:00Z", "--end", "2026-11-02T03:00Z").exit_code == 2


def test_since_and_start_together_are_refused_not_one_silently_dropped():
    result = classify("x", "--start", "2026-11-02T03:00Z", "--since", "10m")
    assert result.exit_code == 2 and "give --since or --start, not both" in result.stderr


@pytest.mark.parametrize(
    "args, length",
    [
        (["--since", "2h30m"], timedelta(hours=2, minutes=30)),
        (["--start", "3h", "--end", "1h"], timedelta(hours=2)),
        (["--since", "90m", "--end", "30m"], timedelta(minutes=90)),
    ],
)
def test_windows_are_given_as_aws_logs_tail_gives_them(args, length):
    from classifier.cli import resolve_window

    options = dict(zip(args[::2], args[1::2]))
    start, end = resolve_window(options.get("--since"), options.get("--start"), options.get("--end"))
    assert abs((end - start) - length) < timedelta(seconds=1)


def test_since_may_be_the_time_the_window_starts():
    from classifier.cli import resolve_window

    start, _ = resolve_window("2026-11-02 03:00", None, "2026-11-02T04:00Z")
    assert start.isoformat() == "2026-11-02T03:00:00+00:00"


def test_help_teaches_with_examples():
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0 and "smtriage demo" in top.stdout
    sub = runner.invoke(app, ["classify", "--help"])
    assert sub.exit_code == 0
    assert "smtriage classify fraud-detector-prod --since 2h" in sub.stdout
    assert "Exit codes" in sub.stdout


def failed_before_logging(moto_aws, samples, name: str, reason: str, instance_type: str = "ml.g5.2xlarge") -> None:
    """An endpoint that failed at creation: status Failed, a FailureReason, and no log group at all."""
    base = samples["churn-xgb-prod"]
    ctx = replace(base.context, status="Failed", failure_reason=reason, instance_type=instance_type)
    seed(moto_aws, replace(base, endpoint=name, id=name, logs=[], metrics={}, context=ctx))
    assert not moto_aws["logs"].describe_log_groups(logGroupNamePrefix=f"/aws/sagemaker/Endpoints/{name}")["logGroups"]


def verdict_of(result) -> dict:
    assert result.exit_code == 0, result.output
    (verdict,) = json.loads(result.stdout)
    return verdict


def test_an_endpoint_that_failed_before_it_logged_is_diagnosed_from_its_failure_reason(moto_aws, samples):
    reason = (
        "Failed to download model data(bucket: team-models, key: churn/model.tar.gz). Please ensure that there is "
        "an object located at the URL and that the role passed to CreateModel has permissions to download the object."
    )
    failed_before_logging(moto_aws, samples, "churn-v2", reason)
    result = classify("churn-v2", "--output", "json")
    verdict = verdict_of(result)
    assert verdict["label"] == "configuration_error"
    assert "ModelDataUrl" in verdict["remediation"]
    assert "no container logs" in " ".join(result.stderr.split())

    table = classify("churn-v2")
    assert table.exit_code == 0 and "configuration error" in table.stdout and "no container logs" in table.output


def test_no_capacity_on_awss_side_is_never_told_to_add_instances(moto_aws, samples):
    failed_before_logging(
        moto_aws,
        samples,
        "llm-big",
        "Unable to provision requested ML compute capacity. Please retry using a different ML instance type.",
        instance_type="ml.p4d.24xlarge",
    )
    advice = verdict_of(classify("llm-big", "--output", "json"))["remediation"]
    assert "Retry later" in advice and "another instance type" in advice and "ml.p4d.24xlarge" in advice
    assert "do not add instances" in advice.lower()


def test_an_account_quota_names_the_quota_from_the_failure_reason(moto_aws, samples):
    failed_before_logging(
        moto_aws,
        samples,
        "llm-quota",
        "The account-level service limit 'ml.g5.12xlarge for endpoint usage' is 0 Instances, with current "
        "utilization of 0 Instances and a request delta of 1 Instances. Please use AWS Service Quotas to request "
        "an increase for this quota.",
        instance_type="ml.g5.12xlarge",
    )
    verdict = verdict_of(classify("llm-quota", "--output", "json"))
    assert verdict["label"] == "configuration_error"
    assert "Request a quota increase for 'ml.g5.12xlarge for endpoint usage'" in verdict["remediation"]


def test_an_alert_hook_fails_only_on_the_causes_it_names(moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])
    seed(moto_aws, samples["churn-xgb-prod"])
    hit = classify("fraud-detector-prod", "--fail-on", "any")
    assert hit.exit_code == 9 and "resource exhaustion" in hit.stdout
    assert "resource_exhaustion found; exit 9" in hit.stderr
    assert classify("fraud-detector-prod", "--fail-on", "model_bug,configuration_error").exit_code == 0
    assert classify("churn-xgb-prod", "--fail-on", "any").exit_code == 0  # healthy: nothing to fail on
    wrong = classify("fraud-detector-prod", "--fail-on", "oom")
    assert wrong.exit_code == 2 and "oom is not a cause" in wrong.stderr


def test_a_markdown_summary_is_ready_to_paste_into_a_ticket(moto_aws, samples):
    inc = samples["recsys-ranker"]
    seed(moto_aws, inc)
    result = classify("recsys-ranker", "--output", "markdown")
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("## smtriage: recsys-ranker")
    assert "### 1. model bug, confidence" in text and "**Next step:** Fix RuntimeError" in text
    assert "mat1 and mat2 shapes cannot be multiplied" in text
    assert "Window " in text and "log events read" in text


def test_several_endpoints_in_one_go_and_one_that_cannot_be_read_does_not_hide_the_others(moto_aws, samples):
    seed(moto_aws, samples["fraud-detector-prod"])
    seed(moto_aws, samples["recsys-ranker"])
    result = classify("fraud-detector-prod", "no-such-endpoint", "recsys-ranker", "-o", "json")
    assert result.exit_code == 5  # the code of the endpoint that could not be read
    verdicts = json.loads(result.stdout)
    assert {(v["endpoint"], v["best_guess"]) for v in verdicts} == {
        ("fraud-detector-prod", "resource_exhaustion"),
        ("recsys-ranker", "model_bug"),
    }
    assert "no-such-endpoint: endpoint 'no-such-endpoint' not found" in " ".join(result.stderr.split())

    table = classify("fraud-detector-prod", "recsys-ranker")
    assert table.exit_code == 0
    assert table.stdout.index("fraud-detector-prod") < table.stdout.index("recsys-ranker")
    assert "resource exhaustion" in table.stdout and "model bug" in table.stdout


def test_every_failed_endpoint_is_diagnosed_around_when_it_failed(moto_aws, samples):
    failed_before_logging(
        moto_aws,
        samples,
        "churn-v2",
        "Failed to download model data(bucket: team-models, key: churn/model.tar.gz). Please ensure that there "
        "is an object located at the URL and that the role passed to CreateModel has permissions to download it.",
    )
    seed(moto_aws, samples["churn-xgb-prod"])  # InService: not a Failed endpoint, not read
    result = classify("--all-failed", "--since", "2h", "-o", "json")
    assert result.exit_code == 0, result.output
    assert [(v["endpoint"], v["label"]) for v in json.loads(result.stdout)] == [("churn-v2", "configuration_error")]
    assert classify("--all-failed", "--start", "2026-11-02T03:00Z").exit_code == 2
    assert classify().exit_code == 2
