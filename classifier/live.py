"""Classify a live endpoint: read its window from a `WindowSource`, split it into episodes, score each.

The product reads through `CloudWatchSource`; `smtriage classify` and
`smtriage demo` both do, so the demo exercises the path a paged engineer
uses. A source is any object with `read(endpoint, start, end) -> Window`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from .incident import UNCERTAIN, Incident, Verdict
from .sources.cloudwatch import Window

if TYPE_CHECKING:  # importing the model's module imports scikit-learn, which `smtriage --help` never pays for
    from .model import TriageModel


@dataclass
class EndpointReport:
    endpoint: str
    start: datetime
    end: datetime
    findings: list[tuple[Incident, Verdict]]
    notes: list[str] = field(default_factory=list)
    events_read: int = 0
    partial: bool = False  # some of the window could not be read: the notes say what


class WindowSource(Protocol):
    """Where an endpoint's window is read from: `CloudWatchSource` in the product; a replay or a test passes its own."""

    def read(self, endpoint: str, start: datetime, end: datetime) -> Window: ...


def classify_endpoint(
    model: TriageModel, source: WindowSource, endpoint: str, start: datetime, end: datetime
) -> EndpointReport:
    """The endpoint's failure episodes in the window, each with its verdict."""
    return report(model, endpoint, start, end, source.read(endpoint, start, end))


def report(model: TriageModel, endpoint: str, start: datetime, end: datetime, window: Window) -> EndpointReport:
    """The verdicts on a window already read; a window not read in full gives best guesses only."""
    from .triage import triage_window

    findings = [pair for incident in window.incidents for pair in triage_window(model, incident)]
    if window.partial:
        findings = [(incident, incomplete(verdict)) for incident, verdict in findings]
    return EndpointReport(endpoint, start, end, findings, window.notes, window.events_read, window.partial)


def incomplete(verdict: Verdict) -> Verdict:
    """A verdict on a window not read in full: never more than a best guess, and it says why."""
    return replace(
        verdict,
        label=UNCERTAIN,
        partial=True,
        remediation="Not all of the window could be read (see the notes), so this is a best guess: "
        + verdict.remediation,
    )


def follow(
    model: TriageModel,
    source: WindowSource,
    endpoint: str,
    lookback: timedelta,
    *,
    interval: float = 60.0,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[EndpointReport]:
    """Poll the endpoint every `interval` seconds, reading the last `lookback` each time, and yield each poll's
    report holding only the episodes not reported before (an episode is known by its id: the endpoint, the
    variant and the time of its first failure sign). Runs until the caller stops iterating.
    """
    seen: set[str] = set()
    while True:
        end = clock()
        # on the minute: metric datapoints fall where the window starts, so an unaligned start would move
        # an episode's first sign, and with it its id, from one poll to the next
        start = (end - lookback).replace(second=0, microsecond=0)
        polled = report(model, endpoint, start, end, source.read(endpoint, start, end))
        new = [(inc, v) for inc, v in polled.findings if v.id not in seen]
        seen.update(v.id for _, v in new if v.id)
        yield replace(polled, findings=new)
        sleep(interval)
