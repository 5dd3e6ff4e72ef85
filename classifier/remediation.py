"""What to do next, given the label and the evidence behind it.

The model decides the label; this module only turns the label plus the
strongest evidence into a concrete step: a bigger instance type by name, the
content type the container expects, the function and line that raised.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from . import instances
from .features import event_texts
from .incident import Evidence, Incident
from .signals import SIGNALS, scan

_FAMILY = {s.name: s.family for s in SIGNALS}

_FRAME = re.compile(r'File "([^"]+)", line (\d+), in ([\w<>.]+)')
_EXC = re.compile(r"\b([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt))\b:?\s*(.*)")
_SITE = re.compile(r"site-packages|dist-packages|/lib/python\d|/usr/lib/|<frozen|/opt/conda/lib/|ts/model_service_worker|"
                   r"sagemaker_inference|sagemaker_containers|sagemaker_huggingface|mms/|/tritonserver/")
_MODULE = re.compile(r"no module named ['\"]?([\w.]+)", re.I)
_ENV = re.compile(r"\b(SAGEMAKER_[A-Z_]+|HF_[A-Z_]+|OPTION_[A-Z_]+|SM_[A-Z_]+|MAX_[A-Z_]+|TS_[A-Z_]+|"
                  r"MODEL_SERVER_[A-Z_]+|NUM_SHARD|CUDA_VISIBLE_DEVICES)\b")
_TYPE = r"(?:application|text|image|audio|video)/[\w+-]+(?:\.[\w+-]+)*"
_CT = re.compile(f"({_TYPE})", re.I)
_REJECTED = re.compile(
    rf"content[-_ ]?type:?\s*['\"]?({_TYPE})['\"]?\s+(?:is\s+)?(?:not\s+supported|unsupported|not\s+accepted)"
    rf"|unsupported\s+(?:content|media|accept)[-_ ]?type:?\s*['\"]?({_TYPE})"
    rf"|({_TYPE})['\"]?\s+(?:is\s+)?not\s+supported", re.I)
_ACCEPTED = re.compile(rf"(?:one of|\b(?<!un)supported (?:content )?types?(?: are)?|expected|accepts?)[:\s]*\[?((?:['\"]?{_TYPE}['\"]?[,\s]*(?:or\s+)?)+)", re.I)


def _families(lines: Sequence[str]) -> list[str]:
    """Signal families in order of first strong appearance in the evidence lines."""
    out: list[str] = []
    for line in lines:
        for names in scan([line]).event_hits.values():
            for n in names:
                fam = _FAMILY[n]
                if fam not in out and fam not in {"severity", "healthy", "exception", "traceback", "status"}:
                    out.append(fam)
    return out


def _peak(incident: Incident, metric: str) -> float | None:
    s = incident.metrics.get(metric)
    vals = [v for v in (s.values if s else ()) if not math.isnan(v)]
    return max(vals) if vals else None


def _names(types: list[instances.InstanceType]) -> str:
    return " or ".join(t.name for t in types)


def _resource(incident: Incident, families: list[str], text: str) -> str:
    itype = incident.context.instance_type
    it = instances.lookup(itype)
    on = f" on {it.name if it else itype}" if itype else ""
    mem = _peak(incident, "MemoryUtilization")
    if "gpu_memory" in families or "cuda out of memory" in text or (_peak(incident, "GPUMemoryUtilization") or 0) >= 95:
        bigger = instances.bigger_for_gpu_memory(itype)
        target = f"move to an instance with more GPU memory such as {_names(bigger)}" if bigger else "move to an instance with more GPU memory"
        have = f" ({it.gpus}×{it.gpu_memory_gib:.0f} GiB {it.accelerator})" if it and it.gpus else ""
        return (f"GPU memory ran out{on}{have}: {target}, or lower the batch size / max total tokens / "
                "gpu_memory_utilization, or quantize or shard the model.")
    if "disk" in families or (_peak(incident, "DiskUtilization") or 0) >= 95:
        return ("The disk filled up: raise VolumeSizeInGB on the production variant (up to 512 GB), pick an instance "
                "with local NVMe storage, or ship fewer/smaller weight files in model.tar.gz.")
    if "jvm_oom" in text or "java heap" in text or "direct buffer memory" in text:
        return ("The model server's JVM ran out of memory: raise -Xmx / -XX:MaxDirectMemorySize in vmargs of the "
                "server's config.properties, lower max_request_size or batch size, or move to a bigger instance.")
    if "memory" in families or (mem is not None and mem >= 90):
        bigger = instances.bigger_for_memory(itype)
        peak = f"MemoryUtilization peaked at {mem:.0f}%{on}: " if mem is not None else f"The host ran out of memory{on}: "
        target = (f"move to an instance with more memory such as {_names(bigger)}" if bigger
                  else "move to an instance type with more memory")
        return peak + target + ", add instances, or run fewer model-server workers (SAGEMAKER_MODEL_SERVER_WORKERS)."
    bigger = instances.bigger_for_cpu(itype)
    more = f" or a larger instance such as {_names(bigger)}" if bigger else ""
    return ("The endpoint is saturated: add instances (target-tracking auto scaling on InvocationsPerInstance)"
            f"{more}, and raise the number of workers if CPU is idle.")


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


def _config(incident: Incident, families: list[str], lines: Sequence[str]) -> str:
    text = "\n".join(lines)
    low = text.lower()
    if "content_type" in families or re.search(r"\b415\b", text):
        everything = "\n".join(event_texts(incident))
        rejected = _REJECTED.search(everything)
        got = f" (it rejected {next(g for g in rejected.groups() if g)})" if rejected else ""
        return (f"Send the content type the container accepts{got}: {_expected_content_type(incident, everything)}; with "
                "the SageMaker SDK set the predictor's serializer (e.g. CSVSerializer or JSONSerializer) to match, "
                "or add that type to your input_fn.")
    if "import" in families:
        m = _MODULE.search(text)
        mod = m.group(1).split(".")[0] if m else "the missing package"
        return (f"Add {mod} to code/requirements.txt inside model.tar.gz (or to the image), and check that the "
                "package versions match the serving container's Python.")
    if "gpu_config" in families:
        it = instances.lookup(incident.context.instance_type)
        if it and it.gpus and re.search(r"shard|tensor.?parallel|num_gpus|world.?size|tp_degree", low):
            return (f"{it.name} has {it.gpus} GPU{'s' if it.gpus > 1 else ''}: set SM_NUM_GPUS / num_shard / "
                    f"option.tensor_parallel_degree to at most {it.gpus} (or a model that supports sharding), "
                    "or choose an instance with more GPUs.")
        if re.search(r"shard|tensor.?parallel|num_gpus|world.?size|tp_degree", low):
            return ("Set the sharding degree (SM_NUM_GPUS / num_shard / option.tensor_parallel_degree) to no more "
                    "than the instance's GPU count, or turn sharding off for a model that does not support it.")
        return ("The image and the hardware disagree: use a GPU instance (e.g. ml.g5.xlarge) for a GPU image, the "
                "CPU image on a CPU instance, or an image built for the instance's CUDA driver.")
    envs = sorted(set(_ENV.findall(text)))
    if "limits" in families:
        return ("A serving limit is set too low for the requests: raise MAX_INPUT_LENGTH / MAX_TOTAL_TOKENS (TGI), "
                "option.max_model_len (LMI) or the payload limit, or truncate inputs on the client.")
    if "permission" in families:
        return ("Grant the endpoint's execution role access to what it reads (s3:GetObject on the model data, "
                "ecr:BatchGetImage and ecr:GetDownloadUrlForLayer on the image, kms:Decrypt if encrypted).")
    if envs and "config" in families:
        return (f"Check the model's Environment: {', '.join(envs[:4])} must be set and spelled exactly as the "
                "container expects.")
    if "timeout" in families or "health" in families:
        return ("A timeout is shorter than the model needs: raise ContainerStartupHealthCheckTimeoutInSeconds "
                "(60–3600) for slow loads, or the model server's response timeout (TorchServe default_response_timeout, "
                "SAGEMAKER_MODEL_SERVER_TIMEOUT); the container must answer GET /ping on 8080 within 2 s.")
    if "artifact" in families or "missing" in families:
        return ("Check ModelDataUrl and the model.tar.gz layout: the weights at the archive root and your handler at "
                "code/inference.py (set SAGEMAKER_PROGRAM=inference.py), readable by the execution role.")
    if "startup" in families:
        return ("The container did not start serving: it must run `serve` (docker run <image> serve), listen on "
                "port 8080 and answer GET /ping and POST /invocations.")
    if envs:
        return f"Check the model's Environment settings: {', '.join(envs[:4])}."
    return "Compare the endpoint configuration (image, instance type, environment, model data) with what the container expects."


def _model_bug(lines: Sequence[str]) -> str:
    text = "\n".join(lines)
    frames = _FRAME.findall(text)
    user = [f for f in frames if not _SITE.search(f[0])]
    frame = (user or frames or [None])[-1]
    excs = [m for line in lines for m in [_EXC.search(line)] if m]
    exc = f"{excs[-1].group(1)}: {excs[-1].group(2)[:160]}".rstrip(": ") if excs else "the exception"
    where = f" in {frame[2]}() at {frame[0]}:{frame[1]}" if frame else ""
    low = text.lower()
    hint = ""
    if "not json serializable" in low:
        hint = " Convert numpy arrays with .tolist() before json.dumps in output_fn."
    elif re.search(r"state_dict|missing key|unexpected key|size mismatch for", low):
        hint = " The checkpoint does not match the model class the handler builds: load it into the same architecture."
    elif re.search(r"shape|dimension|feature size|number of features|2d array|mat1", low):
        hint = " The input's shape or feature count does not match what the model was trained on: check input_fn's parsing."
    elif re.search(r"batch response|return type|must return", low):
        hint = " The handler must return a list with one response per request in the batch."
    return (f"Fix {exc}{where}; reproduce it locally by calling the handler with the failing payload "
            f"(SageMaker local mode or the container with `docker run ... serve`).{hint}")


def remediate(label: str, incident: Incident, evidence: Sequence[Evidence]) -> str:
    lines = [e.text for e in evidence if e.kind in ("log", "context")]
    families = _families(lines)
    if label == "resource_exhaustion":
        return _resource(incident, families, "\n".join(lines).lower())
    if label == "configuration_error":
        return _config(incident, families, lines)
    # model bugs need the whole traceback, not only the lines that scored highest
    all_lines = [ln for text in event_texts(incident) for ln in text.splitlines()]
    return _model_bug(all_lines[-400:] or lines)
