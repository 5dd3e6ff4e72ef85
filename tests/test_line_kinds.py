"""The lines of a window are grouped into kinds, and a kind's signals are what its lines really say.

A busy endpoint logs the same health check thousands of times with another
timestamp each time, so lines are read by their shape (digits and hex
letters blurred) and only the places where a phrase could sit are checked
on each line. These tests hold that shortcut to the plain reading: every
signal found by searching each line on its own is found, on the same line,
and nothing else.
"""

from __future__ import annotations

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from classifier.text.lines import line_table
from classifier.text.signals import SIGNAL_NAMES, SIGNALS, scan

# the pieces real lines are made of, the parts that vary between two occurrences of a line among them
_PIECES = st.sampled_from(
    [
        '10.0.0.1 - - "GET /ping HTTP/1.1" ',
        "worker exited with code ",
        "status=",
        " error ",
        "E",
        "(",
        ")",
        "Killed",
        "Errno ",
        "float",
        "1d array",
        "CUDA out of memory",
        "ÿé",
        "模型",
        "#033[2m",
        " - ",
        "\t",
    ]
)
_VARYING = st.sampled_from(["200", "500", "503", "137", "404", "415", "28", "9", "0", "1b7", "a", "F", "e0", "dead"])
_LINE = st.lists(st.one_of(_PIECES, _VARYING), max_size=8).map("".join)


def _signals_by_line(lines: list[str]) -> list[set[str]]:
    """What the plain search finds on each line on its own."""
    hits = scan(lines)
    out: list[set[str]] = [set() for _ in lines]
    for text, sig in zip(hits.texts.tolist(), hits.signals.tolist()):
        out[text].add(SIGNAL_NAMES[sig])
    return out


@settings(max_examples=300, deadline=None)
@given(templates=st.lists(_LINE, min_size=1, max_size=4), picks=st.lists(st.integers(0, 3), min_size=1, max_size=60))
@example(templates=['"GET /ping HTTP/1.1" 200', '"GET /ping HTTP/1.1" 500'], picks=[0, 0, 1, 0])
@example(templates=["exit code 137", "exit code 138"], picks=[1, 0])
def test_each_line_keeps_the_signals_it_really_has(templates: list[str], picks: list[int]) -> None:
    lines = [templates[p % len(templates)] + f" t={i:04d}" for i, p in enumerate(picks)]
    lines = [line for line in lines if line.strip()]
    table = line_table(lines)
    expected = _signals_by_line(table.lines)
    for line_no, wanted in enumerate(expected):
        kind = int(table.kind[line_no])
        assert {SIGNAL_NAMES[s] for s in table.signals_of(kind)} == wanted, table.lines[line_no]


def test_a_5xx_among_health_checks_is_its_own_kind() -> None:
    healthy = [f'10.0.0.{i % 9} - - [02/Dec/2026:09:{i % 60:02d}:00] "GET /ping HTTP/1.1" 200 0' for i in range(500)]
    failing = '10.0.0.3 - - [02/Dec/2026:09:31:00] "POST /invocations HTTP/1.1" 500 0'
    table = line_table([*healthy[:250], failing, *healthy[250:]])
    kinds = table.kind.tolist()
    assert kinds.count(kinds[250]) == 1  # the 500 stands alone
    assert len(set(kinds)) <= 3  # the health checks collapse (GET and POST differ in their words, not their time)
    assert SIGNALS[table.signals_of(kinds[250])[0]].name == "http_5xx"
    assert not np.isin(table.signals_of(kinds[0]), [SIGNAL_NAMES.index("http_5xx")]).any()


def test_a_failure_report_teaches_its_failure_lines_not_the_start_up_it_quotes() -> None:
    """A real report pastes the start-up before its traceback: those lines are weak evidence of a failure line,
    the traceback is strong, and a line also seen on a healthy endpoint is healthy."""
    from classifier.incident import Incident, LogEvent
    from classifier.model.features import _kind_targets

    lines = [
        "[2024-03-01 10:00:00 +0000] [7] [INFO] Booting worker with pid: 7",
        "Starting the inference server with 4 workers.",
        "Traceback (most recent call last):",
        "ValueError: Expected 2D array, got 1D array instead",
    ]
    report = Incident(logs=[LogEvent(t) for t in lines], label="model_bug")
    table = line_table(lines)
    healthy = {table.keys[int(table.kind[0])]}  # the worker boot line is also on healthy endpoints
    target = _kind_targets(report, len(lines), table, "model_bug", healthy)
    by_line = [target[int(k)] for k in table.kind]
    assert by_line[0] == 0.0
    assert np.isnan(by_line[1])  # quoted start-up: counted at quoted_line_weight
    assert by_line[2] == 1.0 and by_line[3] == 1.0
