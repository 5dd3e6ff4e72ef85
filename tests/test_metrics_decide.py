"""When the logs only say that something died or timed out, the metrics decide.

Each pair of windows shares its log lines exactly and differs only in the
instance metrics: with memory or CPU pinned the answer is resource
exhaustion; with the endpoint calm it must be something else.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from classifier.incident import Context, Incident, LogEvent, MetricSeries
from classifier.triage import triage_window

T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
STREAM = "AllTraffic/i-0a1b2c3d4e5f60718"
MINUTES = 30

AMBIGUOUS = {
    "gunicorn worker timeout": [
        "[2026-11-02 03:20:01 +0000] [9] [CRITICAL] WORKER TIMEOUT (pid:42)",
        "[2026-11-02 03:20:01 +0000] [42] [INFO] Worker exiting (pid: 42)",
        "[2026-11-02 03:20:02 +0000] [51] [INFO] Booting worker with pid: 51",
    ],
    "nginx upstream timed out": [
        "2026/11/02 03:20:01 [error] 11#11: *2071 upstream timed out (110: Connection timed out) while reading "
        'response header from upstream, client: 10.32.0.2, server: , request: "POST /invocations HTTP/1.1", '
        'upstream: "http://unix:/tmp/gunicorn.sock/invocations", host: "model.aws.local:8080"',
        '10.32.0.2 - - [02/Nov/2026:03:20:01 +0000] "POST /invocations HTTP/1.1" 504 176 "-" "AHC/2.0"',
    ],
    "torchserve worker did not respond": [
        "2026-11-02T03:20:01,120 [ERROR] W-9000-model_1.0 org.pytorch.serve.wlm.WorkerThread - Number or consecutive "
        "unsuccessful inference 1",
        "2026-11-02T03:20:01,121 [ERROR] W-9000-model_1.0 org.pytorch.serve.wlm.WorkerThread - Backend worker error",
        "org.pytorch.serve.wlm.WorkerInitializationException: Backend worker did not respond in given time",
        "2026-11-02T03:20:01,125 [INFO ] W-9000-model_1.0 org.pytorch.serve.wlm.WorkerThread - Retry worker: 9000 in 1 "
        "seconds.",
    ],
    "worker process died": [
        "2026-11-02T03:20:01,120 [INFO ] W-9000-model_1.0-stdout MODEL_LOG - Backend worker process died.",
        "2026-11-02T03:20:01,121 [INFO ] epollEventLoopGroup-5-1 org.pytorch.serve.wlm.WorkerThread - 9000 Worker "
        "disconnected. WORKER_MODEL_LOADED",
        "2026-11-02T03:20:01,125 [WARN ] W-9000-model_1.0 org.pytorch.serve.wlm.BatchAggregator - Load model failed: "
        "model, error: Worker died.",
    ],
    "5xx replies and resets": [
        '10.32.0.2 - - [02/Nov/2026:03:20:01 +0000] "POST /invocations HTTP/1.1" 502 166 "-" "AHC/2.0"',
        "2026/11/02 03:20:01 [error] 11#11: *2071 recv() failed (104: Connection reset by peer) while reading "
        'response header from upstream, client: 10.32.0.2, request: "POST /invocations HTTP/1.1"',
        '10.32.0.2 - - [02/Nov/2026:03:20:03 +0000] "POST /invocations HTTP/1.1" 502 166 "-" "AHC/2.0"',
    ],
}


def window(lines: list[str], memory: list[float], cpu: list[float]) -> Incident:
    at = T0 + timedelta(minutes=20)
    healthy = [
        LogEvent(
            f'10.32.0.2 - - [02/Nov/2026:03:{m:02d}:{s:02d} +0000] "GET /ping HTTP/1.1" 200 0 "-" "AHC/2.0"',
            T0 + timedelta(minutes=m, seconds=s),
            STREAM,
        )
        for m in range(MINUTES)
        for s in range(0, 60, 5)
    ]
    failing = [LogEvent(text, at + timedelta(milliseconds=5 * k), STREAM) for k, text in enumerate(lines)]
    stamps = tuple(T0 + timedelta(minutes=m) for m in range(MINUTES))
    return Incident(
        logs=sorted(healthy + failing, key=lambda e: e.timestamp),
        endpoint="ep",
        variant="AllTraffic",
        start=T0,
        end=T0 + timedelta(minutes=MINUTES),
        context=Context(status="InService", instance_type="ml.m5.xlarge", instance_count=1),
        metrics={
            "MemoryUtilization": MetricSeries(stamps, tuple(memory)),
            "CPUUtilization": MetricSeries(stamps, tuple(cpu)),
        },
    )


def climbing(start: float, top: float) -> list[float]:
    """Flat, then a climb to `top` in the ten minutes before the failure at minute 20, then pinned there."""
    return [start if m < 10 else min(top, start + (top - start) * (m - 10) / 10) for m in range(MINUTES)]


SATURATED = {"memory": (climbing(45, 98.5), climbing(40, 120)), "cpu": (climbing(30, 55), climbing(60, 396))}
CALM = (climbing(24, 27), climbing(40, 55))


def answer(model, incident: Incident) -> str:
    found = triage_window(model, incident)
    assert found, "the failing lines must make an episode whatever the metrics say"
    return max(found, key=lambda pair: pair[1].confidence)[1].best_guess


@pytest.mark.parametrize("logs", sorted(AMBIGUOUS))
@pytest.mark.parametrize("pinned", sorted(SATURATED))
def test_pinned_memory_or_cpu_makes_it_resource_exhaustion(model, logs, pinned):
    memory, cpu = SATURATED[pinned]
    assert answer(model, window(AMBIGUOUS[logs], memory, cpu)) == "resource_exhaustion"


@pytest.mark.parametrize("logs", sorted(AMBIGUOUS))
def test_the_same_lines_on_a_calm_endpoint_are_not_resource_exhaustion(model, logs):
    assert answer(model, window(AMBIGUOUS[logs], *CALM)) != "resource_exhaustion"
