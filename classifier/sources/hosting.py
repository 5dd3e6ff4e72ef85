"""Which way SageMaker hosts a variant, read off its Describe* answers, and the metrics that kind adds.

Every name here is looked up in `classifier/sources/README.md`, with its
source: a serverless variant carries `ServerlessConfig` in its endpoint
config, an async endpoint `AsyncInferenceConfig`, a multi-model container
`Mode: MultiModel`, a pipeline more than one container (`Serial` unless
`InferenceExecutionConfig` says `Direct`), and a variant built for inference
components names no model at all. The functions take the decoded responses,
so they are tested without AWS; `cloudwatch` makes the calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import capacity

INVOCATION_NAMESPACE = "AWS/SageMaker"
INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"


@dataclass(frozen=True)
class Hosting:
    kind: str  # one of incident.HOSTING_KINDS
    memory_size_mb: int | None = None
    max_concurrency: int | None = None


def variant_hosting(
    endpoint: dict[str, Any],
    config: dict[str, Any],
    config_variant: dict[str, Any] | None,
    model: dict[str, Any] | None,
) -> Hosting | None:
    """The hosting kind of one production variant, from DescribeEndpoint, DescribeEndpointConfig (the whole
    answer and the variant's entry) and the variant's DescribeModel; None when what was read cannot tell.

    Serverless and async say the most about what to change, so they win over
    what the model's containers say (a serverless endpoint may serve a
    multi-model container; its memory size is still the setting to raise).
    """
    serverless = (config_variant or {}).get("ServerlessConfig") or _summary_serverless(endpoint, config_variant)
    if serverless:
        return Hosting("serverless", serverless.get("MemorySizeInMB"), serverless.get("MaxConcurrency"))
    if endpoint.get("AsyncInferenceConfig") or config.get("AsyncInferenceConfig"):
        return Hosting("async")
    if config_variant is None:
        return None
    if not config_variant.get("ModelName"):
        return Hosting("inference-components")
    if model is None:
        return None
    containers = [model["PrimaryContainer"]] if model.get("PrimaryContainer") else []
    containers += list(model.get("Containers") or [])
    if any(c.get("Mode") == "MultiModel" for c in containers):
        return Hosting("multi-model")
    if len(containers) > 1:
        direct = (model.get("InferenceExecutionConfig") or {}).get("Mode") == "Direct"
        return Hosting("multi-container" if direct else "pipeline")
    return Hosting("real-time")


def _summary_serverless(endpoint: dict[str, Any], config_variant: dict[str, Any] | None) -> dict[str, Any] | None:
    name = (config_variant or {}).get("VariantName")
    for v in endpoint.get("ProductionVariants") or []:
        if name is None or v.get("VariantName") == name:
            found = v.get("CurrentServerlessConfig") or v.get("DesiredServerlessConfig")
            if found:
                return dict(found)
    return None


@dataclass(frozen=True)
class MetricQuery:
    namespace: str
    stat: str
    per_variant: bool = True  # dimensions EndpointName and VariantName; else EndpointName alone


# What each kind publishes beyond the invocation and instance metrics every endpoint has.
KIND_METRICS: dict[str, dict[str, MetricQuery]] = {
    "async": {
        "ApproximateBacklogSize": MetricQuery(INVOCATION_NAMESPACE, "Average", per_variant=False),
        "ApproximateAgeOfOldestRequest": MetricQuery(INVOCATION_NAMESPACE, "Maximum", per_variant=False),
        "HasBacklogWithoutCapacity": MetricQuery(INVOCATION_NAMESPACE, "Maximum", per_variant=False),
        "InvocationFailures": MetricQuery(INVOCATION_NAMESPACE, "Sum"),
    },
    "serverless": {
        "ServerlessConcurrentExecutionsUtilization": MetricQuery(INVOCATION_NAMESPACE, "Maximum"),
    },
    "multi-model": {
        "ModelCacheHit": MetricQuery(INVOCATION_NAMESPACE, "Average"),
        "ModelLoadingTime": MetricQuery(INVOCATION_NAMESPACE, "Average"),
        "ModelLoadingWaitTime": MetricQuery(INVOCATION_NAMESPACE, "Average"),
        "LoadedModelCount": MetricQuery(INSTANCE_NAMESPACE, "Average"),
    },
}

# The invocation and instance metrics every real-time variant has (aws-facts.md §2.2).
BASE_METRICS: dict[str, MetricQuery] = {
    "Invocations": MetricQuery(INVOCATION_NAMESPACE, "Sum"),
    "Invocation4XXErrors": MetricQuery(INVOCATION_NAMESPACE, "Sum"),
    "Invocation5XXErrors": MetricQuery(INVOCATION_NAMESPACE, "Sum"),
    "InvocationModelErrors": MetricQuery(INVOCATION_NAMESPACE, "Sum"),
    "ModelLatency": MetricQuery(INVOCATION_NAMESPACE, "Average"),
    "OverheadLatency": MetricQuery(INVOCATION_NAMESPACE, "Average"),
    "ModelSetupTime": MetricQuery(INVOCATION_NAMESPACE, "Average"),
    **{name: MetricQuery(INSTANCE_NAMESPACE, "Average") for name in capacity.UTILIZATION_METRICS},
}


def metrics_for(kind: str | None) -> dict[str, MetricQuery]:
    return BASE_METRICS | KIND_METRICS.get(kind or "", {})
