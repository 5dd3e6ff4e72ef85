"""Failures whose log lines name only a symptom: the metrics tell the cause.

"WORKER TIMEOUT", "Backend worker process died", "upstream timed out",
"Connection reset by peer" and a run of 502s are what a saturated endpoint,
a handler stuck in a deadlock and a server timeout set too short all print.
These three signatures write the *same* symptom lines on a stack, and differ
only in what the instance metrics do: memory or CPU pinned (resource
exhaustion), a calm endpoint with one core spinning or none busy (a model
bug stuck in its own code), a calm endpoint whose latency sits at the
timeout (a timeout set too low). Trained on them, a model cannot tell the
three apart from the text and has to read the metrics.
"""

from __future__ import annotations

from training import noise
from training.signatures import signature
from training.signatures.common import jl, needs_gunicorn, timeout_client_error
from training.story import BUG, CONFIG, RESOURCE, Ev, Scene, Story, line

STACKS = ("sklearn", "xgboost", "byoc", "tfserving", "torchserve", "hf_mms")


def _symptoms(sc: Scene) -> list[Ev]:
    """Some of what every cause of a stuck or dead worker writes on this stack, and nothing that names the cause."""
    needs_gunicorn(sc)
    st = sc.stack
    if st in ("torchserve", "hf_mms"):
        pool = [
            [
                line(
                    "fe",
                    f"Number or consecutive unsuccessful inference {sc.ri(1, 5)}",
                    "ERROR",
                    jl(sc, "W", "WorkerThread"),
                ),
                line("fe", "Backend worker error", "ERROR", jl(sc, "W", "WorkerThread")),
            ],
            noise.worker_died(sc, loading=False),
            [line("fe", f"Backend response time: {sc.ri(60000, 180000)}", logger=jl(sc, "W", "WorkerThread"))],
            noise.request(sc, sc.pick((500, 503))),
        ]
    else:
        pid = sc.ri(20, 400)
        src = "gunicorn" if st == "tfserving" else "fe"
        pool = [
            [
                line(src, f"WORKER TIMEOUT (pid:{pid})", "CRITICAL"),
                line(src, f"Worker exiting (pid: {pid})"),
                line(src, f"Booting worker with pid: {pid + sc.ri(1, 30)}"),
            ],
            [
                line(
                    "nginx",
                    "upstream timed out (110: Connection timed out) while reading response header from upstream, "
                    f'client: {sc.style["ip"]}, server: , request: "POST /invocations HTTP/1.1", upstream: '
                    f'"http://unix:/tmp/gunicorn.sock/invocations", host: "{sc.style["host"]}:8080"',
                    "ERROR",
                )
            ],
            [
                line(
                    "nginx",
                    "recv() failed (104: Connection reset by peer) while reading response header from upstream, "
                    f'client: {sc.style["ip"]}, server: , request: "POST /invocations HTTP/1.1"',
                    "ERROR",
                )
            ],
            noise.request(sc, sc.pick((502, 504))),
        ]
    picked = sc.sample(pool, sc.ri(1, len(pool)))
    return [ev for group in picked for ev in group]


def _story(sc: Scene, effects: tuple[str, ...]) -> Story:
    ev = _symptoms(sc)
    return Story(
        events=ev,
        again=ev,
        repeats=(1, 6),
        effects=effects + ("err5xx",),
        metric_only=True,
        client_error=timeout_client_error(sc),
    )


@signature("symptom_under_saturation", RESOURCE, STACKS, need="cpu", weight=3.0)
def saturated(sc: Scene) -> Story:
    """Workers stall and die because memory or CPU is exhausted; the lines say only that they stalled."""
    return _story(sc, sc.pick((("mem_climb",), ("cpu_high", "latency_climb"), ("mem_climb", "cpu_high"))))


@signature("symptom_of_stuck_handler", BUG, STACKS, need="cpu", weight=2.0)
def stuck(sc: Scene) -> Story:
    """A deadlock or endless loop in the handler: the same symptoms on an endpoint that is otherwise idle."""
    return _story(sc, sc.pick((("cpu_idle", "latency_spike"), ("cpu_one_core", "latency_spike"))))


@signature("symptom_of_short_timeout", CONFIG, STACKS, need="cpu", weight=2.0)
def short_timeout(sc: Scene) -> Story:
    """The server's timeout is shorter than a normal request: latency sits at the limit, nothing else strains."""
    return _story(sc, ("timeouts",))
