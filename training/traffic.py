"""Healthy traffic around a failure, in each serving stack's own log format.

A real case is a handful of lines someone pasted; on a live endpoint those
lines arrive amid half an hour of health checks and requests. This module
writes that background: SageMaker calls `GET /ping` every few seconds and
each stack logs it its own way (nginx in front of the SageMaker framework
containers and most custom containers, TorchServe/MMS `ACCESS_LOG`, uvicorn
for vLLM and FastAPI servers, TGI's router that logs requests but not pings).

The formats are written here by hand from real logs, apart from the
generator's, so a model trained on generated windows is not measured on its
own generator's traffic.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

# the SageMaker health checker's addresses and user agent as real access logs show them
_CALLERS = ("10.32.0.2", "10.0.237.51", "169.254.178.2", "169.254.255.130")


def _nginx(t: datetime, rng: random.Random, path: str, status: int) -> str:
    size = 0 if path == "/ping" else rng.randint(20, 3000)
    return (
        f'{rng.choice(_CALLERS)} - - [{t:%d/%b/%Y:%H:%M:%S} +0000] "{"GET" if path == "/ping" else "POST"} '
        f'{path} HTTP/1.1" {status} {size} "-" "AHC/2.0"'
    )


def _java_access(t: datetime, rng: random.Random, path: str, status: int) -> str:
    """TorchServe's and MMS's ACCESS_LOG logger."""
    method = "GET" if path == "/ping" else "POST"
    return (
        f"{t:%Y-%m-%dT%H:%M:%S},{t.microsecond // 1000:03d} [INFO ] pool-{rng.choice((2, 3))}-thread-"
        f"{rng.randint(1, 9)} ACCESS_LOG - /{rng.choice(_CALLERS)}:{rng.randint(32768, 60999)} "
        f'"{method} {path} HTTP/1.1" {status} {rng.randint(0, 30) if path == "/ping" else rng.randint(5, 900)}'
    )


def _uvicorn(t: datetime, rng: random.Random, path: str, status: int) -> str:
    method = "GET" if path == "/ping" else "POST"
    return f'INFO:     {rng.choice(_CALLERS)}:{rng.randint(32768, 60999)} - "{method} {path} HTTP/1.1" {status} OK'


def _tgi(t: datetime, rng: random.Random, path: str, status: int) -> str | None:
    if path == "/ping":
        return None  # TGI's router does not log health checks
    total = rng.uniform(0.3, 9.0)
    return (
        f"{t:%Y-%m-%dT%H:%M:%S}.{t.microsecond:06d}Z  INFO compat_generate{{default_return_full_text=false}}:"
        f'generate{{total_time="{total:.3f}s" validation_time="{rng.uniform(0.2, 2):.2f}ms" '
        f'queue_time="{rng.randint(40, 900)}µs" inference_time="{total:.3f}s"}}: '
        "text_generation_router::server: router/src/server.rs:305: Success"
    )


def _djl(t: datetime, rng: random.Random, path: str, status: int) -> str:
    method = "GET" if path == "/ping" else "POST"
    return (
        f'INFO  ACCESS_LOG /{rng.choice(_CALLERS)}:{rng.randint(32768, 60999)} "{method} {path} HTTP/1.1" '
        f"{status} {rng.randint(1, 900)}"
    )


def _glog(t: datetime, rng: random.Random, path: str, status: int) -> str | None:
    if path == "/ping":
        return None  # Triton logs nothing per health check unless verbose
    return (
        f"I{t:%m%d %H:%M:%S}.{t.microsecond:06d} {rng.randint(1, 300)} http_server.cc:4330] "
        f"HTTP request: 2 /v2/models/model/infer"
    )


FORMATS: dict[str, Callable[[datetime, random.Random, str, int], str | None]] = {
    "sklearn": _nginx,
    "xgboost": _nginx,
    "tensorflow": _nginx,
    "byoc": _nginx,
    "other": _nginx,
    "pytorch": _java_access,
    "torchserve": _java_access,
    "mms": _java_access,
    "huggingface": _java_access,
    "vllm": _uvicorn,
    "tgi": _tgi,
    "djl": _djl,
    "triton": _glog,
    "tfserving": _glog,
}


def healthy_lines(
    family: str | None,
    start: datetime,
    end: datetime,
    rng: random.Random,
    *,
    ping_every: float = 5.0,
    requests_per_minute: float = 2.0,
) -> list[tuple[datetime, str]]:
    """(time, message) of the health checks and successful requests between `start` and `end`."""
    fmt = FORMATS.get(family or "other", _nginx)
    out: list[tuple[datetime, str]] = []
    t = start + timedelta(seconds=rng.uniform(0, ping_every))
    while t < end:
        msg = fmt(t, rng, "/ping", 200)
        if msg is not None:
            out.append((t, msg))
        t += timedelta(seconds=ping_every * rng.uniform(0.9, 1.1))
    minutes = (end - start).total_seconds() / 60
    for _ in range(int(minutes * requests_per_minute)):
        at = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))
        msg = fmt(at, rng, "/invocations", 200)
        if msg is not None:
            out.append((at, msg))
    out.sort(key=lambda x: x[0])
    return out
