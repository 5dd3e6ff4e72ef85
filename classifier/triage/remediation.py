"""What to do next, given the label and the evidence behind it.

The model decides the label; this module only turns the label plus the
strongest evidence into a concrete step: a bigger instance type by name, the
content type the container expects, the function and line that raised.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from .. import capacity
from ..incident import NO_FAILURE, Evidence, Incident
from ..text.clean import message_text
from ..text.signals import FAMILY, scan

# Advice is read from the end of the episode, where a failing container leaves its last words: the
# content type it rejects now, not one it rejected before a redeploy.
TEXTS_READ = 2000

_FRAME = re.compile(r'File "([^"]+)", line (\d+), in ([\w<>.]+)')
_EXC = re.compile(r"(?<![\w.])((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception|Exit|Interrupt))(?::\s+(.*)|\s*$)")
_SOURCE_LINE = re.compile(r"\braise\b|^\s*(?:return|if|for|with|self\.)\b")
_SITE = re.compile(
    r"site-packages|dist-packages|/lib/python\d|/usr/lib/|<frozen|/opt/conda/lib/|ts/model_service_worker|"
    r"sagemaker_inference|sagemaker_containers|sagemaker_huggingface|mms/|/tritonserver/"
)
_MODULE = re.compile(r"no module named ['\"]?([\w.]+)", re.I)
_ENV = re.compile(
    r"\b(SAGEMAKER_[A-Z_]+|HF_[A-Z_]+|OPTION_[A-Z_]+|SM_[A-Z_]+|MAX_[A-Z_]+|TS_[A-Z_]+|"
    r"MODEL_SERVER_[A-Z_]+|NUM_SHARD|CUDA_VISIBLE_DEVICES)\b"
)
_TYPE = r"(?:application|text|image|audio|video)/[\w+-]+(?:\.[\w+-]+)*"
_CT = re.compile(f"({_TYPE})", re.I)
_REJECTED = re.compile(
    rf"content[-_ ]?type:?\s*['\"]?({_TYPE})['\"]?\s+(?:is\s+)?(?:not\s+supported|unsupported|not\s+accepted)"
    rf"|unsupported\s+(?:content|media|accept)[-_ ]?type:?\s*['\"]?({_TYPE})"
    rf"|({_TYPE})['\"]?\s+(?:is\s+)?not\s+supported",
    re.I,
)
_ACCEPTED = re.compile(
    rf"(?:one of|\b(?<!un)supported (?:content )?types?(?: are)?|expected|accepts?)[:\s]*\[?((?:['\"]?{_TYPE}['\"]?[,\s]*(?:or\s+)?)+)",
    re.I,
)


_GENERIC = frozenset(
    {
        "severity",
        "healthy",
        "exception",
        "traceback",
        "status",
        "http",
        "latency",
        "worker",
        "user_code",
        "shape",
        "numeric",
        "serialization",
        "weights",
        "tokenizer",
        "gpu_info",
    }
)
# a metric in the evidence points at the same cause as these signal families
_METRIC_FAMILY = {
    "MemoryUtilization": "memory",
    "GPUMemoryUtilization": "gpu_memory",
    "DiskUtilization": "disk",
    "CPUUtilization": "capacity",
    "ModelLatency": "capacity",
    "Invocation5XXErrors": "capacity",
    "InvocationModelErrors": "capacity",
    "Invocations": "capacity",
    "OverheadLatency": "capacity",
    "GPUUtilization": "capacity",
}


def _families(evidence: Sequence[Evidence]) -> list[str]:
    """Families named by the evidence, strongest evidence first (evidence is sorted by weight)."""
    # one scan over every text: a phrase never spans two events, so each event's signals are what
    # scanning it alone finds (in signal order either way)
    texts = [e.text for e in evidence if e.kind != "metric"]
    hits = scan(texts).by_text() if texts else {}
    out: list[str] = []
    k = 0
    for e in evidence:
        if e.kind == "metric":
            found = [_METRIC_FAMILY.get(e.metric or "", "")]
        else:
            found = [FAMILY[n] for n in hits.get(k, ())]
            k += 1
        for fam in found:
            if fam and fam not in out and fam not in _GENERIC:
                out.append(fam)
    return out


def _finite(incident: Incident, metric: str) -> list[float]:
    s = incident.metrics.get(metric)
    return [v for v in (s.values if s else ()) if not math.isnan(v)]


def _peak(incident: Incident, metric: str) -> float | None:
    vals = _finite(incident, metric)
    return max(vals) if vals else None


def _mean(incident: Incident, metric: str) -> float | None:
    vals = _finite(incident, metric)
    return sum(vals) / len(vals) if vals else None


def _names(types: list[capacity.InstanceType]) -> str:
    return " or ".join(t.name for t in types)


# ---------------------------------------------------------------- resource exhaustion


def _gpu_memory(incident: Incident, texts: Sequence[str] = ()) -> str:
    itype = incident.context.instance_type
    it = capacity.lookup(itype)
    bigger = capacity.bigger_for_gpu_memory(itype)
    target = (
        f"move to an instance with more GPU memory such as {_names(bigger)}"
        if bigger
        else "move to an instance with more GPU memory"
    )
    have = (
        f" on {it.name} ({it.gpus}×{it.gpu_memory_gib:.0f} GiB {it.accelerator})"
        if it and it.gpus
        else (f" on {itype}" if itype else "")
    )
    return (
        f"GPU memory ran out{have}: {target}, or lower the batch size / max total tokens / "
        "gpu_memory_utilization, or quantize or shard the model."
    )


def _host_memory(incident: Incident, texts: Sequence[str] = ()) -> str:
    itype = incident.context.instance_type
    on = f" on {itype}" if itype else ""
    mem = _peak(incident, "MemoryUtilization")
    bigger = capacity.bigger_for_memory(itype)
    head = (
        f"MemoryUtilization peaked at {mem:.0f}%{on}: "
        if mem is not None and mem >= 80
        else f"The host ran out of memory{on}: "
    )
    target = (
        f"move to an instance with more memory such as {_names(bigger)}"
        if bigger
        else "move to an instance type with more memory"
    )
    return head + target + ", add instances, or run fewer model-server workers (SAGEMAKER_MODEL_SERVER_WORKERS)."


def _jvm_memory(incident: Incident, texts: Sequence[str] = ()) -> str:
    return (
        "The model server's JVM ran out of memory: raise -Xmx / -XX:MaxDirectMemorySize in vmargs of the "
        "server's config.properties, lower max_request_size or the batch size, or move to a bigger instance."
    )


def _disk(incident: Incident, texts: Sequence[str] = ()) -> str:
    if "/dev/shm" in "\n".join(texts):
        return (
            "Shared memory (/dev/shm) is full: it is sized by the instance; lower the number of workers or the "
            "batch size that share it (e.g. DataLoader workers, Triton's shm regions), or move to a bigger instance."
        )
    return (
        "The disk filled up: raise VolumeSizeInGB on the production variant (up to 512 GB), pick an instance "
        "with local NVMe storage, or ship fewer/smaller weight files in model.tar.gz."
    )


def _capacity(incident: Incident, texts: Sequence[str] = ()) -> str:
    bigger = capacity.bigger_for_cpu(incident.context.instance_type)
    more = f" or a larger instance such as {_names(bigger)}" if bigger else ""
    return (
        "The endpoint is saturated: add instances (target-tracking auto scaling on InvocationsPerInstance)"
        f"{more}, and raise the number of workers if CPU is idle."
    )


_RESOURCE = {
    "gpu_memory": _gpu_memory,
    "jvm_memory": _jvm_memory,
    "memory": _host_memory,
    "disk": _disk,
    "capacity": _capacity,
    "timeout": _capacity,
}


# ---------------------------------------------------------------- by hosting kind (classifier/sources/README.md)

SERVERLESS_MEMORY_MB = (1024, 6144)  # MemorySizeInMB, in 1 GB steps
SERVERLESS_MAX_CONCURRENCY = 200


def _serverless(incident: Incident, families: list[str]) -> str:
    ctx = incident.context
    busy = _peak(incident, "ServerlessConcurrentExecutionsUtilization")
    if busy is not None and busy >= capacity.SATURATED and "memory" not in families:
        now = f" (now {ctx.max_concurrency})" if ctx.max_concurrency else ""
        return (
            f"The serverless variant used {busy:.0%} of its concurrency: raise MaxConcurrency{now}, up to "
            f"{SERVERLESS_MAX_CONCURRENCY}, or add ProvisionedConcurrency for steady traffic."
        )
    lo, hi = SERVERLESS_MEMORY_MB
    size = ctx.memory_size_mb
    if size is not None and size >= hi:
        return (
            f"The serverless variant already has the most memory serverless gives (MemorySizeInMB {hi}): host the "
            "model on a real-time endpoint with an instance type of more memory, or make the model smaller."
        )
    step = f" from {size} to {min(hi, max(lo, size + 1024))}" if size else f" (from {lo} to {hi}, in 1 GB steps)"
    return (
        f"The serverless variant ran out of memory or time: raise MemorySizeInMB{step} (it also gives more "
        "CPU), lower the batch or payload size, and for cold starts add ProvisionedConcurrency."
    )


def _async(incident: Incident) -> str | None:
    if (_peak(incident, "HasBacklogWithoutCapacity") or 0) >= 1:
        return (
            "Requests are queued with no instance to serve them (HasBacklogWithoutCapacity): the variant scaled "
            "in to zero; add a step-scaling policy on HasBacklogWithoutCapacity, or set the scaling target's "
            "MinCapacity to 1."
        )
    backlog = _peak(incident, "ApproximateBacklogSize")
    if backlog is not None and backlog > 0:
        return (
            f"The async queue backs up (ApproximateBacklogSize up to {backlog:.0f}): scale out on "
            "ApproximateBacklogSizePerInstance (target tracking) and raise the scaling MaxCapacity; lower "
            "ClientConfig.MaxConcurrentInvocationsPerInstance if each instance runs out of memory."
        )
    return None


def _multi_model(incident: Incident) -> str | None:
    hits = _mean(incident, "ModelCacheHit")
    if hits is None or hits >= 0.8:
        return None
    return (
        f"Models are evicted and loaded again (ModelCacheHit {hits:.0%}, ModelLoadingTime rising): give the "
        "endpoint more memory per instance or more instances, or host fewer or smaller models on it."
    )


def _resource(incident: Incident, families: list[str], texts: Sequence[str]) -> str:
    hosting = incident.context.hosting
    if hosting == "serverless":
        return _serverless(incident, families)
    by_kind = {"async": _async, "multi-model": _multi_model}.get(hosting or "")
    advice = by_kind(incident) if by_kind else None
    if advice:
        return advice
    for fam in families:
        if fam in _RESOURCE:
            return _RESOURCE[fam](incident, texts)
    mem = _peak(incident, "MemoryUtilization")
    return _host_memory(incident) if mem is not None and mem >= 90 else _capacity(incident)


# ---------------------------------------------------------------- configuration errors


def _expected_content_type(incident: Incident, text: str) -> str:
    """What the container says it accepts, else what its framework's default handler accepts."""
    stated = _ACCEPTED.search(text)
    if stated:
        types = _CT.findall(stated.group(1))
        if types:
            return " or ".join(dict.fromkeys(t.lower() for t in types))
    image = (incident.context.image or "").lower() + " " + text.lower()
    if any(k in image for k in ("scikit", "sklearn", "xgboost")):
        return "text/csv"
    if any(k in image for k in ("pytorch-inference", "torchserve")) and "huggingface" not in image:
        return "application/x-npy or application/json"
    return "application/json"


def _content_type(incident: Incident, text: str) -> str:
    rejected = _REJECTED.search(text)
    got = f" (it rejected {next(g for g in rejected.groups() if g)})" if rejected else ""
    return (
        f"Send the content type the container accepts{got}: {_expected_content_type(incident, text)}; with "
        "the SageMaker SDK set the predictor's serializer (e.g. CSVSerializer or JSONSerializer) to match, "
        "or add that type to your input_fn."
    )


def _import(incident: Incident, text: str) -> str:
    m = _MODULE.search(text)
    mod = m.group(1).split(".")[0] if m else "the missing package"
    return (
        f"Add {mod} to code/requirements.txt inside model.tar.gz (or to the image), and check that the "
        "package versions match the serving container's Python."
    )


def _gpu_config(incident: Incident, text: str) -> str:
    low = text.lower()
    it = capacity.lookup(incident.context.instance_type)
    sharding = re.search(r"shard|tensor.?parallel|num_gpus|world.?size|tp_degree|device ordinal|partitions", low)
    if sharding and it and it.gpus:
        return (
            f"{it.name} has {it.gpus} GPU{'s' if it.gpus > 1 else ''}: set SM_NUM_GPUS / num_shard / "
            f"option.tensor_parallel_degree to at most {it.gpus} and to a divisor of the model's attention heads "
            "(or turn sharding off for a model that does not support it), or choose an instance with more GPUs."
        )
    if sharding:
        return (
            "Set the sharding degree (SM_NUM_GPUS / num_shard / option.tensor_parallel_degree) to no more "
            "than the instance's GPU count and to a divisor of the model's attention heads, or turn sharding "
            "off for a model that does not support it."
        )
    return (
        "The image and the hardware disagree: use a GPU instance (e.g. ml.g5.xlarge) for a GPU image, the "
        "CPU image on a CPU instance, or an image built for the instance's CUDA driver and GPU generation."
    )


def _limits(incident: Incident, text: str) -> str:
    return (
        "A serving limit is set too low for the requests: raise MAX_INPUT_LENGTH / MAX_TOTAL_TOKENS (TGI), "
        "option.max_model_len (LMI) or the payload limit, or truncate inputs on the client."
    )


def _permission(incident: Incident, text: str) -> str:
    return (
        "Grant the endpoint's execution role access to what it reads (s3:GetObject on the model data, "
        "ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the image, kms:Decrypt if encrypted), and a "
        "token for gated Hugging Face models (HF_TOKEN / HUGGING_FACE_HUB_TOKEN)."
    )


def _model_options(incident: Incident, text: str) -> str:
    return (
        "The model needs a loading option it was not given, or one this GPU or version does not support: "
        "trust_remote_code=True (HF_TRUST_REMOTE_CODE / OPTION_TRUST_REMOTE_CODE) for custom model code, a "
        "quantization the GPU supports (or none), and a revision that exists."
    )


def _timeout(incident: Incident, text: str) -> str:
    set_to = re.search(
        r"\b((?:SAGEMAKER_MODEL_SERVER_TIMEOUT|default_response_timeout|model_loading_timeout|"
        r"MODEL_SERVER_TIMEOUT|ContainerStartupHealthCheckTimeoutInSeconds)\b\s*[=:]\s*\d+)",
        text,
    )
    now = f" ({set_to.group(1)} now)" if set_to else ""
    return (
        f"A timeout is shorter than the model needs{now}: raise ContainerStartupHealthCheckTimeoutInSeconds "
        "(60–3600) for slow loads, or the model server's timeout (SAGEMAKER_MODEL_SERVER_TIMEOUT, TorchServe "
        "default_response_timeout, LMI model_loading_timeout); the container must answer GET /ping on 8080 "
        "within 2 s."
    )


def _env(incident: Incident, text: str) -> str:
    envs = sorted(set(_ENV.findall(text)))
    named = f": {', '.join(envs[:4])} must be set and spelled exactly as the container expects" if envs else ""
    return f"Check the model's Environment{named} (CreateModel → PrimaryContainer.Environment)."


def _artifact(incident: Incident, text: str) -> str:
    return (
        "Check ModelDataUrl and the model.tar.gz layout: weights at the archive root (or what HF_MODEL_ID / "
        "option.model_id points to) and your handler at code/inference.py (SAGEMAKER_PROGRAM=inference.py), "
        "readable by the execution role."
    )


_QUOTA_NAME = re.compile(r"(?:service limit|quota) '([^'\n]{1,120})'", re.I)


def _quota(incident: Incident, text: str) -> str:
    itype = incident.context.instance_type
    named = _QUOTA_NAME.findall(text)
    which = (
        f"'{named[-1]}'"
        if named
        else (f"'{itype} for endpoint usage'" if itype else "the instance type's 'for endpoint usage' quota")
    )
    return (
        f"Request a quota increase for {which} in Service Quotas (Amazon SageMaker), or choose an instance "
        "type that is available to the account in this region."
    )


def _startup(incident: Incident, text: str) -> str:
    return (
        "The container did not start serving: it must run `serve` (docker run <image> serve), listen on "
        "port 8080 and answer GET /ping and POST /invocations."
    )


def _version(incident: Incident, text: str) -> str:
    return (
        "Versions disagree: use the serving image built for the framework and version the model was trained "
        "with (or pin the packages in requirements.txt to match)."
    )


# Strong families name a cause; weak ones ("did not pass the ping health check",
# "not found") follow from many causes and decide only when nothing stronger is there.
_CONFIG_STRONG = {
    "content_type": _content_type,
    "import": _import,
    "gpu_config": _gpu_config,
    "limits": _limits,
    "permission": _permission,
    "model_options": _model_options,
    "timeout": _timeout,
    "config": _env,
    "artifact": _artifact,
    "quota": _quota,
}
_CONFIG_WEAK = {"missing": _artifact, "startup": _startup, "health": _timeout, "version": _version}


def _config(incident: Incident, families: list[str], text: str) -> str:
    # the evidence first; if it names no cause, every line of the window (scanned only then)
    for table in (_CONFIG_STRONG, _CONFIG_WEAK):
        for fam in families:
            if fam in table:
                return table[fam](incident, text)
    everywhere = _families([Evidence("log", line, 0.0) for line in text.splitlines()[-2000:]])
    for table in (_CONFIG_STRONG, _CONFIG_WEAK):
        for fam in everywhere:
            if fam in table:
                return table[fam](incident, text)
    return (
        "Compare the endpoint configuration (image, instance type, environment, model data) with what the "
        "container expects."
    )


# ---------------------------------------------------------------- model bugs

_WRAPPERS = re.compile(
    r"UnexpectedStatusException|WaiterError|ModelError|ClientError|PredictionException"
    r"|WorkerInitializationException|CompletionException|EngineException"
)


def _last_lines(incident: Incident, n: int) -> list[str]:
    """The last `n` lines of the window's log text (events read from the end, only as many as needed)."""
    parts: list[list[str]] = []
    have = 0
    for e in reversed(incident.logs):
        if have >= n:
            break
        lines = message_text(e.message).splitlines()
        parts.append(lines)
        have += len(lines)
    return [ln for lines in reversed(parts) for ln in lines][-n:]


def _exception_in(line: str) -> re.Match[str] | None:
    """The exception a log line names (not a quoted source line); the literal tests skip the regexes on most lines."""
    if "Error" not in line and "Exception" not in line and "Exit" not in line and "Interrupt" not in line:
        return None  # _EXC's name must end in one of these
    return None if _SOURCE_LINE.search(line) else _EXC.search(line)


def _model_bug(incident: Incident) -> str:
    lines = _last_lines(incident, TEXTS_READ)
    frames = [(k, m) for k, line in enumerate(lines) if 'File "' in line for m in [_FRAME.search(line)] if m]
    user = [(k, m) for k, m in frames if not _SITE.search(m.group(1))]
    after = user[-1][0] if user else -1
    named = [(k, m) for k, line in enumerate(lines) for m in [_exception_in(line)] if m]
    found = [m for _, m in named]
    later = [m for k, m in named if k > after and not _WRAPPERS.search(m.group(1))]
    excs = later or found
    exc = (
        f"{excs[0].group(1)}: {(excs[0].group(2) or '')[:160]}".rstrip(": ")
        if excs
        else "the exception in your handler"
    )
    where = ""
    if user:
        f = user[-1][1]
        where = f" raised in {f.group(3)}() at {f.group(1)}:{f.group(2)}"
    low = "\n".join(lines).lower()
    hint = ""
    if "not json serializable" in low:
        hint = " Convert numpy arrays and tensors with .tolist() before json.dumps in output_fn."
    elif any(w in low for w in ("state_dict", "missing key", "unexpected key", "size mismatch for")):
        hint = " The checkpoint does not match the model class the handler builds: load it into the same architecture."
    elif any(w in low for w in ("shape", "dimension", "feature size", "number of features", "2d array", "mat1")):
        hint = " The input's shape or feature count does not match what the model was trained on: check input_fn's parsing."
    elif any(w in low for w in ("batch response", "return type", "must return")):
        hint = " The handler must return a list with one response per request in the batch."
    elif "out of range float" in low or "nan" in low and re.search(r"\bnan\b", low):
        hint = " The model produced NaN/inf: check the inputs' scaling and the weights for NaN."
    return (
        f"Fix {exc}{where}; reproduce it locally by calling the handler with the failing payload "
        f"(SageMaker local mode or the container with `docker run ... serve`).{hint}"
    )


# AWS itself had no instances of the type to give: more instances would ask for more of what is not there.
_AWS_SHORTAGE = re.compile(
    r"unable to provision requested ml compute capacity|insufficientinstancecapacity|insufficient capacity", re.I
)


def _aws_shortage(incident: Incident) -> str:
    itype = incident.context.instance_type
    of = f" of {itype}" if itype else ""
    return (
        f"AWS had no spare capacity{of} in this region's Availability Zones when the endpoint asked for it; "
        "nothing in the endpoint is wrong. Retry later, or choose another instance type (or region); do not "
        "add instances, which asks for more of what is not there."
    )


def remediate(label: str, incident: Incident, evidence: Sequence[Evidence], texts: Sequence[str]) -> str:
    """What to do next; `texts` are the incident's last event texts (its logs, then its FailureReason)."""
    if label == NO_FAILURE:
        return "Nothing to do: no failure found in these logs and metrics."
    if any(_AWS_SHORTAGE.search(t) for t in texts[-TEXTS_READ:]):
        return _aws_shortage(incident)
    families = _families(evidence)
    if label == "resource_exhaustion":
        return _resource(incident, families, texts)
    if label == "configuration_error":
        return _config(incident, families, "\n".join(texts[-TEXTS_READ:]))
    return _model_bug(incident)
