"""(3) classify overhead: `classify_endpoint` vs only fetching the same events with boto3, against a local moto server.

One endpoint on an in-process moto server (`classifier.demo.moto_server`, a
ThreadedMotoServer on a free loopback port), seeded through the public APIs by
`classifier.demo.seed_endpoint` with a one-hour window of 100,000 log events
(the first 100,000 benchmark lines, over 4 instance streams) and its metrics.
All rows run in this one process, best-of-N each:

  plain boto3      one FilterLogEvents paginator over the whole group and window
  read_logs        smtriage's log read: DescribeLogStreams, then every stream
                   paginated concurrently (8 threads)
  fetch_window     smtriage's whole fetch: DescribeEndpoint(+Config, Model),
                   read_logs, GetMetricData
  classify         `classify_endpoint`: fetch_window + episodes + model + evidence
  triage only      `triage_window` on the already fetched window (no AWS at all)

Everything after the fetch is timed three ways: inside each classify run (the
target's row: `triage_window` as classify_endpoint calls it, on the window it
just fetched), as classify - fetch_window (the difference of two noisy
minimums: moto's threads make fetch times vary by ~0.1 s), and alone. moto's own server (werkzeug + its Python backends, sharing this
process's GIL) is inside every fetch row here; against AWS the fetch is
network-bound, while the post-fetch work is the same CPU time as here.

(3b) times what a user waits for, in a fresh process per run
(benchmarks/classify_child.py): imports, the model, the fetch and the triage,
with the model loaded first or while CloudWatch is read (what the CLI does),
on loopback and with a round trip added to every AWS request.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from .common import PY, ROOT, Table, best_of, rate, repeat, save, say
from .data import _ensure_path, cloudwatch_incident

N_EVENTS = 100_000
STREAMS = 4
TARGET = 0.10  # everything after the fetch costs <= 10% of the fetch


def main() -> None:
    _ensure_path()
    import boto3

    from classifier.demo import REGION, moto_server, seed_endpoint, throwaway_credentials
    from classifier.live import classify_endpoint
    from classifier.model import default_model_dir, load
    from classifier.sources.cloudwatch import (
        LOG_GROUP_PREFIX,
        AwsOptions,
        CloudWatchSource,
        _make_clients,
        fetch_window,
        read_logs,
    )
    from classifier.triage import triage_window

    model = load(default_model_dir())
    end = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=3)
    incident = cloudwatch_incident(N_EVENTS, end, streams=STREAMS)
    start = incident.start - timedelta(minutes=1)
    window_end = end + timedelta(minutes=1)
    name = incident.endpoint
    group = LOG_GROUP_PREFIX + name

    with throwaway_credentials(), moto_server() as url:
        clients = {
            s: boto3.client(s, region_name=REGION, endpoint_url=url) for s in ("sagemaker", "logs", "cloudwatch")
        }
        (t_seed, _) = best_of(lambda: seed_endpoint(clients, incident), 1)
        say(f"seeded {N_EVENTS:,} events over {STREAMS} streams in {t_seed.min:.1f}s")
        opts = AwsOptions(region=REGION, endpoint_url=url)
        logs = clients["logs"]

        def plain() -> int:
            n = 0
            for page in logs.get_paginator("filter_log_events").paginate(
                logGroupName=group, startTime=int(start.timestamp() * 1000), endTime=int(window_end.timestamp() * 1000)
            ):
                n += len(page.get("events", []))
            return n

        _, sm_logs, _ = _make_clients(opts)

        def smtriage_logs() -> int:
            return sum(len(v) for v in read_logs(sm_logs, name, start, window_end).streams.values())

        def fetch():
            return fetch_window(name, start, window_end, opts)

        from classifier import triage

        post_fetch: list[float] = []  # the post-fetch part of each classify run, timed inside that run

        def timed_triage(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return triage_window(*args, **kwargs)
            finally:
                post_fetch.append(time.perf_counter() - t0)

        def classify():
            triage.triage_window = timed_triage  # classify_endpoint looks it up in classifier.triage when it scores
            try:
                return classify_endpoint(model, CloudWatchSource(opts), name, start, window_end)
            finally:
                triage.triage_window = triage_window

        n = repeat(3)
        t_plain, n_plain = best_of(plain, n, warmup=1)
        say(f"plain boto3 FilterLogEvents: {t_plain.min:.2f}s for {n_plain:,} events")
        t_read, n_read = best_of(smtriage_logs, n)
        say(f"smtriage read_logs: {t_read.min:.2f}s for {n_read:,} events")
        t_fetch, window = best_of(fetch, n)
        say(f"fetch_window: {t_fetch.min:.2f}s")
        t_classify, report = best_of(classify, n)
        say(f"classify_endpoint: {t_classify.min:.2f}s, {len(report.findings)} finding(s)")
        fresh = fresh_processes(url, name, start, window_end, n)
    window_incidents = window.incidents
    t_triage, findings = best_of(lambda: [p for inc in window_incidents for p in triage_window(model, inc)], n)
    say(f"triage only: {t_triage.min:.2f}s")
    advice = advice_by_label(model, window_incidents[0], n)

    events = sum(len(i.logs) for i in window_incidents)
    after_min = t_classify.min - t_fetch.min
    after_med = statistics.median(c - f for c, f in zip(sorted(t_classify.runs), sorted(t_fetch.runs)))
    t = Table(
        f"(3) classify on a moto server: 1-hour window, {N_EVENTS:,} events, {STREAMS} streams",
        ["measurement", "events/s", "min s", "median s", "vs plain boto3 fetch"],
    )
    t.add(
        "plain boto3: one FilterLogEvents paginator over the group",
        rate(n_plain, t_plain.min),
        t_plain.min,
        t_plain.median,
        "1.00x",
    )
    t.add(
        f"smtriage read_logs: {STREAMS} streams paginated concurrently",
        rate(n_read, t_read.min),
        t_read.min,
        t_read.median,
        f"{t_read.min / t_plain.min:.2f}x its time",
    )
    t.add(
        "smtriage fetch_window (status + logs + metrics)",
        rate(events, t_fetch.min),
        t_fetch.min,
        t_fetch.median,
        f"{t_fetch.min / t_plain.min:.2f}x its time",
    )
    t.add(
        "smtriage classify_endpoint (fetch + episodes + model + evidence)",
        rate(events, t_classify.min),
        t_classify.min,
        t_classify.median,
        f"{t_classify.min / t_plain.min:.2f}x its time",
    )
    t.add(
        "after the fetch: classify - fetch_window",
        rate(events, after_min),
        after_min,
        after_med,
        f"{after_min / t_plain.min:.0%} of it",
    )
    in_run = sorted(post_fetch)  # one triage_window call per run: the window holds one incident
    t.add(
        "after the fetch, timed inside each classify_endpoint run",
        rate(events, in_run[0]),
        in_run[0],
        statistics.median(in_run),
        f"{in_run[0] / t_plain.min:.0%} of it (target <= {TARGET:.0%}): "
        f"{'met' if in_run[0] <= TARGET * t_plain.min else 'MISSED'}",
    )
    t.add(
        "after the fetch, measured alone: triage_window on the fetched window",
        rate(events, t_triage.min),
        t_triage.min,
        t_triage.median,
        f"{t_triage.min / t_plain.min:.0%} of it",
    )
    for label, timing in advice.items():  # the verdict decides which advice runs; the window has one verdict
        t.add(
            f"(info) of which evidence + advice, had the verdict been {label.replace('_', ' ')}",
            "",
            timing.min,
            timing.median,
            f"{timing.min / t_plain.min:.1%} of it",
        )
    t.notes += [
        f"plain boto3 read {n_plain:,} events, read_logs {n_read:,}, the window kept {events:,}; "
        f"{len(report.findings)} failure episode(s) found and classified",
        f"seeding the server (PutLogEvents in batches of 5,000, PutMetricData) took {t_seed.min:.1f}s (not in the table)",
        "moto's server runs in this process (threads sharing the GIL); its request handling is inside both fetch "
        "rows, so they are not AWS's speed. The post-fetch work does not depend on moto: the last row measures it "
        "with no server at all, and it is the same CPU work against AWS",
        "not pinned to one core: the moto server's threads and smtriage's fetch threads share the machine's 2 cores",
    ]
    save(
        "classify",
        t,
        {
            "seconds": {
                "plain": t_plain.runs,
                "read_logs": t_read.runs,
                "fetch": t_fetch.runs,
                "classify": t_classify.runs,
                "triage": t_triage.runs,
                "post_fetch_in_run": post_fetch,
            },
            "events": events,
            "findings": len(findings),
        },
    )

    p = Table(
        f"(3b) classify in a fresh process, as `smtriage classify` runs: imports, model, fetch, triage "
        f"({N_EVENTS:,} events)",
        ["AWS round trip added per request", "model loaded", "min s", "median s", "vs loaded first"],
    )
    for delay in DELAYS:
        first = fresh[(delay, "first")]
        for mode, label in (("first", "first, then the fetch"), ("during", "during the fetch (what the CLI does)")):
            timing = fresh[(delay, mode)]
            p.add(f"{delay:.1f} s", label, timing.min, timing.median, f"{timing.min / first.min:.2f}x its time")
    p.notes += [
        "benchmarks/classify_child.py: one classify_endpoint per process, timed from outside (interpreter start "
        "included); the moto server is this process's, idle meanwhile",
        "the added round trip is a sleep in botocore's send of every request, outside the GIL like a socket wait: "
        "moto on loopback answers in microseconds, a region does not (the fetch makes ~20 requests here)",
    ]
    save("classify_process", p, {"seconds": {f"{d}/{m}": t.runs for (d, m), t in fresh.items()}})


def advice_by_label(model, window, n: int) -> dict:
    """label -> timing of `explain` + `remediate` for a verdict of that label on the window's (first) episode."""
    from classifier.triage import episodes, rules_of
    from classifier.triage.evidence import explain
    from classifier.triage.remediation import remediate

    episode, reading = episodes.split(window, model.read(window), rules_of(model))[0]
    row = model.transform([episode], [reading])[0]
    return {
        label: best_of(
            lambda label=label: remediate(
                label, episode, explain(model, episode, label, row, reading), reading.own_texts()
            ),
            n,
        )[0]
        for label in model.labels
    }


DELAYS = (0.0, 0.3)


def fresh_processes(url: str, name: str, start: datetime, end: datetime, n: int) -> dict:
    """(delay, mode) -> timing of `python -m benchmarks.classify_child mode ...` (see that module)."""
    import subprocess

    out = {}
    for delay in DELAYS:
        for mode in ("first", "during"):
            cmd = [
                PY,
                "-m",
                "benchmarks.classify_child",
                mode,
                url,
                name,
                start.isoformat(),
                end.isoformat(),
                str(delay),
            ]

            def run(cmd: list[str] = cmd) -> str:
                done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
                return done.stdout.strip()

            out[(delay, mode)], findings = best_of(run, n)
            say(
                f"fresh process, model {mode}, +{delay}s per request: {out[(delay, mode)].min:.2f}s ({findings} finding(s))"
            )
    return out


if __name__ == "__main__":
    sys.exit(main())
