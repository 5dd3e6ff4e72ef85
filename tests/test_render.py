"""What the verdict panel shows an on-call engineer: which instance said what, and metrics drawn honestly."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from rich.console import Console

from classifier.incident import Evidence, Incident, MetricSeries, Verdict
from classifier.render import sparkline, verdict_panel

T = datetime(2026, 11, 2, 3, 5, tzinfo=UTC)


def shown(verdict: Verdict, incident: Incident | None = None, color: bool = False) -> str:
    console = Console(file=io.StringIO(), force_terminal=color, color_system="standard" if color else None, width=120)
    console.print(verdict_panel(verdict, incident))
    return console.file.getvalue()


def verdict_with(evidence: list[Evidence]) -> Verdict:
    return Verdict(
        id="fraud-detector-prod/AllTraffic-2026-11-02T03:05Z",
        label="resource_exhaustion",
        confidence=0.93,
        probabilities={"resource_exhaustion": 0.93, "configuration_error": 0.04, "model_bug": 0.02, "no_failure": 0.01},
        evidence=evidence,
        remediation="move to a bigger instance",
        model_version="test",
        endpoint="fraud-detector-prod",
        variant="AllTraffic",
    )


def test_on_a_two_instance_endpoint_each_line_names_its_instance():
    lines = [
        Evidence("log", "Worker (pid:21) was sent SIGKILL! Perhaps out of memory?", 2.0, T, "AllTraffic/i-0aaa1111"),
        Evidence("log", "upstream prematurely closed connection", 1.0, T, "AllTraffic/i-0ccc3333"),
    ]
    text = shown(verdict_with(lines))
    assert "i-0aaa1111 Worker (pid:21) was sent SIGKILL!" in text
    assert "i-0ccc3333 upstream prematurely closed" in text


def test_on_one_instance_the_stream_is_named_once():
    lines = [
        Evidence("log", "Worker (pid:21) was sent SIGKILL!", 2.0, T, "AllTraffic/i-0aaa1111"),
        Evidence("log", "Worker (pid:22) was sent SIGKILL!", 1.0, T, "AllTraffic/i-0aaa1111"),
    ]
    text = shown(verdict_with(lines))
    assert text.count("i-0aaa1111") == 1 and "log stream" in text


def test_a_steady_non_zero_series_is_not_drawn_as_nothing():
    assert sparkline([300.0] * 10) == "█" * 10
    assert sparkline([0.0] * 10) == "▁" * 10
    assert sparkline([0.0, 150.0, 300.0]) == "▁▅█"


def test_error_counts_are_drawn_red_and_load_green():
    series = MetricSeries(tuple(T + timedelta(minutes=k) for k in range(5)), (0.0, 3.0, 40.0, 90.0, 120.0))
    incident = Incident(metrics={"Invocation5XXErrors": series, "Invocations": series})
    evidence = [
        Evidence("metric", "Invocation5XXErrors: 253 in 4 of 5 minutes", 1.0, metric="Invocation5XXErrors"),
        Evidence("metric", "Invocations: 253 requests over 5 minutes", 0.5, metric="Invocations"),
    ]
    text = shown(verdict_with(evidence), incident, color=True)
    bars = sparkline(series.values)
    red, green = "\x1b[31m", "\x1b[32m"
    first, second = (i for i in range(len(text)) if text.startswith(bars, i))
    assert text.rfind(red, 0, first) > text.rfind(green, 0, first)
    assert text.rfind(green, 0, second) > text.rfind(red, 0, second)


def test_an_episode_that_keeps_coming_back_is_one_panel_that_says_when():
    from dataclasses import replace

    from classifier.render import print_verdicts

    oom = verdict_with([Evidence("log", "Worker (pid:21) was sent SIGKILL! Perhaps out of memory?", 2.0)])
    again = [replace(oom, start=T + timedelta(hours=h), id=f"ep-{h}") for h in range(3)]
    other = replace(oom, label="model_bug", best_guess="model_bug", remediation="fix predict_fn", id="ep-bug")
    console = Console(file=io.StringIO(), width=120)
    print_verdicts(console, [*again, other])
    text = console.file.getvalue()
    assert text.count("was sent SIGKILL") == 2  # the three OOMs once, the model bug once
    assert "the same episode 3 times: 03:05, 04:05, 05:05" in text
    assert "fix predict_fn" in text


def test_log_text_in_a_markdown_summary_can_neither_close_its_block_nor_drive_the_terminal():
    from classifier.live import EndpointReport
    from classifier.render import report_markdown

    hostile = "``` </details> \x1b]0;owned\x07 [click](http://evil.example)"
    verdict = verdict_with([Evidence("log", hostile, 2.0, T)])
    text = report_markdown(EndpointReport("fraud-detector-prod", T, T + timedelta(hours=1), [(Incident(), verdict)]))
    assert "\x1b" not in text and "\x07" not in text and "\\x1b]0;owned\\x07" in text
    fences = [line for line in text.splitlines() if line.startswith("```")]
    assert len(fences) == 2 and fences[0] == fences[1] == "````"  # longer than any run of backticks inside
