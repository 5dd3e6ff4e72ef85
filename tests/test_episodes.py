"""A window of CloudWatch logs becomes zero, one or several failure episodes, each with its verdict."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from classifier.incident import Context, Incident, LogEvent, MetricSeries
from classifier.triage import episodes, triage_window

T0 = datetime(2026, 11, 2, 3, 0, tzinfo=UTC)
STREAM = "AllTraffic/i-0123456789abcdef0"


def traffic(minutes: int) -> list[LogEvent]:
    return [
        LogEvent(
            f"10.32.0.{k % 250 + 2} - - [02/Nov/2026:03:{k // 3 % 60:02d}:{20 * (k % 3):02d} +0000] "
            f'"POST /invocations HTTP/1.1" 200 {38 + k % 7} "-" "AHC/2.0"',
            T0 + timedelta(seconds=20 * k),
            STREAM,
        )
        for k in range(minutes * 3)
    ]


def window(logs: list[LogEvent], **kw) -> Incident:
    return Incident(
        logs=sorted(logs, key=lambda e: e.timestamp),
        endpoint="ep",
        variant="AllTraffic",
        start=T0,
        end=T0 + timedelta(hours=1),
        **kw,
    )


def split(model, incident: Incident) -> list[Incident]:
    return [episode for episode, _ in episodes.split(incident, model.read(incident))]


def test_an_hour_of_healthy_traffic_is_no_failure(model):
    assert triage_window(model, window(traffic(60))) == []


def test_one_benign_warning_in_an_hour_is_not_a_failure(model):
    logs = traffic(60) + [
        LogEvent(
            "WARNING: Running pip as the 'root' user can result in broken permissions",
            T0 + timedelta(minutes=30),
            STREAM,
        )
    ]
    assert triage_window(model, window(logs)) == []


def test_two_crashes_far_apart_are_two_episodes_named_after_their_first_line(model):
    logs = traffic(60) + [
        LogEvent("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB", T0 + timedelta(minutes=5), STREAM),
        LogEvent("ModuleNotFoundError: No module named 'xgboost'", T0 + timedelta(minutes=50), STREAM),
    ]
    first, second = split(model, window(logs))
    assert any("CUDA out of memory" in e.message for e in first.logs)
    assert not any("xgboost" in e.message for e in first.logs)
    assert any("xgboost" in e.message for e in second.logs)
    assert (first.id, second.id) == ("ep/AllTraffic-2026-11-02T03:05:00Z", "ep/AllTraffic-2026-11-02T03:50:00Z")


def test_an_episode_id_does_not_depend_on_the_window_it_was_read_in(model):
    crash = LogEvent(
        "[ERROR] Worker (pid:42) was sent SIGKILL! Perhaps out of memory?", T0 + timedelta(minutes=40), STREAM
    )
    wide = window(traffic(60) + [crash])
    narrow = replace(
        wide, start=T0 + timedelta(minutes=35), logs=[e for e in wide.logs if e.timestamp >= T0 + timedelta(minutes=35)]
    )
    assert [e.id for e in split(model, wide)] == [e.id for e in split(model, narrow)]


def test_two_variants_failing_in_the_same_minute_get_two_ids(model):
    crash = [
        LogEvent("Traceback (most recent call last):", T0 + timedelta(minutes=40), STREAM),
        LogEvent("KeyError: 'inputs'", T0 + timedelta(minutes=40), STREAM),
    ]
    a = window(traffic(60) + crash)
    b = replace(a, variant="Canary")
    assert split(model, a)[0].id != split(model, b)[0].id


def test_a_burst_is_one_episode_with_context_before_it(model):
    logs = traffic(60) + [
        LogEvent(
            f"[ERROR] Worker (pid:{k}) was sent SIGKILL! Perhaps out of memory?",
            T0 + timedelta(minutes=40, seconds=30 * k),
            STREAM,
        )
        for k in range(6)
    ]
    (episode,) = split(model, window(logs))
    assert episode.start == T0 + timedelta(minutes=30)  # ten minutes of lead-up kept
    assert sum("SIGKILL" in e.message for e in episode.logs) == 6


def test_a_failed_endpoint_without_error_lines_is_still_an_episode(model):
    inc = window(traffic(5), context=Context(status="Failed", failure_reason="did not pass the ping health check"))
    (episode,) = split(model, inc)
    assert episode.context.failure_reason == "did not pass the ping health check"


def test_memory_pinned_at_the_top_is_an_episode_even_with_quiet_logs(model):
    stamps = tuple(T0 + timedelta(minutes=k) for k in range(60))
    mem = tuple(40.0 + k for k in range(60))  # reaches 99% at minute 59
    (episode,) = split(model, window(traffic(60), metrics={"MemoryUtilization": MetricSeries(stamps, mem)}))
    assert max(episode.metrics["MemoryUtilization"].values) == 99.0


def test_pasted_lines_without_timestamps_are_one_episode(model):
    inc = Incident(
        logs=[
            LogEvent("Traceback (most recent call last):"),
            LogEvent('  File "/opt/ml/model/code/inference.py", line 12, in predict_fn'),
            LogEvent("KeyError: 'inputs'"),
        ]
    )
    (episode,) = split(model, inc)
    assert len(episode.logs) == 3


def test_continuation_lines_stay_with_the_event_before_them(model):
    logs = traffic(60) + [LogEvent("Traceback (most recent call last):", T0 + timedelta(minutes=45), STREAM)]
    logs = sorted(logs, key=lambda e: e.timestamp)
    at = next(i for i, e in enumerate(logs) if e.message.startswith("Traceback"))
    logs[at + 1 : at + 1] = [LogEvent("ValueError: could not convert string to float: 'abc'")]  # no timestamp
    (episode,) = split(model, replace(window([]), logs=logs))
    assert any("could not convert" in e.message for e in episode.logs)


def test_an_episode_cut_from_its_window_reads_as_the_same_episode_read_afresh(model, samples):
    """classify reads a window once and cuts episodes from it; batch reads an exported episode afresh.
    Both must see the same numbers, or `export` then `batch` would disagree with `classify`."""
    from classifier.incident import incident_from_dict
    from training.generator import generate

    windows = list(samples.values()) + [
        incident_from_dict(r) for r in generate(60, seed=9) if r["source"]["style"] == "window"
    ]
    compared = 0
    for w in windows:
        for episode, reading in episodes.split(w, model.read(w)):
            cut = model.featurizer.transform_readings([episode], [reading]).toarray()
            fresh = model.featurizer.transform([episode]).toarray()
            assert np.allclose(cut, fresh, atol=1e-6), episode.id
            compared += 1
    assert compared >= 20


def test_after_a_redeploy_the_advice_names_what_the_container_rejects_now(model):
    """An hour of a busy endpoint: the advice reads the window's last events, not a rejection from before the fix."""

    def rejected(kind: str, minute: int) -> LogEvent:
        return LogEvent(
            f"ERROR - 415 Unsupported Media Type: content type {kind} is not supported by this container",
            T0 + timedelta(minutes=minute, seconds=10),
            STREAM,
        )

    busy = [
        LogEvent(f'10.32.0.2 - - "GET /ping HTTP/1.1" 200 0 #{k}', T0 + timedelta(seconds=k), STREAM)
        for k in range(3600)
    ]
    logs = (
        busy
        + [rejected("text/csv", m) for m in range(0, 23)]
        + [rejected("application/x-npy", m) for m in range(30, 59)]
    )
    ((_, verdict),) = triage_window(model, window(logs))
    assert verdict.best_guess == "configuration_error"
    assert "it rejected application/x-npy" in verdict.remediation


def test_a_weak_verdict_says_what_it_is_torn_between_and_what_would_settle_it(model):
    from classifier.incident import UNCERTAIN, incident_from_dict
    from classifier.triage import classify

    # A TorchServe worker dying with nothing else said: out of memory or a bad setting, the lines cannot tell.
    died = ["WorkerLifeCycle - Backend worker process died.", "Worker disconnected. WORKER_STARTED"]
    (verdict,) = classify(model, [incident_from_dict({"id": "paste", "logs": died})])
    assert verdict.label == UNCERTAIN
    ranked = sorted(verdict.probabilities, key=verdict.probabilities.get, reverse=True)
    runner_up = next(o for o in ranked if o != verdict.best_guess).replace("_", " ")
    assert f"To settle it against {runner_up}" in verdict.remediation
    assert "No metrics came with these lines" in verdict.remediation
