"""Endpoints that are not plain real-time ones: serverless, async and multi-model, as `classify` meets them.

AWS is moto: it keeps ServerlessConfig, AsyncInferenceConfig and a model's
container Mode, so the kind is read from the same Describe* answers AWS
gives. Kinds moto cannot create (a pipeline, a Direct multi-container
model, a variant built for inference components) are read from answers
shaped like botocore's service model.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from classifier.incident import Incident, IncidentError, MetricSeries, incident_from_dict, incident_to_dict
from classifier.sources.cloudwatch import AwsOptions, fetch_window
from classifier.sources.hosting import variant_hosting
from classifier.triage.remediation import remediate
from tests.conftest import recent, seed

runner = CliRunner()


def _window(inc: Incident) -> tuple[str, str]:
    return (
        (inc.start - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),  # type: ignore[operator]
        (inc.end + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),  # type: ignore[operator]
    )


def _classify_json(inc: Incident) -> list[dict]:
    start, end = _window(inc)
    result = runner.invoke(
        app, ["classify", inc.endpoint or "", "--region", "us-east-1", "--start", start, "--end", end, "-o", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def serverless_fraud(clients, samples, memory_size_mb: int) -> Incident:
    """The worker OOMs of `fraud-detector-prod`, on a serverless variant: there is no instance type to grow."""
    base = samples["fraud-detector-prod"]
    return seed(
        clients,
        base,
        endpoint="fraud-serverless",
        context=replace(base.context, hosting="serverless", memory_size_mb=memory_size_mb, max_concurrency=10),
    )


def test_a_serverless_endpoint_out_of_memory_is_told_to_raise_its_memory_size(moto_aws, samples):
    (verdict,) = _classify_json(serverless_fraud(moto_aws, samples, 2048))
    assert verdict["hosting"] == "serverless"
    assert verdict["best_guess"] == "resource_exhaustion"
    assert "MemorySizeInMB from 2048 to 3072" in verdict["remediation"]
    assert "ml." not in verdict["remediation"]  # no instance type to move to on serverless


def test_the_panel_names_the_hosting_kind_and_the_serverless_size(moto_aws, samples):
    inc = serverless_fraud(moto_aws, samples, 6144)
    start, end = _window(inc)
    result = runner.invoke(
        app, ["classify", "fraud-serverless", "--region", "us-east-1", "--start", start, "--end", end]
    )
    assert result.exit_code == 0, result.output
    assert "serverless (MemorySizeInMB 6144, MaxConcurrency 10)" in result.stdout
    assert "real-time endpoint" in " ".join(result.stdout.split())  # already at serverless's most memory


def fraud_as(hosting: str, samples, metric: str, values) -> Incident:
    """`fraud-detector-prod`'s OOM story on an endpoint of another hosting kind, with one metric of that kind."""
    base = samples["fraud-detector-prod"]
    times = base.metrics["MemoryUtilization"].timestamps
    series = MetricSeries(times, tuple(float(v) for v in values(len(times))))
    return replace(base, context=replace(base.context, hosting=hosting), metrics={**base.metrics, metric: series})


def test_an_async_endpoint_reads_its_backlog_and_is_told_how_to_scale(moto_aws, samples):
    """Backlog metrics carry only EndpointName as dimension; they are read and the advice is about the queue."""
    backlog = fraud_as("async", samples, "ApproximateBacklogSize", lambda n: [10 * i for i in range(n)])
    inc = seed(moto_aws, backlog, endpoint="fraud-async")
    window = fetch_window("fraud-async", inc.start - timedelta(minutes=1), inc.end + timedelta(minutes=1), AwsOptions())
    (got,) = window.incidents
    assert got.context.hosting == "async"
    assert max(got.metrics["ApproximateBacklogSize"].values) == max(backlog.metrics["ApproximateBacklogSize"].values)
    (verdict,) = _classify_json(inc)
    assert verdict["hosting"] == "async"
    assert verdict["best_guess"] == "resource_exhaustion"
    assert "ApproximateBacklogSizePerInstance" in verdict["remediation"]


def test_an_async_queue_with_no_instance_left_is_told_to_keep_one(samples):
    inc = fraud_as("async", samples, "HasBacklogWithoutCapacity", lambda n: [0] * (n - 1) + [1])
    advice = remediate("resource_exhaustion", inc, [], [])
    assert "HasBacklogWithoutCapacity" in advice and "MinCapacity to 1" in advice


def test_a_multi_model_endpoint_thrashing_its_cache_is_told_to_hold_fewer_models(moto_aws, samples):
    hits = fraud_as("multi-model", samples, "ModelCacheHit", lambda n: [max(0.0, 0.9 - 0.05 * i) for i in range(n)])
    inc = seed(moto_aws, hits, endpoint="fraud-mme")
    (verdict,) = _classify_json(inc)
    assert verdict["hosting"] == "multi-model"
    assert "ModelCacheHit" in verdict["remediation"] and "fewer or smaller models" in verdict["remediation"]


def test_a_plain_endpoint_is_real_time_and_keeps_its_instance_advice(moto_aws, samples):
    inc = seed(moto_aws, samples["fraud-detector-prod"])
    (verdict,) = _classify_json(inc)
    assert verdict["hosting"] == "real-time"
    assert "ml.m5.xlarge" in verdict["remediation"] or "ml.r5.large" in verdict["remediation"]


# What moto cannot create, shaped as botocore's service model describes the answers.
_ENDPOINT = {"EndpointName": "e", "EndpointStatus": "InService", "ProductionVariants": [{"VariantName": "AllTraffic"}]}


@pytest.mark.parametrize(
    ("config_variant", "model", "kind"),
    [
        (
            {"VariantName": "AllTraffic", "ModelName": "m"},
            {"Containers": [{"Image": "a", "ContainerHostname": "pre"}, {"Image": "b", "ContainerHostname": "xgb"}]},
            "pipeline",  # Serial is the default mode of a model with several containers
        ),
        (
            {"VariantName": "AllTraffic", "ModelName": "m"},
            {"Containers": [{"Image": "a"}, {"Image": "b"}], "InferenceExecutionConfig": {"Mode": "Direct"}},
            "multi-container",
        ),
        ({"VariantName": "AllTraffic", "InstanceType": "ml.g5.12xlarge"}, None, "inference-components"),
        ({"VariantName": "AllTraffic", "ModelName": "m"}, {"PrimaryContainer": {"Mode": "MultiModel"}}, "multi-model"),
        ({"VariantName": "AllTraffic", "ModelName": "m"}, None, None),  # the model could not be described
    ],
)
def test_kinds_moto_cannot_create_are_read_from_the_describe_answers(config_variant, model, kind):
    got = variant_hosting(_ENDPOINT, {}, config_variant, model)
    assert (got.kind if got else None) == kind


def test_a_serverless_summary_on_the_endpoint_is_enough_when_the_config_is_gone():
    endpoint = {
        **_ENDPOINT,
        "ProductionVariants": [
            {"VariantName": "AllTraffic", "CurrentServerlessConfig": {"MemorySizeInMB": 4096, "MaxConcurrency": 20}}
        ],
    }
    got = variant_hosting(endpoint, {}, None, None)
    assert got is not None and (got.kind, got.memory_size_mb, got.max_concurrency) == ("serverless", 4096, 20)


def test_the_hosting_kind_travels_in_the_record_and_a_wrong_one_is_refused(samples):
    inc = replace(
        samples["fraud-detector-prod"], context=replace(samples["fraud-detector-prod"].context, hosting="async")
    )
    again = incident_from_dict(json.loads(json.dumps(incident_to_dict(inc))))
    assert again.context.hosting == "async"
    with pytest.raises(IncidentError, match=r"context.hosting must be one of real-time, async, serverless"):
        incident_from_dict({"logs": [], "context": {"hosting": "lambda"}})


def two_variants(clients, samples) -> tuple[str, str]:
    """`shop-ranker`: AllTraffic healthy (the churn sample's traffic), a Canary whose workers are OOM-killed."""
    sm, logs = clients["sagemaker"], clients["logs"]
    healthy, failing = recent(samples["churn-xgb-prod"]), recent(samples["fraud-detector-prod"])
    sm.create_model(
        ModelName="shop-ranker-model",
        ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
        PrimaryContainer={"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"},
    )
    sm.create_endpoint_config(
        EndpointConfigName="shop-ranker-config",
        ProductionVariants=[
            {
                "VariantName": name,
                "ModelName": "shop-ranker-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
            for name in ("AllTraffic", "Canary")
        ],
    )
    sm.create_endpoint(EndpointName="shop-ranker", EndpointConfigName="shop-ranker-config")
    group = "/aws/sagemaker/Endpoints/shop-ranker"
    logs.create_log_group(logGroupName=group)
    for stream, inc in (("AllTraffic/i-0aaa", healthy), ("Canary/i-0bbb", failing)):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        events = [{"timestamp": int(e.timestamp.timestamp() * 1000), "message": e.message} for e in inc.logs]
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    both = replace(failing, start=min(healthy.start, failing.start), end=max(healthy.end, failing.end))  # type: ignore[type-var]  # both samples have times
    return _window(both)


def test_variant_narrows_classify_to_one_production_variant(moto_aws, samples):
    start, end = two_variants(moto_aws, samples)
    aws = ["--region", "us-east-1", "--start", start, "--end", end, "-o", "json"]
    everything = runner.invoke(app, ["classify", "shop-ranker", *aws])
    assert everything.exit_code == 0, everything.output
    assert {v["variant"] for v in json.loads(everything.stdout)} == {"Canary"}

    healthy = runner.invoke(app, ["classify", "shop-ranker", *aws, "--variant", "AllTraffic"])
    assert healthy.exit_code == 0, healthy.output
    assert json.loads(healthy.stdout) == []

    canary = runner.invoke(app, ["classify", "shop-ranker", *aws, "--variant", "Canary"])
    (verdict,) = json.loads(canary.stdout)
    assert verdict["variant"] == "Canary" and verdict["best_guess"] == "resource_exhaustion"

    wrong = runner.invoke(app, ["classify", "shop-ranker", *aws, "--variant", "Blue"])
    assert wrong.exit_code == 5
    assert "has no production variant 'Blue'; its variants are AllTraffic, Canary" in " ".join(wrong.stderr.split())


def test_export_keeps_one_variant_and_all_failed_refuses_a_variant(moto_aws, samples, tmp_path):
    start, end = two_variants(moto_aws, samples)
    out = tmp_path / "canary.jsonl"
    aws = ["--region", "us-east-1", "--start", start, "--end", end]
    result = runner.invoke(
        app, ["export", "shop-ranker", *aws, "--whole-window", "--variant", "Canary", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert record["variant"] == "Canary" and {e["stream"] for e in record["logs"]} == {"Canary/i-0bbb"}
    for command in (["export", "--out", str(tmp_path / "x.jsonl")], ["classify"]):
        refused = runner.invoke(app, [*command, "--all-failed", "--since", "2h", "--variant", "Canary"])
        assert refused.exit_code == 2
        assert "--variant narrows" in refused.stderr
