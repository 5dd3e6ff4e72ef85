"""Build the demo's sample incidents (data/samples/incidents.jsonl).

Nine hand-written stories, one CloudWatch window each, written the way the
serving stacks really log (nginx/gunicorn access and error lines, TorchServe
MODEL_LOG, the Hugging Face toolkit on MMS, the TGI launcher):

  fraud-detector-prod   scikit-learn + gunicorn, memory climbs, workers SIGKILLed   -> resource_exhaustion
  sentiment-hf-staging  HF toolkit, client sends text/csv, 415s                      -> configuration_error
  recsys-ranker         TorchServe, predict_fn shape bug after a feature change      -> model_bug
  llm-chat-tgi          TGI sharded over 4 GPUs on a 1-GPU instance, endpoint Failed -> configuration_error
  churn-xgb-prod        XGBoost, healthy traffic                                     -> no failure

and one endpoint of each hosting kind that is not plain real-time:

  thumbnails-serverless serverless (2048 MB), workers SIGKILLed as memory fills      -> resource_exhaustion
  docs-embed-async      async, CPU pinned, workers time out, the backlog grows       -> resource_exhaustion
  catalog-mme           multi-model, memory full, ModelCacheHit falls as models load -> resource_exhaustion
  forecast-batch-v2     Failed before its container logged a line (model.tar.gz gone) -> configuration_error

Deterministic (fixed seed); rerun with `python data/samples/make_samples.py`.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

OUT = Path(__file__).with_name("incidents.jsonl")
T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def clf(t: datetime) -> str:
    return t.strftime("%d/%b/%Y:%H:%M:%S +0000")


def minutes(n: int) -> list[str]:
    return [iso(T0 + timedelta(minutes=i)) for i in range(n)]


def nginx_access(t: datetime, path: str, status: int, size: int) -> str:
    method = "GET" if path == "/ping" else "POST"
    return f'10.32.0.2 - - [{clf(t)}] "{method} {path} HTTP/1.1" {status} {size} "-" "AHC/2.0"'


def fraud(rng: random.Random) -> dict:
    stream = "AllTraffic/i-0f3a9c41d27b85e16"
    logs = []
    for line in (
        "Starting gunicorn 20.1.0",
        "Listening at: unix:/tmp/gunicorn.sock (12)",
        "Using worker: gevent",
        "Booting worker with pid: 21",
        "Booting worker with pid: 22",
    ):
        logs.append((T0, f"[{T0:%Y-%m-%d %H:%M:%S} +0000] [12] [INFO] {line}"))
    t = T0 + timedelta(seconds=20)
    pid = 23
    while t < T0 + timedelta(minutes=30):
        minute = (t - T0).seconds // 60
        if rng.random() < 0.2:
            logs.append((t, nginx_access(t, "/ping", 200, 1)))
        failing = minute >= 21 and rng.random() < min(0.6, (minute - 20) * 0.08)
        logs.append((t, nginx_access(t, "/invocations", 502 if failing else 200, 157 if failing else 38)))
        if failing and rng.random() < 0.35:
            logs.append(
                (
                    t,
                    f"{t:%Y/%m/%d %H:%M:%S} [error] 14#14: *{rng.randint(900, 9999)} upstream prematurely "
                    "closed connection while reading response header from upstream, client: 10.32.0.2, "
                    'server: , request: "POST /invocations HTTP/1.1", upstream: '
                    '"http://unix:/tmp/gunicorn.sock:/invocations", host: "model.aws.local:8080"',
                )
            )
        if minute >= 21 and rng.random() < 0.06:
            logs.append(
                (
                    t,
                    f"[{t:%Y-%m-%d %H:%M:%S} +0000] [12] [ERROR] Worker (pid:{pid - 2}) was sent SIGKILL! "
                    "Perhaps out of memory?",
                )
            )
            logs.append((t, f"[{t:%Y-%m-%d %H:%M:%S} +0000] [{pid}] [INFO] Booting worker with pid: {pid}"))
            pid += 1
        t += timedelta(seconds=rng.randint(4, 9))
    mem = [round(min(99.4, 46 + 0.1 * i * i + rng.uniform(-1, 1)), 1) for i in range(30)]
    inv = [rng.randint(540, 620) for _ in range(30)]
    err5 = [0] * 21 + [rng.randint(4, 12) * (i - 20) for i in range(21, 30)]
    lat = [rng.uniform(38e3, 46e3) if i < 18 else rng.uniform(38e3, 46e3) * (1 + (i - 17) * 0.9) for i in range(30)]
    return {
        "id": "fraud-detector-prod-sample",
        "endpoint": "fraud-detector-prod",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=30)),
        "context": {
            "status": "InService",
            "failure_reason": None,
            "instance_type": "ml.m5.large",
            "instance_count": 1,
            "image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        },
        "logs": [{"timestamp": iso(ts), "stream": stream, "message": m} for ts, m in logs],
        "metrics": {
            "MemoryUtilization": {"timestamps": minutes(30), "values": mem},
            "CPUUtilization": {
                "timestamps": minutes(30),
                "values": [round(rng.uniform(70, 120), 1) for _ in range(30)],
            },
            "Invocations": {"timestamps": minutes(30), "values": inv},
            "Invocation5XXErrors": {"timestamps": minutes(30), "values": err5},
            "Invocation4XXErrors": {"timestamps": minutes(30), "values": [0] * 30},
            "ModelLatency": {"timestamps": minutes(30), "values": [round(v) for v in lat]},
        },
        "label": "resource_exhaustion",
    }


def sentiment(rng: random.Random) -> dict:
    stream = "AllTraffic/i-07c2e5d8a1b3f9046"
    logs = []
    start = [
        "Warning: MMS is using non-default JVM parameters: -XX:-UseContainerSupport",
        "Model server started.",
        "[INFO ] main com.amazonaws.ml.mms.ModelServer - Initialize Inference server with: EpollServerSocketChannel.",
        "[INFO ] W-9000-model-stdout com.amazonaws.ml.mms.wlm.WorkerLifeCycle - Model model loaded io_fd=0242acfffe110002-00000017",
        "[INFO ] main com.amazonaws.ml.mms.ModelServer - Inference API bind to: http://0.0.0.0:8080",
    ]
    for i, line in enumerate(start):
        logs.append(
            (T0 + timedelta(seconds=i), f"{T0 + timedelta(seconds=i):%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)} {line}")
        )
    t = T0 + timedelta(seconds=30)
    while t < T0 + timedelta(minutes=20):
        ms = f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)}"
        if rng.random() < 0.3:
            logs.append((t, f'{ms} [INFO ] pool-1-thread-3 ACCESS_LOG - /10.32.0.2:51412 "GET /ping HTTP/1.1" 200 0'))
        if t >= T0 + timedelta(minutes=9) and rng.random() < 0.7:
            logs.append(
                (
                    t,
                    f"{ms} [INFO ] W-9000-model-stdout com.amazonaws.ml.mms.wlm.WorkerLifeCycle - "
                    "mms.service.PredictionException: Content type text/csv is not supported by this "
                    "framework.\n\n            Please make sure the Content-Type header is one of "
                    "application/json, text/plain. : 415",
                )
            )
            logs.append(
                (t, f'{ms} [INFO ] W-9000-model ACCESS_LOG - /10.32.0.2:51412 "POST /invocations HTTP/1.1" 415 3')
            )
        else:
            logs.append(
                (
                    t,
                    f"{ms} [INFO ] W-9000-model-stdout com.amazonaws.ml.mms.wlm.WorkerLifeCycle - "
                    f"Preprocess time - {rng.uniform(0.1, 0.4):.3f} ms",
                )
            )
            logs.append(
                (
                    t,
                    f'{ms} [INFO ] W-9000-model ACCESS_LOG - /10.32.0.2:51412 "POST /invocations HTTP/1.1" 200 {rng.randint(40, 60)}',
                )
            )
        t += timedelta(seconds=rng.randint(5, 12))
    inv = [rng.randint(8, 14) for _ in range(20)]
    err4 = [0] * 9 + [max(1, v - rng.randint(2, 4)) for v in inv[9:]]
    return {
        "id": "sentiment-hf-staging-sample",
        "endpoint": "sentiment-hf-staging",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=20)),
        "context": {
            "status": "InService",
            "failure_reason": None,
            "instance_type": "ml.g4dn.xlarge",
            "instance_count": 1,
            "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
            "2.1.0-transformers4.37.0-gpu-py310-cu118-ubuntu20.04",
        },
        "logs": [{"timestamp": iso(ts), "stream": stream, "message": m} for ts, m in logs],
        "metrics": {
            "Invocations": {"timestamps": minutes(20), "values": inv},
            "Invocation4XXErrors": {"timestamps": minutes(20), "values": err4},
            "Invocation5XXErrors": {"timestamps": minutes(20), "values": [0] * 20},
            "ModelLatency": {"timestamps": minutes(20), "values": [rng.randint(18000, 26000) for _ in range(20)]},
            "GPUMemoryUtilization": {
                "timestamps": minutes(20),
                "values": [round(rng.uniform(8, 9), 1) for _ in range(20)],
            },
            "MemoryUtilization": {
                "timestamps": minutes(20),
                "values": [round(rng.uniform(21, 23), 1) for _ in range(20)],
            },
        },
        "label": "configuration_error",
    }


def recsys(rng: random.Random) -> dict:
    streams = ["AllTraffic/i-0b8e1d2c3a4f56789", "AllTraffic/i-0c9f2e3d4b5a67890"]
    logs = []
    for s in streams:
        for i, line in enumerate(
            (
                "[INFO ] main org.pytorch.serve.servingsdk.impl.PluginsManager - Initializing plugins manager...",
                "[INFO ] main org.pytorch.serve.ModelServer - Torchserve version: 0.8.2",
                "[INFO ] main org.pytorch.serve.ModelServer - Inference address: http://0.0.0.0:8080",
                "[INFO ] W-9000-model_1.0-stdout MODEL_LOG - Torch worker started.",
                "[INFO ] W-9000-model_1.0 org.pytorch.serve.wlm.WorkerThread - Backend response time: 2310",
            )
        ):
            t = T0 + timedelta(seconds=i)
            logs.append((t, s, f"{t:%Y-%m-%dT%H:%M:%S},{rng.randint(100, 999)} {line}"))
    t = T0 + timedelta(seconds=20)
    while t < T0 + timedelta(minutes=25):
        s = rng.choice(streams)
        stamp = f"{t:%Y-%m-%dT%H:%M:%S},{rng.randint(100, 999)}"
        broken = t >= T0 + timedelta(minutes=12) and rng.random() < 0.4
        if broken:
            frames = [
                "Traceback (most recent call last):",
                '  File "/opt/conda/lib/python3.10/site-packages/ts/service.py", line 120, in predict',
                "    ret = self._entry_point(input_batch, self.context)",
                '  File "/opt/conda/lib/python3.10/site-packages/sagemaker_pytorch_serving_container/handler_service.py", line 51, in handle',
                "    return self._service.transform(data, context)",
                '  File "/opt/conda/lib/python3.10/site-packages/sagemaker_inference/transformer.py", line 136, in transform',
                "    result = self._run_handler_function(self._transform_fn, *(self._model, input_data, content_type, accept))",
                '  File "/opt/ml/model/code/inference.py", line 57, in predict_fn',
                "    scores = model.ranker(torch.cat([user_vec, item_vec], dim=1))",
                '  File "/opt/conda/lib/python3.10/site-packages/torch/nn/modules/linear.py", line 114, in forward',
                "    return F.linear(input, self.weight, self.bias)",
                "RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x96 and 128x64)",
            ]
            for f in frames:
                logs.append((t, s, f"{stamp} [INFO ] W-9000-model_1.0-stdout MODEL_LOG - {f}"))
            logs.append(
                (
                    t,
                    s,
                    f'{stamp} [INFO ] W-9000-model_1.0 ACCESS_LOG - /10.32.0.2:40112 "POST /invocations HTTP/1.1" 500 {rng.randint(20, 40)}',
                )
            )
        else:
            logs.append(
                (
                    t,
                    s,
                    f"{stamp} [INFO ] W-9000-model_1.0 org.pytorch.serve.wlm.WorkerThread - Backend response time: {rng.randint(8, 20)}",
                )
            )
            logs.append(
                (
                    t,
                    s,
                    f'{stamp} [INFO ] W-9000-model_1.0 ACCESS_LOG - /10.32.0.2:40112 "POST /invocations HTTP/1.1" 200 {rng.randint(20, 40)}',
                )
            )
        if rng.random() < 0.2:
            logs.append(
                (t, s, f'{stamp} [INFO ] pool-2-thread-7 ACCESS_LOG - /10.32.0.2:40110 "GET /ping HTTP/1.1" 200 1')
            )
        t += timedelta(seconds=rng.randint(3, 8))
    inv = [rng.randint(90, 120) for _ in range(25)]
    err5 = [0] * 12 + [round(v * rng.uniform(0.35, 0.45)) for v in inv[12:]]
    return {
        "id": "recsys-ranker-sample",
        "endpoint": "recsys-ranker",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=25)),
        "context": {
            "status": "InService",
            "failure_reason": None,
            "instance_type": "ml.c5.2xlarge",
            "instance_count": 2,
            "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.0.1-cpu-py310",
        },
        "logs": [{"timestamp": iso(ts), "stream": s, "message": m} for ts, s, m in sorted(logs, key=lambda x: x[0])],
        "metrics": {
            "Invocations": {"timestamps": minutes(25), "values": inv},
            "Invocation5XXErrors": {"timestamps": minutes(25), "values": err5},
            "Invocation4XXErrors": {"timestamps": minutes(25), "values": [0] * 25},
            "ModelLatency": {"timestamps": minutes(25), "values": [rng.randint(9000, 15000) for _ in range(25)]},
            "CPUUtilization": {"timestamps": minutes(25), "values": [round(rng.uniform(60, 90), 1) for _ in range(25)]},
            "MemoryUtilization": {
                "timestamps": minutes(25),
                "values": [round(rng.uniform(30, 33), 1) for _ in range(25)],
            },
        },
        "label": "model_bug",
    }


def tgi(rng: random.Random) -> dict:
    stream = "AllTraffic/i-0d1e2f3a4b5c6d7e8"
    lines = [
        '{"timestamp":"%s","level":"INFO","fields":{"message":"Args { model_id: \\"/opt/ml/model\\", revision: None, '
        "validation_workers: 2, sharded: None, num_shard: Some(4), quantize: None, max_input_length: 1024, "
        'max_total_tokens: 2048, port: 8080, master_port: 29500, json_output: true }"},"target":"text_generation_launcher"}',
        '{"timestamp":"%s","level":"INFO","fields":{"message":"Sharding model on 4 processes"},"target":"text_generation_launcher"}',
        '{"timestamp":"%s","level":"INFO","fields":{"message":"Starting shard"},"target":"text_generation_launcher","span":{"rank":0,"name":"shard-manager"}}',
        '{"timestamp":"%s","level":"INFO","fields":{"message":"Starting shard"},"target":"text_generation_launcher","span":{"rank":1,"name":"shard-manager"}}',
        '{"timestamp":"%s","level":"ERROR","fields":{"message":"Shard 1 failed to start"},"target":"text_generation_launcher"}',
        '{"timestamp":"%s","level":"ERROR","fields":{"message":"Traceback (most recent call last):\\n  File \\"/opt/conda/bin/text-generation-server\\", line 8, in <module>\\n    sys.exit(app())\\n  File \\"/opt/conda/lib/python3.10/site-packages/text_generation_server/utils/dist.py\\", line 52, in initialize_torch_distributed\\n    torch.cuda.set_device(device)\\nRuntimeError: CUDA error: invalid device ordinal\\nCUDA kernel errors might be asynchronously reported at some other API call"},"target":"text_generation_launcher","span":{"rank":1,"name":"shard-manager"}}',
        '{"timestamp":"%s","level":"INFO","fields":{"message":"Shutting down shards"},"target":"text_generation_launcher"}',
        "Error: ShardCannotStart",
    ]
    logs = []
    for i, line in enumerate(lines):
        t = T0 + timedelta(minutes=2, seconds=3 * i)
        logs.append((t, line % iso(t) if "%s" in line else line))
    return {
        "id": "llm-chat-tgi-sample",
        "endpoint": "llm-chat-tgi",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=15)),
        "context": {
            "status": "Failed",
            "failure_reason": "The primary container for production variant AllTraffic did not pass the ping "
            "health check. Please check CloudWatch logs for this endpoint.",
            "instance_type": "ml.g4dn.2xlarge",
            "instance_count": 1,
            "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:"
            "2.1.1-tgi1.4.0-gpu-py310-cu121-ubuntu22.04",
        },
        "logs": [{"timestamp": iso(ts), "stream": stream, "message": m} for ts, m in logs],
        "metrics": {},
        "label": "configuration_error",
    }


def churn(rng: random.Random) -> dict:
    stream = "AllTraffic/i-0e4d3c2b1a0f9e8d7"
    logs = []
    t = T0
    while t < T0 + timedelta(minutes=20):
        if rng.random() < 0.3:
            logs.append((t, nginx_access(t, "/ping", 200, 1)))
        logs.append((t, nginx_access(t, "/invocations", 200, rng.randint(8, 12))))
        t += timedelta(seconds=rng.randint(2, 6))
    return {
        "id": "churn-xgb-prod-sample",
        "endpoint": "churn-xgb-prod",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=20)),
        "context": {
            "status": "InService",
            "failure_reason": None,
            "instance_type": "ml.m5.xlarge",
            "instance_count": 1,
            "image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        },
        "logs": [{"timestamp": iso(ts), "stream": stream, "message": m} for ts, m in logs],
        "metrics": {
            "Invocations": {"timestamps": minutes(20), "values": [rng.randint(200, 260) for _ in range(20)]},
            "Invocation5XXErrors": {"timestamps": minutes(20), "values": [0] * 20},
            "MemoryUtilization": {
                "timestamps": minutes(20),
                "values": [round(rng.uniform(18, 20), 1) for _ in range(20)],
            },
            "CPUUtilization": {"timestamps": minutes(20), "values": [round(rng.uniform(20, 40), 1) for _ in range(20)]},
            "ModelLatency": {"timestamps": minutes(20), "values": [rng.randint(2500, 4000) for _ in range(20)]},
        },
        "label": None,
    }


def _gunicorn(t: datetime, pid: int, level: str, text: str) -> str:
    return f"[{t:%Y-%m-%d %H:%M:%S} +0000] [{pid}] [{level}] {text}"


def serverless(rng: random.Random) -> dict:
    stream = "AllTraffic/a1b2c3d4e5f60718293a4b5c6d7e8f90"
    logs = [
        (T0, _gunicorn(T0, 9, "INFO", "Starting gunicorn 20.1.0")),
        (T0, _gunicorn(T0, 9, "INFO", "Booting worker with pid: 14")),
    ]
    t, pid = T0 + timedelta(seconds=15), 15
    while t < T0 + timedelta(minutes=20):
        minute = (t - T0).seconds // 60
        failing = minute >= 12 and rng.random() < 0.4
        logs.append((t, nginx_access(t, "/invocations", 502 if failing else 200, 157 if failing else 2048)))
        if minute >= 12 and rng.random() < 0.12:
            logs.append(
                (t, _gunicorn(t, 9, "ERROR", f"Worker (pid:{pid - 1}) was sent SIGKILL! Perhaps out of memory?"))
            )
            logs.append((t, _gunicorn(t, pid, "INFO", f"Booting worker with pid: {pid}")))
            pid += 1
        t += timedelta(seconds=rng.randint(5, 12))
    mem = [round(min(99.0, 40 + 0.25 * i * i + rng.uniform(-1, 1)), 1) for i in range(20)]
    return {
        "id": "thumbnails-serverless-sample",
        "endpoint": "thumbnails-serverless",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=20)),
        "context": {
            "status": "InService",
            "image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
            "hosting": "serverless",
            "memory_size_mb": 2048,
            "max_concurrency": 10,
        },
        "logs": [{"timestamp": iso(ts), "stream": stream, "message": m} for ts, m in logs],
        "metrics": {
            "MemoryUtilization": {"timestamps": minutes(20), "values": mem},
            "Invocations": {"timestamps": minutes(20), "values": [rng.randint(80, 110) for _ in range(20)]},
            "Invocation5XXErrors": {
                "timestamps": minutes(20),
                "values": [0] * 12 + [rng.randint(5, 30) for _ in range(8)],
            },
        },
        "label": "resource_exhaustion",
    }


def asynchronous(rng: random.Random) -> dict:
    stream = "AllTraffic/i-0a7b6c5d4e3f2a1b0"
    logs = []
    t, pid = T0, 31
    while t < T0 + timedelta(minutes=25):
        minute = (t - T0).seconds // 60
        if rng.random() < 0.2:
            logs.append((t, nginx_access(t, "/ping", 200, 1)))
        if minute >= 10 and rng.random() < 0.25:
            logs.append(
                (
                    t,
                    f"{t:%Y/%m/%d %H:%M:%S} [error] 11#11: *{rng.randint(900, 9999)} upstream timed out (110: "
                    "Connection timed out) while reading response header from upstream, client: 169.254.178.2, "
                    'server: , request: "POST /invocations HTTP/1.1", upstream: '
                    '"http://unix:/tmp/gunicorn.sock:/invocations", host: "model.aws.local:8080"',
                )
            )
            if rng.random() < 0.5:
                logs.append((t, _gunicorn(t, 12, "CRITICAL", f"WORKER TIMEOUT (pid:{pid})")))
                logs.append((t, _gunicorn(t, pid + 1, "INFO", f"Booting worker with pid: {pid + 1}")))
                pid += 1
        else:
            logs.append((t, nginx_access(t, "/invocations", 200, rng.randint(900, 1100))))
        t += timedelta(seconds=rng.randint(3, 8))
    backlog = [0] * 8 + [round(12 * (i - 7) ** 1.5) for i in range(8, 25)]
    return {
        "id": "docs-embed-async-sample",
        "endpoint": "docs-embed-async",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=25)),
        "context": {
            "status": "InService",
            "instance_type": "ml.c5.xlarge",
            "instance_count": 1,
            "image": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1.0-cpu-py310",
            "hosting": "async",
        },
        "logs": [{"timestamp": iso(ts), "stream": stream, "message": m} for ts, m in logs],
        "metrics": {
            "CPUUtilization": {
                "timestamps": minutes(25),
                "values": [round(rng.uniform(40, 60) if i < 9 else rng.uniform(385, 399), 1) for i in range(25)],
            },
            "MemoryUtilization": {
                "timestamps": minutes(25),
                "values": [round(rng.uniform(30, 40), 1) for _ in range(25)],
            },
            "ApproximateBacklogSize": {"timestamps": minutes(25), "values": backlog},
            "Invocation5XXErrors": {
                "timestamps": minutes(25),
                "values": [0] * 10 + [rng.randint(2, 9) for _ in range(15)],
            },
        },
        "label": "resource_exhaustion",
    }


def multi_model(rng: random.Random) -> dict:
    stream = "AllTraffic/i-0c1d2e3f4a5b6c7d8"
    logs = []
    t = T0
    while t < T0 + timedelta(minutes=30):
        minute = (t - T0).seconds // 60
        ms = f"{t:%Y-%m-%d %H:%M:%S},{rng.randint(100, 999)}"
        model = f"store-{rng.randint(1, 400):03d}"
        logs.append(
            (
                t,
                f'{ms} [INFO ] pool-1-thread-4 ACCESS_LOG - /169.254.178.2:40122 "POST /models/{model}/invoke HTTP/1.1" 200 31',
            )
        )
        if minute >= 15 and rng.random() < 0.3:
            logs.append(
                (
                    t,
                    f"{ms} [INFO ] W-9000-{model} com.amazonaws.ml.mms.wlm.WorkerLifeCycle - Model {model} loaded io_fd=0242acfffe110002-0000{rng.randint(10, 99)}",
                )
            )
        if minute >= 20 and rng.random() < 0.1:
            logs.append(
                (t, f"{ms} [ERROR] W-9000-{model} com.amazonaws.ml.mms.wlm.WorkerThread - Backend worker error")
            )
            logs.append(
                (
                    t,
                    f"{ms} [INFO ] W-9000-{model}-stdout com.amazonaws.ml.mms.wlm.WorkerLifeCycle - MemoryError: Unable to allocate 312. MiB for an array with shape (40960000,) and data type float64",
                )
            )
        t += timedelta(seconds=rng.randint(3, 7))
    hits = [
        round(max(0.15, 0.97 - (0.05 * (i - 14) if i > 14 else 0) + rng.uniform(-0.02, 0.02)), 2) for i in range(30)
    ]
    return {
        "id": "catalog-mme-sample",
        "endpoint": "catalog-mme",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=30)),
        "context": {
            "status": "InService",
            "instance_type": "ml.m5.xlarge",
            "instance_count": 1,
            "image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
            "hosting": "multi-model",
        },
        "logs": [{"timestamp": iso(ts), "stream": stream, "message": m} for ts, m in logs],
        "metrics": {
            "MemoryUtilization": {
                "timestamps": minutes(30),
                "values": [round(min(98.5, 60 + 2.5 * i + rng.uniform(-1, 1)), 1) for i in range(30)],
            },
            "ModelCacheHit": {"timestamps": minutes(30), "values": hits},
            "ModelLoadingTime": {"timestamps": minutes(30), "values": [round(2e5 + 1e5 * (1 - h) * 20) for h in hits]},
        },
        "label": "resource_exhaustion",
    }


def no_logs(rng: random.Random) -> dict:
    return {
        "id": "forecast-batch-v2-sample",
        "endpoint": "forecast-batch-v2",
        "variant": "AllTraffic",
        "start": iso(T0),
        "end": iso(T0 + timedelta(minutes=15)),
        "context": {
            "status": "Failed",
            "failure_reason": 'Failed to download model data for container "container_1" from URL: '
            '"s3://forecast-models-prod/v2/model.tar.gz". Please ensure that there is an object located at the URL '
            "and that the role passed to CreateModel has permissions to download the object.",
            "instance_type": "ml.m5.large",
            "instance_count": 1,
            "image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        },
        "logs": [],
        "metrics": {},
        "label": "configuration_error",
    }


def main() -> None:
    rng = random.Random(20261102)
    records = [fraud(rng), sentiment(rng), recsys(rng), tgi(rng), churn(rng)]
    records += [serverless(rng), asynchronous(rng), multi_model(rng), no_logs(rng)]
    with OUT.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"wrote {len(records)} incidents to {OUT}")


if __name__ == "__main__":
    main()
