"""Serving stacks: who they run on, and how each one prefixes its log lines.

Real CloudWatch text differs far more by stack than by root cause: TorchServe
wraps every line of worker output in ``<ts> [INFO ] W-9000-model_1.0-stdout
MODEL_LOG -``, DJL in ``INFO  PyProcess W-123-model-stdout:``, TGI writes
``<rfc3339> ERROR text_generation_launcher:`` (often with ANSI colour codes
that CloudWatch shows as ``#033[..m``), Triton and TF Serving use glog-style
``E0410 13:51:44.772932 1 file.cc:402]`` prefixes, gunicorn/nginx stacks print
raw tracebacks next to nginx access lines. Signatures describe *what* was
written in stack-neutral terms (:class:`~training.story.Ev`); this module
decides *how it looks*.
"""

from __future__ import annotations

from datetime import datetime
from random import Random

from training.story import Ev, Instance, Scene, wchoice

STACKS: tuple[str, ...] = (
    "sklearn",
    "xgboost",
    "torchserve",
    "tfserving",
    "hf_mms",
    "tgi",
    "djl_lmi",
    "triton",
    "byoc",
    "vllm",
)

# Relative frequency of each stack in the corpus (before signature support).
STACK_WEIGHTS: dict[str, float] = {
    "sklearn": 1.0,
    "xgboost": 1.1,
    "torchserve": 1.3,
    "tfserving": 1.1,
    "hf_mms": 1.0,
    "tgi": 1.0,
    "djl_lmi": 0.9,
    "triton": 0.9,
    "byoc": 1.1,
    "vllm": 0.7,
}

INSTANCES: dict[str, Instance] = {
    i.name: i
    for i in (
        Instance("ml.t2.medium", 2, 4),
        Instance("ml.m4.xlarge", 4, 16),
        Instance("ml.m5.large", 2, 8),
        Instance("ml.m5.xlarge", 4, 16),
        Instance("ml.m5.2xlarge", 8, 32),
        Instance("ml.m5.4xlarge", 16, 64),
        Instance("ml.m6i.xlarge", 4, 16),
        Instance("ml.c5.large", 2, 4),
        Instance("ml.c5.xlarge", 4, 8),
        Instance("ml.c5.2xlarge", 8, 16),
        Instance("ml.c5.4xlarge", 16, 32),
        Instance("ml.c6i.2xlarge", 8, 16),
        Instance("ml.r5.large", 2, 16),
        Instance("ml.r5.xlarge", 4, 32),
        Instance("ml.r5.2xlarge", 8, 64),
        Instance("ml.g4dn.xlarge", 4, 16, 1, "Tesla T4", 14.58),
        Instance("ml.g4dn.2xlarge", 8, 32, 1, "Tesla T4", 14.58),
        Instance("ml.g4dn.12xlarge", 48, 192, 4, "Tesla T4", 14.58),
        Instance("ml.g5.xlarge", 4, 16, 1, "NVIDIA A10G", 22.19),
        Instance("ml.g5.2xlarge", 8, 32, 1, "NVIDIA A10G", 22.19),
        Instance("ml.g5.4xlarge", 16, 64, 1, "NVIDIA A10G", 22.19),
        Instance("ml.g5.12xlarge", 48, 192, 4, "NVIDIA A10G", 22.19),
        Instance("ml.g5.48xlarge", 192, 768, 8, "NVIDIA A10G", 22.19),
        Instance("ml.g6.xlarge", 4, 16, 1, "NVIDIA L4", 22.03),
        Instance("ml.g6.12xlarge", 48, 192, 4, "NVIDIA L4", 22.03),
        Instance("ml.p3.2xlarge", 8, 61, 1, "Tesla V100-SXM2-16GB", 15.77),
        Instance("ml.p3.8xlarge", 32, 244, 4, "Tesla V100-SXM2-16GB", 15.77),
        Instance("ml.p4d.24xlarge", 96, 1152, 8, "NVIDIA A100-SXM4-40GB", 39.39),
        Instance("ml.p5.48xlarge", 192, 2048, 8, "NVIDIA H100 80GB HBM3", 79.11),
    )
}

CPU_POOL = (
    ("ml.m5.large", 3),
    ("ml.m5.xlarge", 3),
    ("ml.m5.2xlarge", 2),
    ("ml.m5.4xlarge", 1),
    ("ml.c5.large", 1),
    ("ml.c5.xlarge", 2),
    ("ml.c5.2xlarge", 1.5),
    ("ml.c5.4xlarge", 0.5),
    ("ml.r5.large", 0.7),
    ("ml.r5.xlarge", 0.7),
    ("ml.r5.2xlarge", 0.3),
    ("ml.t2.medium", 0.6),
    ("ml.m4.xlarge", 0.5),
    ("ml.m6i.xlarge", 0.6),
    ("ml.c6i.2xlarge", 0.5),
)
GPU_SMALL = (
    ("ml.g4dn.xlarge", 3),
    ("ml.g4dn.2xlarge", 1.5),
    ("ml.g5.xlarge", 2.5),
    ("ml.g5.2xlarge", 2.5),
    ("ml.g5.4xlarge", 1),
    ("ml.g6.xlarge", 1),
    ("ml.p3.2xlarge", 1),
)
GPU_MULTI = (
    ("ml.g4dn.12xlarge", 1),
    ("ml.g5.12xlarge", 3),
    ("ml.g5.48xlarge", 1.2),
    ("ml.g6.12xlarge", 1),
    ("ml.p3.8xlarge", 0.5),
    ("ml.p4d.24xlarge", 1.2),
    ("ml.p5.48xlarge", 0.4),
)

# Share of GPU instances per stack (the rest run on CPU instances).
GPU_SHARE = {
    "sklearn": 0.0,
    "xgboost": 0.12,
    "torchserve": 0.55,
    "tfserving": 0.4,
    "hf_mms": 0.55,
    "tgi": 1.0,
    "djl_lmi": 1.0,
    "triton": 0.85,
    "byoc": 0.35,
    "vllm": 1.0,
}
MULTI_GPU_SHARE = {"tgi": 0.45, "djl_lmi": 0.55, "vllm": 0.4, "triton": 0.15}

REGIONS = (
    "us-east-1",
    "us-east-1",
    "us-east-1",
    "us-west-2",
    "us-west-2",
    "us-east-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-northeast-1",
    "ap-south-1",
)
# Account that hosts the SageMaker first-party scikit-learn / XGBoost images per region.
SKLEARN_ACCOUNTS = {
    "us-east-1": "683313688378",
    "us-east-2": "257758044811",
    "us-west-2": "246618743249",
    "eu-west-1": "141502667606",
    "eu-central-1": "492215442770",
    "ap-southeast-1": "121021644041",
    "ap-northeast-1": "354813040037",
    "ap-south-1": "720646828776",
}
TRITON_ACCOUNTS = {
    "us-east-1": "785573368785",
    "us-west-2": "301217895009",
    "us-east-2": "007439368137",
    "eu-west-1": "802834080501",
    "eu-central-1": "746233611703",
    "ap-southeast-1": "090036059998",
    "ap-northeast-1": "756258658025",
    "ap-south-1": "089933028263",
}
DLC = "763104351884"

LLM_IDS = (
    "meta-llama/Llama-2-7b-chat-hf",
    "meta-llama/Llama-2-13b-chat-hf",
    "meta-llama/Llama-2-70b-chat-hf",
    "meta-llama/Meta-Llama-3-8B-Instruct",
    "meta-llama/Meta-Llama-3.1-70B-Instruct",
    "mistralai/Mistral-7B-Instruct-v0.2",
    "mistralai/Mixtral-8x7B-Instruct-v0.1",
    "tiiuae/falcon-7b-instruct",
    "tiiuae/falcon-40b-instruct",
    "google/flan-t5-xxl",
    "HuggingFaceH4/zephyr-7b-beta",
    "Qwen/Qwen2-7B-Instruct",
    "Qwen/Qwen2.5-14B-Instruct",
    "codellama/CodeLlama-13b-Instruct-hf",
    "EleutherAI/gpt-neox-20b",
    "google/gemma-7b-it",
    "bigscience/bloom-7b1",
    "microsoft/Phi-3-mini-4k-instruct",
    "/opt/ml/model",
)
ENCODER_IDS = (
    "distilbert-base-uncased-finetuned-sst-2-english",
    "bert-base-cased",
    "bert-base-uncased",
    "sentence-transformers/all-MiniLM-L6-v2",
    "facebook/bart-large-cnn",
    "openai/whisper-small",
    "google/vit-base-patch16-224",
    "dslim/bert-base-NER",
    "deepset/roberta-base-squad2",
    "t5-base",
    "cardiffnlp/twitter-roberta-base-sentiment",
    "BAAI/bge-large-en-v1.5",
    "facebook/bart-large-mnli",
    "microsoft/layoutlmv3-base",
    "xlm-roberta-large",
)
SERVED_NAMES = (
    "resnet50",
    "bert_classifier",
    "densenet161",
    "yolov5",
    "ensemble",
    "preprocess",
    "t5_encoder",
    "fraud_xgb",
    "detector",
    "embedder",
    "segmenter",
    "ranker",
    "sentiment",
    "ocr_recognizer",
    "text_encoder",
    "image2tags",
    "churn",
    "reranker",
    "asr_whisper",
)
ENDPOINT_STEMS = (
    "fraud",
    "churn",
    "reco",
    "ner",
    "llama2-7b-chat",
    "mistral-7b",
    "sentiment",
    "img-cls",
    "ranking",
    "demand-forecast",
    "embeddings",
    "asr",
    "pricing",
    "ocr",
    "summarizer",
    "bert-qa",
    "yolo-det",
    "claims-triage",
    "ltv",
    "search-rerank",
    "credit-risk",
    "chatbot",
    "doc-layout",
)
BYOC_REPOS = (
    "fraud-scorer",
    "custom-inference",
    "ranker-serving",
    "sm-byoc-xgb",
    "ner-api",
    "churn-model",
    "mlserve",
    "inference-api",
    "model-server",
    "tabular-serving",
)

LEVELS_TS = {
    "DEBUG": "[DEBUG]",
    "INFO": "[INFO ]",
    "WARN": "[WARN ]",
    "ERROR": "[ERROR]",
    "FATAL": "[FATAL]",
    "CRITICAL": "[ERROR]",
}
LEVELS_GUNICORN = {
    "DEBUG": "[DEBUG]",
    "INFO": "[INFO]",
    "WARN": "[WARNING]",
    "ERROR": "[ERROR]",
    "FATAL": "[CRITICAL]",
    "CRITICAL": "[CRITICAL]",
}
LEVELS_PY = {
    "DEBUG": "DEBUG",
    "INFO": "INFO",
    "WARN": "WARNING",
    "ERROR": "ERROR",
    "FATAL": "CRITICAL",
    "CRITICAL": "CRITICAL",
}
LEVELS_GLOG = {"DEBUG": "I", "INFO": "I", "WARN": "W", "ERROR": "E", "FATAL": "F", "CRITICAL": "F"}

# Java packages of the two MMS-family frontends, keyed by the short class name signatures use.
JAVA_SUBPKG = {
    "WorkerThread": "wlm",
    "WorkerLifeCycle": "wlm",
    "BatchAggregator": "wlm",
    "ModelManager": "wlm",
    "WorkLoadManager": "wlm",
    "ModelVersionedRefs": "wlm",
    "ModelServer": "",
    "ModelArchive": "archive",
    "HttpRequestHandler": "http",
    "InferenceRequestHandler": "http",
    "ConfigManager": "util",
    "MetricCollector": "metrics",
    "RestJob": "job",
    "ModelLoader": "wlm",
}


def choose_instance(rng: Random, stack: str, need: str | None) -> Instance:
    """Pick an instance type plausible for the stack and the story's needs.

    ``need`` is ``"gpu"``, ``"cpu"``, ``"multi_gpu"``, ``"single_gpu"`` or None.
    """
    if need == "cpu" or (need is None and rng.random() >= GPU_SHARE[stack]):
        return INSTANCES[wchoice(rng, CPU_POOL)]
    if need == "multi_gpu" or (need != "single_gpu" and rng.random() < MULTI_GPU_SHARE.get(stack, 0.1)):
        return INSTANCES[wchoice(rng, GPU_MULTI)]
    return INSTANCES[wchoice(rng, GPU_SMALL)]


def _image(rng: Random, stack: str, region: str, gpu: bool, flavour: str) -> tuple[str, str, str]:
    """Image URI, Python minor version and site-packages directory for a stack."""
    dev = "gpu" if gpu else "cpu"
    if stack == "sklearn":
        tag, py = rng.choice(
            (("0.23-1", "3.7"), ("1.0-1", "3.7"), ("1.2-1", "3.8"), ("1.2-1", "3.9"), ("1.4-2", "3.10"))
        )
        uri = f"{SKLEARN_ACCOUNTS.get(region, '683313688378')}.dkr.ecr.{region}.amazonaws.com/sagemaker-scikit-learn:{tag}-cpu-py3"
        return uri, py, f"/miniconda3/lib/python{py}/site-packages"
    if stack == "xgboost":
        tag, py = rng.choice(
            (
                ("1.0-1-cpu-py3", "3.6"),
                ("1.2-2", "3.7"),
                ("1.3-1", "3.7"),
                ("1.5-1", "3.8"),
                ("1.7-1", "3.8"),
                ("1.7-1", "3.9"),
            )
        )
        uri = f"{SKLEARN_ACCOUNTS.get(region, '683313688378')}.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:{tag}"
        return uri, py, f"/miniconda3/lib/python{py}/site-packages"
    if stack == "torchserve":
        ver, py = rng.choice(
            (
                ("1.10.2", "3.8"),
                ("1.12.1", "3.8"),
                ("1.13.1", "3.9"),
                ("2.0.1", "3.10"),
                ("2.1.0", "3.10"),
                ("2.2.0", "3.10"),
                ("2.3.0", "3.11"),
            )
        )
        cu = {
            "1.10.2": "cu113",
            "1.12.1": "cu113",
            "1.13.1": "cu117",
            "2.0.1": "cu118",
            "2.1.0": "cu118",
            "2.2.0": "cu118",
            "2.3.0": "cu121",
        }[ver]
        pyt = "py" + py.replace(".", "")
        tail = f"{dev}-{pyt}-{cu}-ubuntu20.04-sagemaker" if gpu else f"{dev}-{pyt}-ubuntu20.04-sagemaker"
        uri = f"{DLC}.dkr.ecr.{region}.amazonaws.com/pytorch-inference:{ver}-{tail}"
        site = (
            f"/home/venv/lib/python{py}/site-packages"
            if flavour == "local"
            else f"/opt/conda/lib/python{py}/site-packages"
        )
        return uri, py, site
    if stack == "tfserving":
        ver = rng.choice(("1.15.5", "2.3.2", "2.6.3", "2.8.0", "2.11.1", "2.12.1", "2.13.0", "2.14.1", "2.16.1"))
        py = "3.7" if ver.startswith(("1.", "2.3")) else rng.choice(("3.8", "3.9", "3.10"))
        return (
            f"{DLC}.dkr.ecr.{region}.amazonaws.com/tensorflow-inference:{ver}-{dev}",
            py,
            f"/usr/local/lib/python{py}/dist-packages",
        )
    if stack == "hf_mms":
        pt, tf, py = rng.choice(
            (
                ("1.9.1", "4.12.3", "3.8"),
                ("1.10.2", "4.17.0", "3.8"),
                ("1.13.1", "4.26.0", "3.9"),
                ("2.0.0", "4.28.1", "3.10"),
                ("2.1.0", "4.37.0", "3.10"),
            )
        )
        pyt = "py" + py.replace(".", "")
        tail = f"gpu-{pyt}-cu118-ubuntu20.04" if gpu else f"cpu-{pyt}-ubuntu20.04"
        return (
            f"{DLC}.dkr.ecr.{region}.amazonaws.com/huggingface-pytorch-inference:{pt}-transformers{tf}-{tail}",
            py,
            f"/opt/conda/lib/python{py}/site-packages",
        )
    if stack == "tgi":
        tgi, pt, py, cu, os_ = rng.choice(
            (
                ("0.8.2", "2.0.0", "3.9", "cu118", "ubuntu20.04"),
                ("0.9.3", "2.0.1", "3.9", "cu118", "ubuntu20.04"),
                ("1.0.3", "2.0.1", "3.9", "cu118", "ubuntu20.04"),
                ("1.1.0", "2.0.1", "3.9", "cu118", "ubuntu20.04"),
                ("1.3.3", "2.1.1", "3.10", "cu121", "ubuntu20.04"),
                ("1.4.2", "2.1.1", "3.10", "cu121", "ubuntu22.04"),
                ("2.0.0", "2.1.1", "3.10", "cu121", "ubuntu22.04"),
                ("2.2.0", "2.3.0", "3.10", "cu121", "ubuntu22.04"),
                ("2.3.1", "2.4.0", "3.11", "cu124", "ubuntu22.04"),
                ("3.0.1", "2.4.0", "3.11", "cu124", "ubuntu22.04"),
            )
        )
        site = (
            f"/usr/src/.venv/lib/python{py}/site-packages"
            if tgi.startswith("3.")
            else f"/opt/conda/lib/python{py}/site-packages"
        )
        return (
            f"{DLC}.dkr.ecr.{region}.amazonaws.com/huggingface-pytorch-tgi-inference:"
            f"{pt}-tgi{tgi}-gpu-py{py.replace('.', '')}-{cu}-{os_}",
            py,
            site,
        )
    if stack == "djl_lmi":
        tag = rng.choice(
            (
                "0.22.1-deepspeed0.9.2-cu118",
                "0.23.0-deepspeed0.9.5-cu118",
                "0.24.0-deepspeed0.10.0-cu118",
                "0.25.0-deepspeed0.11.0-cu118",
                "0.26.0-deepspeed0.12.6-cu121",
                "0.27.0-tensorrtllm0.8.0-cu122",
                "0.28.0-lmi10.0.0-cu124",
                "0.29.0-lmi11.0.0-cu124",
                "0.30.0-lmi12.0.0-cu124",
                "0.31.0-lmi13.0.0-cu124",
            )
        )
        return (
            f"{DLC}.dkr.ecr.{region}.amazonaws.com/djl-inference:{tag}",
            "3.10",
            "/usr/local/lib/python3.10/dist-packages",
        )
    if stack == "triton":
        ver = rng.choice(("21.08", "22.05", "22.07", "23.02", "23.06", "23.12", "24.01", "24.05", "24.09"))
        py = "3.8" if ver < "23" else "3.10"
        acct = TRITON_ACCOUNTS.get(region, "785573368785")
        return (
            f"{acct}.dkr.ecr.{region}.amazonaws.com/sagemaker-tritonserver:{ver}-py3",
            py,
            f"/usr/local/lib/python{py}/dist-packages",
        )
    if stack == "vllm":
        ver, py = rng.choice(
            (("v0.4.2", "3.10"), ("v0.5.3", "3.10"), ("v0.6.3", "3.12"), ("v0.7.2", "3.12"), ("v0.8.1", "3.12"))
        )
        acct = "".join(rng.choice("0123456789") for _ in range(12))
        return (
            f"{acct}.dkr.ecr.{region}.amazonaws.com/{rng.choice(('vllm-openai', 'vllm-sagemaker', 'llm-serving'))}:{ver}",
            py,
            f"/usr/local/lib/python{py}/dist-packages",
        )
    # byoc
    py = rng.choice(("3.8", "3.9", "3.10", "3.11"))
    acct = "".join(rng.choice("0123456789") for _ in range(12))
    tag = rng.choice(("latest", "v1", "v2.3.1", "prod", "1.0.4", "2024-05-02", "gpu-latest" if gpu else "cpu"))
    site = rng.choice((f"/usr/local/lib/python{py}/site-packages", f"/opt/conda/lib/python{py}/site-packages"))
    return f"{acct}.dkr.ecr.{region}.amazonaws.com/{rng.choice(BYOC_REPOS)}:{tag}", py, site


FLAVOURS: dict[str, tuple[tuple[str, float], ...]] = {
    "sklearn": (("script", 1.0),),
    "xgboost": (("algorithm", 0.6), ("script", 0.4)),
    "torchserve": (("sm_toolkit", 0.55), ("custom_handler", 0.3), ("local", 0.15)),
    "tfserving": (("plain", 0.55), ("handler", 0.45)),
    "hf_mms": (("default", 0.45), ("custom", 0.55)),
    "tgi": (("ansi", 0.55), ("plain", 0.45)),
    "djl_lmi": (("plain", 0.6), ("bracket", 0.4)),
    "triton": (("python", 0.55), ("native", 0.45)),
    "byoc": (("flask_gunicorn", 0.5), ("fastapi_uvicorn", 0.35), ("flask_dev", 0.15)),
    "vllm": (("v1", 0.5), ("v0", 0.5)),
}


def make_scene(rng: Random, stack: str, label: str, signature: str, need: str | None) -> Scene:
    """Draw every per-incident identity: instance, image, names, paths, formatting switches."""
    flavour = wchoice(rng, FLAVOURS[stack])
    inst = choose_instance(rng, stack, need)
    region = rng.choice(REGIONS)
    image, py, site = _image(rng, stack, region, inst.gpu, flavour)
    stem = rng.choice(ENDPOINT_STEMS)
    if rng.random() < 0.25:
        prefix = {
            "sklearn": "sagemaker-scikit-learn",
            "xgboost": "sagemaker-xgboost",
            "torchserve": "pytorch-inference",
            "tfserving": "tensorflow-inference",
            "hf_mms": "huggingface-pytorch-inference",
            "tgi": "huggingface-pytorch-tgi-inference",
            "djl_lmi": "djl-inference",
            "triton": "sagemaker-tritonserver",
            "byoc": stem,
            "vllm": stem,
        }[stack]
        endpoint = (
            f"{prefix}-20{rng.randint(21, 26)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}-"
            f"{rng.randint(0, 23):02d}-{rng.randint(0, 59):02d}-{rng.randint(0, 59):02d}-{rng.randint(0, 999):03d}"
        )
    else:
        endpoint = f"{stem}-{rng.choice(('prod', 'staging', 'dev', 'v2', 'ep', 'endpoint', 'live', 'test'))}"
    variant = rng.choice(("AllTraffic",) * 8 + ("variant-1", "primary", "blue", "canary"))
    if stack in ("torchserve", "triton") and not (stack == "torchserve" and flavour == "sm_toolkit"):
        model = rng.choice(SERVED_NAMES)
    else:
        model = "model"
    hf_model = rng.choice(LLM_IDS if stack in ("tgi", "djl_lmi", "vllm") else ENCODER_IDS)
    pid = rng.randint(7, 260)
    code_dir, entry = _code_location(rng, stack, flavour, model)
    worker = _worker_name(rng, stack, model)
    acct = "".join(rng.choice("0123456789") for _ in range(12))
    style: dict[str, object] = {
        "ts_iso": rng.random() < 0.6,  # TorchServe >= 0.6 uses 2024-03-22T11:42:15,558
        "old_ts_logger": rng.random() < 0.3,  # TorchServe < 0.5 logs worker output via WorkerLifeCycle
        "multiline": rng.random() < 0.4,  # traceback arrives as one CloudWatch event
        "bucket": f"sagemaker-{region}-{acct}"
        if rng.random() < 0.6
        else rng.choice(
            ("ml-artifacts-prod", "models-bucket", "team-ml-models", "my-sagemaker-bucket", "mlops-registry")
        ),
        "prefix": rng.choice(
            ("model", "models/v3", "output/training-job-2024-01-18/output", f"{stem}/artifacts", "huggingface-models")
        ),
        "ip": f"169.254.{rng.randint(170, 180)}.{rng.randint(1, 9)}"
        if rng.random() < 0.6
        else f"10.32.0.{rng.randint(2, 9)}",
        "host": rng.choice(("model.aws.local", "container-0.local", "localhost")),
        "docker_id": "".join(rng.choice("0123456789abcdef") for _ in range(12)),
        "nginx_pid": rng.randint(14, 40),
        "jpkg": "com.amazonaws.ml.mms" if stack == "hf_mms" else "org.pytorch.serve",
        "djl_ver": image.split(":")[-1].split("-")[0] if stack == "djl_lmi" else "0.27.0",
    }
    return Scene(
        rng=rng,
        stack=stack,
        label=label,
        signature=signature,
        inst=inst,
        region=region,
        account=acct,
        endpoint=endpoint,
        variant=variant,
        image=image,
        model=model,
        py=py,
        site=site,
        code_dir=code_dir,
        entry=entry,
        flavour=flavour,
        hf_model=hf_model,
        pid=pid,
        worker=worker,
        style=style,
    )


def _code_location(rng: Random, stack: str, flavour: str, model: str) -> tuple[str, str]:
    """Where the user's own code lives inside the container, and its file name."""
    if stack == "sklearn":
        return rng.choice(("/opt/ml/code", "/opt/ml/model/code")), rng.choice(
            ("inference.py", "serve.py", "predict.py", "train.py", "sklearn_entry.py")
        )
    if stack == "xgboost":
        return rng.choice(("/opt/ml/code", "/opt/ml/model/code")), rng.choice(
            ("inference.py", "xgb_inference.py", "script.py")
        )
    if stack == "torchserve":
        if flavour == "sm_toolkit":
            return "/opt/ml/model/code", rng.choice(("inference.py", "inference.py", "predictor.py", "entry_point.py"))
        return (
            f"/home/model-server/tmp/models/{''.join(rng.choice('0123456789abcdef') for _ in range(32))}",
            rng.choice(("handler.py", "custom_handler.py", f"{model}_handler.py", "model_handler.py")),
        )
    if stack in ("tfserving", "hf_mms"):
        return "/opt/ml/model/code", "inference.py"
    if stack == "djl_lmi":
        return rng.choice(("/opt/ml/model/code", "/opt/ml/model")), "model.py"
    if stack == "triton":
        return f"/opt/ml/model/{model}/1", "model.py"
    if stack == "vllm":
        return "/app", rng.choice(("serve.py", "server.py", "app.py"))
    if flavour == "fastapi_uvicorn":
        return rng.choice(("/app", "/opt/program", "/code/app")), rng.choice(("main.py", "app.py", "server.py"))
    return "/opt/program", rng.choice(("predictor.py", "predictor.py", "app.py", "wsgi.py", "inference.py"))


def _worker_name(rng: Random, stack: str, model: str) -> str:
    """Frontend name of the Python worker (``W-9000-model_1.0``, ``W-252-model``...)."""
    if stack == "torchserve":
        return f"W-{rng.choice((9000, 9000, 9000, 9001, 9002, 9003))}-{model}_{rng.choice(('1.0', '1.0', '1'))}"
    if stack == "hf_mms":
        return rng.choice((f"W-{rng.choice((9000, 9001, 9002, 9003))}-model", "W-model-1", "W-model-2"))
    if stack == "djl_lmi":
        return f"W-{rng.randint(90, 380)}-model"
    return ""


# ---------------------------------------------------------------------------
# timestamps
# ---------------------------------------------------------------------------
def ms(t: datetime) -> str:
    return f"{t.microsecond // 1000:03d}"


def iso_event(t: datetime) -> str:
    """CloudWatch event timestamp as the incident format stores it."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + ms(t) + "Z"


def _ts_torch(sc: Scene, t: datetime) -> str:
    if sc.stack == "torchserve" and sc.style["ts_iso"]:
        return t.strftime("%Y-%m-%dT%H:%M:%S,") + ms(t)
    return t.strftime("%Y-%m-%d %H:%M:%S,") + ms(t)


def _ansi_tgi(t: datetime, level: str, target: str, msg: str) -> str:
    colour = {"INFO": "32m", "WARN": "33m", "ERROR": "31m", "DEBUG": "34m"}.get(level, "32m")
    lv = {"INFO": " INFO", "WARN": " WARN", "ERROR": "ERROR", "DEBUG": "DEBUG"}.get(level, " INFO")
    ts = t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    head = f"#033[2m{ts}#033[0m #033[{colour}{lv}#033[0m "
    cut = target.rfind(": text_generation")
    if cut < 0 and ": " in target:
        cut = target.index(": ")
    if cut >= 0:  # span prefix like "shard-manager: text_generation_launcher"
        head += f"#033[1m{target[:cut]}#033[0m: "
        target = target[cut + 2 :]
    return f"{head}#033[2m{target}#033[0m#033[2m:#033[0m {msg}"


def _tgi_kv_ansi(msg: str) -> str:
    """TGI prints trailing span fields (``rank=0``) dimmed/italic when colours are on."""
    if msg.endswith(("rank=0", "rank=1", "rank=2", "rank=3", "rank=4", "rank=5", "rank=6", "rank=7")):
        k, v = msg.rsplit(" ", 1)[1].split("=")
        return msg[: -len(k) - len(v) - 1] + f"#033[2m#033[3m{k}#033[0m#033[2m=#033[0m{v}#033[0m"
    return msg


# ---------------------------------------------------------------------------
# rendering
# ---------------------------------------------------------------------------
def java_logger(sc: Scene, thread: str, cls: str) -> str:
    """``<thread> <fully.qualified.Class>`` for the TorchServe/MMS frontends.

    ``thread`` may be ``W`` (the worker thread), ``main``, ``epoll`` or ``pool``.
    """
    if thread == "W":
        thread = sc.worker
    elif thread == "epoll":
        thread = f"epollEventLoopGroup-{sc.rng.choice((3, 4, 5))}-{sc.rng.randint(1, 8)}"
    elif thread == "pool":
        thread = f"pool-{sc.rng.choice((1, 2, 3))}-thread-{sc.rng.randint(1, 24)}"
    pkg = str(sc.style["jpkg"])
    sub = JAVA_SUBPKG.get(cls, "wlm")
    return f"{thread} {pkg}.{sub + '.' if sub else ''}{cls}"


def access_fields(ev: Ev) -> tuple[str, str, int, int]:
    method, path, status, size = ev.lines[0].split(" ")
    return method, path, int(status), int(size)


def render_access(sc: Scene, ev: Ev, t: datetime) -> str:
    """An access-log line in the stack's own access format."""
    method, path, status, size = access_fields(ev)
    ip = str(sc.style["ip"])
    port = sc.rng.randint(32768, 60999)
    stack, fl = sc.stack, sc.flavour
    if stack in ("torchserve", "hf_mms"):
        thread = f"pool-{sc.rng.choice((1, 2))}-thread-{sc.rng.randint(1, 12)}"
        return (
            f'{_ts_torch(sc, t)} [INFO ] {thread} ACCESS_LOG - /{ip}:{port} "{method} {path} HTTP/1.1" {status} {size}'
        )
    if stack == "vllm" or (stack == "byoc" and fl == "fastapi_uvicorn"):
        phrase = {
            200: "OK",
            400: "Bad Request",
            404: "Not Found",
            415: "Unsupported Media Type",
            422: "Unprocessable Entity",
            500: "Internal Server Error",
            503: "Service Unavailable",
            429: "Too Many Requests",
            424: "Failed Dependency",
            502: "Bad Gateway",
            504: "Gateway Timeout",
        }.get(status, "")
        return f'INFO:     {ip}:{port} - "{method} {path} HTTP/1.1" {status} {phrase}'
    if stack == "byoc" and fl == "flask_dev":
        return f'{ip} - - [{t.strftime("%d/%b/%Y %H:%M:%S")}] "{method} {path} HTTP/1.1" {status} -'
    if stack == "djl_lmi":
        return f'{t.strftime("%Y-%m-%d %H:%M:%S")} {ip}:{port} "{method} {path} HTTP/1.1" {status} {size}'
    ua = "AHC/2.0" if path in ("/ping", "/invocations") else "-"
    return f'{ip} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "{method} {path} HTTP/1.1" {status} {size} "-" "{ua}"'


def prefix(sc: Scene, ev: Ev, t: datetime) -> str:
    """The stack's prefix for a line written by ``ev.src`` at time ``t``."""
    src, lv, lg, st = ev.src, ev.level, ev.logger, sc.stack
    if src == "raw":
        return ""
    if src == "flask":  # Flask's default handler: "[2023-05-01 10:00:00,123] ERROR in app: ..."
        return f"[{t.strftime('%Y-%m-%d %H:%M:%S,')}{ms(t)}] {LEVELS_PY.get(lv, 'ERROR')} in {lg or 'app'}: "
    if st in ("torchserve", "hf_mms"):
        ts = _ts_torch(sc, t)
        if src in ("worker", "worker_err", "py"):
            err = src == "worker_err"
            if st == "hf_mms" or sc.style["old_ts_logger"]:
                cls = f"{sc.style['jpkg']}.wlm.WorkerLifeCycle"
                return f"{ts} {'[WARN ]' if err and st == 'torchserve' else '[INFO ]'} {sc.worker}-{'stderr' if err else 'stdout'} {cls} - "
            return f"{ts} {'[WARN ]' if err else '[INFO ]'} {sc.worker}-{'stderr' if err else 'stdout'} MODEL_LOG - "
        return f"{ts} {LEVELS_TS.get(lv, '[INFO ]')} {lg or java_logger(sc, 'main', 'ModelServer')} - "
    if st == "djl_lmi":
        bracket = sc.flavour == "bracket"
        if src in ("worker", "worker_err", "py"):
            err = src == "worker_err" or lv in ("WARN", "ERROR")
            name = f"{sc.worker}-{'stderr' if err else 'stdout'}"
            lvl = "WARN" if err else "INFO"
            return f"[{lvl:<5}] PyProcess - {name}: " if bracket else f"{lvl:<5} PyProcess {name}: "
        lvl = {"CRITICAL": "ERROR", "FATAL": "ERROR"}.get(lv, lv)
        return f"[{lvl:<5}] {lg or 'ModelServer'} - " if bracket else f"{lvl:<5} {lg or 'ModelServer'} "
    if st == "tgi":
        target = lg or "text_generation_launcher"
        if sc.flavour == "ansi":
            return _ansi_tgi(t, lv, target, "")
        lvl = {"INFO": " INFO", "WARN": " WARN", "ERROR": "ERROR", "DEBUG": "DEBUG"}.get(lv, "ERROR")
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S.%fZ')} {lvl} {target}: "
    if st == "triton":
        if src in ("worker", "worker_err"):
            return ""
        return f"{LEVELS_GLOG.get(lv, 'I')}{t.strftime('%m%d %H:%M:%S.%f')} {sc.pid if sc.pid < 100 else 1} {lg or 'server.cc:606'}] "
    if st == "tfserving":
        if src == "fe":
            return f"{t.strftime('%Y-%m-%d %H:%M:%S.%f')}: {LEVELS_GLOG.get(lv, 'I')} {lg or 'tensorflow_serving/model_servers/server.cc:89'}] "
        if src == "py":
            return f"{LEVELS_PY.get(lv, 'INFO')}:{lg or '__main__'}:"
        if src == "gunicorn":
            return f"[{t.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{lg or sc.pid}] {LEVELS_GUNICORN.get(lv, '[INFO]')} "
        if src == "nginx":
            npid = sc.style["nginx_pid"]
            return f"{t.strftime('%Y/%m/%d %H:%M:%S')} [{lv.lower() if lv != 'WARN' else 'warn'}] {npid}#{npid}: *{sc.rng.randint(1, 900)} "
        return ""
    if st == "vllm":
        if src in ("worker", "worker_err", "fe", "py"):
            lvl = LEVELS_PY.get(lv, "INFO")
            where = lg or "api_server.py:712"
            head = f"{lvl} {t.strftime('%m-%d %H:%M:%S')} "
            head += f"[{where}] " if sc.flavour == "v1" else f"{where}] "
            if src in ("worker", "worker_err") and sc.flavour == "v0" and "rank" not in where:
                return f"(VllmWorkerProcess pid={sc.pid + 200}) " + head
            return head
        return ""
    # sklearn, xgboost, byoc: gunicorn + nginx + python glue
    if src == "gunicorn" or src == "fe":
        if st == "byoc" and sc.flavour == "fastapi_uvicorn":
            return f"{LEVELS_PY.get(lv, 'INFO')}:     "
        if st == "byoc" and sc.flavour == "flask_dev":
            return ""
        return f"[{t.strftime('%Y-%m-%d %H:%M:%S')} +0000] [{lg or sc.pid}] {LEVELS_GUNICORN.get(lv, '[INFO]')} "
    if src == "nginx":
        npid = sc.style["nginx_pid"]
        return f"{t.strftime('%Y/%m/%d %H:%M:%S')} [{lv.lower() if lv != 'WARN' else 'warn'}] {npid}#{npid}: *{sc.rng.randint(1, 900)} "
    if src == "py":
        if st == "xgboost" and sc.flavour == "algorithm":
            return f"[{t.strftime('%Y-%m-%d:%H:%M:%S')}:{LEVELS_PY.get(lv, 'INFO')}] "
        if st == "byoc":
            return f"{t.strftime('%Y-%m-%d %H:%M:%S,')}{ms(t)} - {lg or 'app'} - {LEVELS_PY.get(lv, 'INFO')} - "
        return (
            f"{t.strftime('%Y-%m-%d %H:%M:%S,')}{ms(t)} {LEVELS_PY.get(lv, 'INFO')} - {lg or 'sagemaker-containers'} - "
        )
    return ""


def cont_prefix(sc: Scene, ev: Ev, t: datetime) -> str:
    """Prefix for the 2nd+ line of a block when every line is its own event.

    Stacks that route worker output through a logger repeat the full prefix on
    every line (TorchServe MODEL_LOG, DJL PyProcess, vLLM); stacks that print
    the traceback straight to stderr repeat nothing.
    """
    if ev.src in ("worker", "worker_err", "py") and sc.stack in ("torchserve", "hf_mms", "djl_lmi", "vllm"):
        return prefix(sc, ev, t)
    if ev.src == "fe" and sc.stack == "vllm":
        return prefix(sc, ev, t)
    return ""


def render_line(sc: Scene, ev: Ev, idx: int, t: datetime) -> str:
    """One fully formatted line of ``ev`` (used when blocks are split per line)."""
    text = ev.lines[idx]
    if ev.src == "access":
        return render_access(sc, ev, t)
    if idx == 0:
        if sc.stack == "tgi" and sc.flavour == "ansi" and ev.src != "raw":
            return _ansi_tgi(t, ev.level, ev.logger or "text_generation_launcher", _tgi_kv_ansi(text))
        return prefix(sc, ev, t) + text
    return cont_prefix(sc, ev, t) + text


def joinable(sc: Scene, ev: Ev) -> bool:
    """Whether a block can reach CloudWatch as a single multi-line event.

    Worker output relayed line by line through a frontend logger (TorchServe,
    MMS, DJL, vLLM) always arrives one line per event; raw stderr tracebacks,
    Java stack traces and TGI's re-logged shard errors may arrive whole.
    """
    return ev.block and not (
        ev.src in ("worker", "worker_err", "py") and sc.stack in ("torchserve", "hf_mms", "djl_lmi", "vllm")
    )


def render_block(sc: Scene, ev: Ev, t: datetime) -> str:
    """The whole block as one CloudWatch event (newline-joined)."""
    return "\n".join([render_line(sc, ev, 0, t)] + ev.lines[1:])
