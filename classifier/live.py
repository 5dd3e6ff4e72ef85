"""Classify a live endpoint: read its CloudWatch window, split it into episodes, score each.

`smtriage classify` and `smtriage demo` both call `classify_endpoint`, so the
demo exercises exactly the path a paged engineer uses.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from .incident import UNCERTAIN, Incident, Verdict
from .sources.cloudwatch import DEFAULT_MAX_EVENTS, AwsOptions, Window, fetch_window

if TYPE_CHECKING:  # importing the model's module imports scikit-learn: see classify_endpoint
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


def classify_endpoint(
    model: TriageModel | Callable[[], TriageModel],
    endpoint: str,
    start: datetime,
    end: datetime,
    opts: AwsOptions = AwsOptions(),
    *,
    max_events: int = DEFAULT_MAX_EVENTS,
    progress: Callable[[int], None] | None = None,
) -> EndpointReport:
    """The endpoint's failure episodes in the window, each with its verdict.

    `model` may be a function that loads it: it then runs on a thread while
    CloudWatch is read, because importing scikit-learn and skops and checking
    the model file take about as long as reading an hour of a busy endpoint
    (~2 s), and reading mostly waits on the network. If the model cannot be
    loaded, that is the error raised, as when it is loaded first.
    """

    def fetch() -> Window:
        return fetch_window(endpoint, start, end, opts, max_events=max_events, progress=progress)

    if not callable(model):
        return _report(model, endpoint, start, end, fetch())
    with ThreadPoolExecutor(1) as pool:
        loading = pool.submit(model)
        try:
            window = fetch()
        except Exception:
            loading.result()  # a model that cannot be loaded is the error to report
            raise
        triage_model = loading.result()
    return _report(triage_model, endpoint, start, end, window)


def _report(model: TriageModel, endpoint: str, start: datetime, end: datetime, window: Window) -> EndpointReport:
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
