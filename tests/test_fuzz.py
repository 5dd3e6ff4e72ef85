"""Hostile and malformed incident records: each one is scored, or refused with a reason naming the field.

Hypothesis throws random JSON, wrong types, NaN and infinities, unsorted and
duplicate timestamps, metric arrays of unequal length, huge and empty
windows, invalid UTF-8, NUL bytes and lone surrogates at the reader, the
featurizer, the model, the episode splitter and the renderers. The only
acceptable outcomes are a verdict (finite, calibrated probabilities; output
that renders and round-trips) or an `IncidentError` / `BadRecord` whose
message says where and which field.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from classifier.incident import (
    LABELS,
    OUTCOMES,
    UNCERTAIN,
    BadRecord,
    Incident,
    IncidentError,
    incident_from_dict,
    read_incidents,
)
from classifier.model.features import METRICS
from classifier.render import print_verdicts, verdicts_json
from classifier.triage import classify, triage_window

FUZZ = settings(
    max_examples=int(os.environ.get("SMTRIAGE_FUZZ_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FIELDS = ("logs", "metrics", "context", "id", "label", "source", "start", "end", "endpoint", "variant", "object")

# ---------------------------------------------------------------- strategies

hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "\x00",
            "\x1b[31mred\x1b[0m",
            "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\",
            "a\rb",
            "\u202eevil",
            "[bold red]x[/]",
            ":fire:",
            "\ud800",
            "\udfff lone",
            "\ufffd",
            "Killed",
            "CUDA out of memory",
            'Traceback (most recent call last):\n  File "/opt/ml/model/code/inference.py", line 57, in predict_fn',
            '{"level": "ERROR", "message": "No space left on device"}',
            "#033[2mworker died#033[0m",
        ]
    ),
)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**40), max_value=10**40),
    hostile_text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)),
    max_leaves=12,
)
times = st.one_of(
    st.none(),
    st.booleans(),
    json_values,
    hostile_text,
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()),
    st.datetimes(min_value=datetime(2026, 11, 2), max_value=datetime(2026, 11, 2, 1)).map(
        lambda t: t.isoformat() + "Z"
    ),
    st.sampled_from(
        [
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "0001-01-01T00:03:00Z",
            "9999-12-31T23:59:00Z",
            "2026-13-01T00:00Z",
            "yesterday",
            "1e400",
        ]
    ),
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.none(),
    st.sampled_from([1e308, -1e308, 5e-324, 0.0, 99.5, 100.0, 250.0]),
)
log_events = st.one_of(
    hostile_text,
    json_values,
    st.fixed_dictionaries(
        {"message": st.one_of(hostile_text, hostile_text, json_values)},
        optional={"timestamp": times, "stream": st.one_of(st.none(), hostile_text, json_values)},
    ),
)
series = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"values": st.one_of(st.lists(st.one_of(numbers, numbers, json_values), max_size=30), json_values)},
        optional={"timestamps": st.one_of(st.none(), json_values, st.lists(times, max_size=30))},
    ),
    # well-formed series whose arrays pair up, with NaN/inf and unsorted or duplicate timestamps
    st.integers(min_value=0, max_value=40).flatmap(
        lambda n: st.fixed_dictionaries(
            {
                "timestamps": st.lists(
                    st.datetimes(min_value=datetime(2026, 11, 2), max_value=datetime(2026, 11, 2, 1)).map(
                        lambda t: t.isoformat() + "Z"
                    ),
                    min_size=n,
                    max_size=n,
                ),
                "values": st.lists(numbers, min_size=n, max_size=n),
            }
        )
    ),
)
contexts = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "status": st.one_of(st.sampled_from(["Failed", "InService", "Updating", "", "failed"]), json_values),
            "failure_reason": st.one_of(hostile_text, json_values),
            "instance_type": st.one_of(
                st.sampled_from(
                    ["ml.m5.large", "ml.g5.48xlarge", "ml.inf2.xlarge", "ML.P4D.24XLARGE", "ml.zz9.huge", "local_gpu"]
                ),
                json_values,
            ),
            "instance_count": st.one_of(st.integers(min_value=-5, max_value=10**6), st.integers(), json_values),
            "image": st.one_of(
                hostile_text,
                st.just("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.1-gpu"),
                json_values,
            ),
        },
    ),
)
good_times = st.datetimes(min_value=datetime(2026, 11, 2), max_value=datetime(2026, 11, 2, 1)).map(
    lambda t: t.isoformat() + "Z"
)
plausible_events = st.one_of(
    hostile_text,
    st.fixed_dictionaries(
        {"message": hostile_text},
        optional={"timestamp": st.one_of(st.none(), good_times), "stream": st.sampled_from(["AllTraffic/i-0a", "x"])},
    ),
)
plausible_records = st.fixed_dictionaries(
    {"logs": st.lists(plausible_events, max_size=30)},
    optional={
        "metrics": st.dictionaries(st.sampled_from(METRICS), series, max_size=4),
        "context": contexts,
        "start": st.one_of(st.none(), good_times),
        "end": st.one_of(st.none(), good_times),
        "id": hostile_text,
        "endpoint": hostile_text,
    },
)
records = st.one_of(
    json_values,
    plausible_records,
    plausible_records,
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.one_of(hostile_text, json_values),
            "endpoint": st.one_of(hostile_text, json_values),
            "variant": st.one_of(hostile_text, json_values),
            "start": times,
            "end": times,
            "logs": st.one_of(st.lists(log_events, max_size=12), json_values),
            "metrics": st.one_of(
                st.dictionaries(st.one_of(st.sampled_from(METRICS), hostile_text), series, max_size=5), json_values
            ),
            "context": contexts,
            "label": st.one_of(st.sampled_from([*LABELS, "oom", ""]), json_values),
            "source": json_values,
        },
    ),
)


# ---------------------------------------------------------------- what every outcome must satisfy


def check_verdicts(model, incidents: list[Incident]) -> None:
    verdicts = classify(model, incidents)
    assert len(verdicts) == len(incidents)
    for v in verdicts:
        assert v.label in (*OUTCOMES, UNCERTAIN)
        assert all(math.isfinite(p) and 0 <= p <= 1 for p in v.probabilities.values())
        assert abs(sum(v.probabilities.values()) - 1) < 1e-6
        assert math.isfinite(v.confidence) and v.remediation
    # for people: renders without error; for scripts: valid JSON that reads back exactly
    console = Console(file=io.StringIO(), force_terminal=True, width=100)
    print_verdicts(console, verdicts, incidents)
    assert json.loads(verdicts_json(verdicts)) == [v.to_dict() for v in verdicts]
    for inc in incidents:  # the live path splits a window into episodes first
        for episode, verdict in triage_window(model, inc):
            assert episode.logs or episode.metrics or episode.context.status
            assert verdict.label in (*OUTCOMES, UNCERTAIN)


def check_refusal(message: str, where: str) -> None:
    assert message.startswith(f"{where}: "), message
    assert "\n" not in message
    assert any(field in message for field in FIELDS), f"names no field: {message}"


# ---------------------------------------------------------------- records


@FUZZ
@given(obj=records)
@example(obj={"logs": []})  # 0 logs
@example(obj={"metrics": {}})
@example(obj={"logs": ["\x00\x00", "NUL in the middle\x00of a line"]})
@example(obj={"logs": ["x" * 2_000_000 + " Killed"]})  # a two-megabyte line
@example(
    obj={
        "logs": [
            {"message": "Killed", "timestamp": "2026-11-02T03:05:00Z"},
            {"message": "Killed", "timestamp": "2026-11-02T03:01:00Z"},
            {"message": "Killed", "timestamp": "2026-11-02T03:01:00Z"},
        ]
    }
)  # unsorted and duplicate
@example(
    obj={"logs": [], "metrics": {"MemoryUtilization": {"values": [float("nan"), float("inf"), -float("inf"), 99.0]}}}
)
@example(
    obj={
        "logs": [],
        "metrics": {"MemoryUtilization": {"values": [1e308, -1e308, 1e308]}, "Invocations": {"values": [1e308, 1e308]}},
    }
)
@example(obj={"logs": [], "metrics": {"CPUUtilization": {"timestamps": ["2026-11-02T03:00Z"], "values": [1.0, 2.0]}}})
@example(obj={"logs": ["x"], "context": {"instance_count": -1}})
@example(obj={"logs": ["x"], "context": {"instance_count": 10**400}})
@example(obj={"logs": ["x"], "start": "0001-01-01T00:00:00+01:00"})
@example(obj={"logs": [{"message": "Killed", "timestamp": "0001-01-01T00:01:00Z"}]})
@example(obj={"logs": [{"message": "Killed", "timestamp": "9999-12-31T23:59:00Z"}]})
@example(obj={"logs": ["\ud800 Killed"], "id": "\udc80"})
@example(obj={"logs": [], "id": 10**50})
def test_any_record_is_scored_or_refused_naming_the_field(model, obj):
    try:
        incident = incident_from_dict(obj, "record")
    except IncidentError as exc:
        check_refusal(str(exc), "record")
        event("refused")
        return
    check_verdicts(model, [incident])
    event("scored")


def test_the_reasons_for_refusing_say_which_field_and_why():
    cases = {
        "record: metrics.CPUUtilization: 2 timestamps but 1 values": {
            "metrics": {"CPUUtilization": {"timestamps": ["2026-11-02T03:00Z"] * 2, "values": [1.0]}}
        },
        "record: metrics.CPUUtilization.values[1] must be a number, got str": {
            "metrics": {"CPUUtilization": {"values": [1, "2"]}}
        },
        "record: context.instance_count must be a whole number from 0": {"logs": [], "context": {"instance_count": -1}},
        "record: start: '0001-01-01T00:00:00+01:00' is out of range in UTC": {
            "logs": [],
            "start": "0001-01-01T00:00:00+01:00",
        },
        "record: logs[0].message must be a string, got int": {"logs": [{"message": 7}]},
        "record: needs 'logs' or 'metrics'": {"id": "x"},
    }
    for reason, obj in cases.items():
        with pytest.raises(IncidentError) as info:
            incident_from_dict(obj, "record")
        assert reason in str(info.value)


# ---------------------------------------------------------------- files


def line_bytes() -> st.SearchStrategy[bytes]:
    as_json = records.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return st.one_of(
        as_json,
        as_json.map(lambda b: b[: len(b) // 2]),  # whole, and cut in half
        st.tuples(
            as_json, st.integers(0, 200), st.sampled_from([b"\xff", b"\xc3\x28", b"\x00", b"\r", b"\xed\xa0\x80"])
        ).map(lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]),  # invalid UTF-8, NUL, CR inserted anywhere
        st.binary(max_size=60),
        st.sampled_from(
            [
                b"",
                b"   ",
                b"[" * 100_000,
                b'{"logs": [], "id": ' + b"9" * 5000 + b"}",
                b'{"logs": ["\\ud800 lone surrogate"]}',
                b'{"logs": ["ok"]} trailing',
                b'{"logs": ["caf\xc3\xa9", "bad \xff byte"]}',
                b'\xef\xbb\xbf{"logs": []}',
            ]
        ),
    )


@FUZZ
@given(lines=st.lists(line_bytes(), min_size=1, max_size=6))
def test_any_file_yields_one_verdict_or_one_reason_per_line(model, lines):
    data = b"\n".join(lines) + b"\n"
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as fh:
        fh.write(data)
    try:
        items = list(read_incidents(fh.name))
    finally:
        os.unlink(fh.name)
    expected = [n for n, line in enumerate(data.decode("utf-8", "replace").split("\n")[:-1], start=1) if line.strip()]
    assert [n for n, _ in items] == expected  # nothing lost, nothing doubled
    good = [item for _, item in items if isinstance(item, Incident)]
    for n, item in items:
        if isinstance(item, BadRecord):
            assert item.line == n and item.reason.startswith(f"{fh.name}:{n}: ") and "\n" not in item.reason
    if good:
        check_verdicts(model, good)
    event("some lines scored" if good else "every line refused" if items else "blank file")


def test_an_overlong_line_is_refused_without_holding_it(monkeypatch, tmp_path, model):
    import classifier.incident as incident

    monkeypatch.setattr(incident, "MAX_LINE_BYTES", 1_000_000)
    path = tmp_path / "big.jsonl"
    path.write_text('{"logs": ["' + "x" * 3_000_000 + '"]}\n{"logs": ["Killed"]}\n')
    (n1, bad), (n2, good) = read_incidents(path)
    assert (n1, n2) == (1, 2)
    assert isinstance(bad, BadRecord) and "line is 3,000,015 characters, over the 1,000,000 limit" in bad.reason
    check_verdicts(model, [good])


def test_a_window_of_many_events_with_unsorted_duplicate_times_is_scored(model):
    t0 = datetime(2026, 11, 2, 3, tzinfo=UTC)
    logs = [
        {
            "message": f"[ERROR] Worker (pid:{k % 7}) was sent SIGKILL! Perhaps out of memory?"
            if k % 500 == 0
            else f"GET /ping 200 {k}",
            "timestamp": (t0 + timedelta(seconds=(k * 7919) % 600)).isoformat(),
            "stream": f"AllTraffic/i-{k % 3}",
        }
        for k in range(20_000)
    ]
    incident = incident_from_dict({"logs": logs + logs[:100]}, "record")
    check_verdicts(model, [incident])
