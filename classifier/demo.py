"""`smtriage demo`: the real AWS path against a local moto server.

Seeds an in-process `moto.server.ThreadedMotoServer` through the public AWS
APIs (CreateModel, CreateEndpointConfig, CreateEndpoint, CreateLogGroup,
PutLogEvents, PutMetricData) from the bundled sample incidents, moved in time
so they end a few minutes ago, then runs `classify_endpoint` against it. The
one thing the APIs cannot do, marking an endpoint Failed with a FailureReason,
is set on moto's backend state directly (moto creates every endpoint
InService).
"""

from __future__ import annotations

import functools
import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import SmtriageError
from .incident import Incident, LogEvent, MetricSeries, load_incidents
from .live import EndpointReport, classify_endpoint
from .model import TriageModel
from .sources.cloudwatch import LOG_GROUP_PREFIX, AwsOptions, CloudWatchSource
from .sources.hosting import INSTANCE_NAMESPACE, MetricQuery, metrics_for

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecutionRole"


def samples_path() -> Path:
    here = Path(__file__).resolve().parent
    bundled = here / "_bundled" / "samples" / "incidents.jsonl"
    return bundled if bundled.is_file() else here.parent / "data" / "samples" / "incidents.jsonl"


@contextmanager
def moto_server() -> Iterator[str]:
    """An empty moto server on a free loopback port; yields its URL."""
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise SmtriageError("the demo needs moto's server: pip install 'smtriage[demo]'") from None
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        # moto keeps its state per process: start from empty even if this process used moto before
        urllib.request.urlopen(urllib.request.Request(url + "/moto-api/reset", method="POST"), timeout=10).close()
        yield url
    finally:
        server.stop()


@contextmanager
def throwaway_credentials() -> Iterator[None]:
    """Fake credentials for this process only, restored afterwards; a real profile is never touched."""
    keys = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION")
    saved = {k: os.environ.get(k) for k in keys}
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }
    )
    os.environ.pop("AWS_PROFILE", None)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def shift(incident: Incident, delta: timedelta) -> Incident:
    """The same incident, `delta` later: CloudWatch only serves recent data for `--since` windows."""

    def mv(t: datetime | None) -> datetime | None:
        return None if t is None else t + delta

    return replace(
        incident,
        start=mv(incident.start),
        end=mv(incident.end),
        logs=[LogEvent(e.message, mv(e.timestamp), e.stream) for e in incident.logs],
        metrics={k: MetricSeries(tuple(mv(t) for t in s.timestamps), s.values) for k, s in incident.metrics.items()},
    )


def seed_endpoint(clients: dict[str, Any], incident: Incident) -> None:
    """Create the endpoint, its log streams and its metrics through the AWS APIs."""
    sm, logs, cw = clients["sagemaker"], clients["logs"], clients["cloudwatch"]
    name = incident.endpoint or "demo-endpoint"
    variant = incident.variant or "AllTraffic"
    ctx = incident.context
    sm.create_model(
        ModelName=f"{name}-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": ctx.image or "demo-image:latest",
            "ModelDataUrl": f"s3://demo-models/{name}/model.tar.gz",
            **({"Mode": "MultiModel"} if ctx.hosting == "multi-model" else {}),
        },
    )
    instance_type = ctx.instance_type or "ml.m5.large"
    # moto accepts only the instance types of its own (older) list; a newer one (ml.g5, ml.inf2...) is
    # created as ml.m5.large and then set on moto's state, as the status is below
    capacity: dict[str, Any] = (
        {"ServerlessConfig": {"MemorySizeInMB": ctx.memory_size_mb or 2048, "MaxConcurrency": ctx.max_concurrency or 5}}
        if ctx.hosting == "serverless"
        else {
            "InitialInstanceCount": ctx.instance_count or 1,
            "InstanceType": instance_type if instance_type in _moto_instance_types() else "ml.m5.large",
        }
    )
    asynchronous = (
        {"AsyncInferenceConfig": {"OutputConfig": {"S3OutputPath": f"s3://demo-models/{name}/async-out/"}}}
        if ctx.hosting == "async"
        else {}
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {"VariantName": variant, "ModelName": f"{name}-model", "InitialVariantWeight": 1.0, **capacity}
        ],
        **asynchronous,
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")
    if (ctx.hosting != "serverless" and instance_type not in _moto_instance_types()) or (
        ctx.status and ctx.status != "InService"
    ):
        from moto.sagemaker.models import sagemaker_backends

        backend = sagemaker_backends[ACCOUNT][REGION]
        if ctx.hosting != "serverless":
            backend.endpoint_configs[f"{name}-config"].production_variants[0]["InstanceType"] = instance_type
        if ctx.status and ctx.status != "InService":
            endpoint = backend.endpoints[name]
            endpoint.endpoint_status = ctx.status
            endpoint.failure_reason = ctx.failure_reason  # type: ignore[assignment]  # moto annotates it as None

    group = LOG_GROUP_PREFIX + name
    if incident.logs:  # an endpoint that failed before its container started has no log group at all
        logs.create_log_group(logGroupName=group)
    by_stream: dict[str, list[LogEvent]] = {}
    undated = incident.start or incident.end or datetime.now(UTC)  # where an event without a time is put
    for e in incident.logs:
        by_stream.setdefault(e.stream or f"{variant}/i-0demo", []).append(e)
    for stream, events in by_stream.items():
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        batch: list[dict[str, Any]] = []
        size = 0
        for e in sorted(events, key=lambda e: e.timestamp or undated):
            ev = {"timestamp": int((e.timestamp or undated).timestamp() * 1000), "message": e.message}
            ev_size = len(e.message.encode()) + 26
            if batch and (len(batch) >= 5000 or size + ev_size > 900_000):
                logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)
                batch, size = [], 0
            batch.append(ev)
            size += ev_size
        if batch:
            logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=batch)

    queries = metrics_for(ctx.hosting)
    for metric, series in incident.metrics.items():
        query = queries.get(metric, MetricQuery(INSTANCE_NAMESPACE, "Average"))
        dims = [{"Name": "EndpointName", "Value": name}]
        if query.per_variant:
            dims.append({"Name": "VariantName", "Value": variant})
        namespace = query.namespace
        data = [
            {"MetricName": metric, "Dimensions": dims, "Timestamp": t, "Value": v}
            for t, v in zip(series.timestamps, series.values)
            if t is not None and v == v
        ]
        for k in range(0, len(data), 500):
            cw.put_metric_data(Namespace=namespace, MetricData=data[k : k + 500])


@functools.cache
def _moto_instance_types() -> frozenset[str]:
    """The instance types moto's CreateEndpointConfig accepts (it raises for any other, naming them all)."""
    from moto.sagemaker.models import FakeEndpointConfig

    accepted = set()
    for name in (
        "ml.m5.large",
        "ml.g4dn.xlarge",
        "ml.g4dn.2xlarge",
        "ml.g4dn.12xlarge",
        "ml.p3.2xlarge",
        "ml.c5.xlarge",
        "ml.m5.xlarge",
        "ml.m5.2xlarge",
        "ml.r5.large",
        "ml.t2.medium",
        "ml.inf1.xlarge",
    ):
        try:
            # an instance method that reads nothing of its instance: asked without making one
            FakeEndpointConfig.validate_instance_type(None, name)  # type: ignore[arg-type]
        except Exception:
            continue
        accepted.add(name)
    return frozenset(accepted)


@dataclass
class DemoResult:
    report: EndpointReport
    expected: str | None
    endpoint_url: str

    @property
    def correct(self) -> bool:
        labels = {v.label for _, v in self.report.findings}
        return labels == ({self.expected} if self.expected else set())


def run_demo(model: TriageModel, samples: Path | None = None) -> list[DemoResult]:
    import boto3

    incidents, _ = load_incidents([samples or samples_path()])
    now = datetime.now(UTC).replace(microsecond=0)
    results = []
    with throwaway_credentials(), moto_server() as url:
        clients = {
            s: boto3.client(s, region_name=REGION, endpoint_url=url) for s in ("sagemaker", "logs", "cloudwatch")
        }
        moved = []
        for inc in incidents:
            inc = shift(inc, now - timedelta(minutes=3) - (inc.end or now))
            seed_endpoint(clients, inc)
            moved.append(inc)
        source = CloudWatchSource(AwsOptions(region=REGION, endpoint_url=url))
        for inc in moved:
            report = classify_endpoint(
                model,
                source,
                inc.endpoint or "demo-endpoint",
                (inc.start or inc.end or now) - timedelta(minutes=5),
                now,
            )
            results.append(DemoResult(report, inc.label, url))
    return results
