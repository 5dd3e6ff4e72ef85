"""Classify a live endpoint: read its CloudWatch window, split it into episodes, score each.

`smtriage classify` and `smtriage demo` both call `classify_endpoint`, so the
demo exercises exactly the path a paged engineer uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from .incident import Incident, Verdict
from .model import TriageModel
from .sources.cloudwatch import DEFAULT_MAX_EVENTS, AwsOptions, fetch_window
from .triage import triage_window


@dataclass
class EndpointReport:
    endpoint: str
    start: datetime
    end: datetime
    findings: list[tuple[Incident, Verdict]]
    notes: list[str] = field(default_factory=list)
    events_read: int = 0


def classify_endpoint(model: TriageModel, endpoint: str, start: datetime, end: datetime,
                      opts: AwsOptions = AwsOptions(), *, max_events: int = DEFAULT_MAX_EVENTS,
                      progress: Callable[[int], None] | None = None) -> EndpointReport:
    window = fetch_window(endpoint, start, end, opts, max_events=max_events, progress=progress)
    findings = [pair for incident in window.incidents for pair in triage_window(model, incident)]
    return EndpointReport(endpoint, start, end, findings, window.notes, window.events_read)
