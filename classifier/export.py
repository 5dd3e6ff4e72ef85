"""`smtriage export`: save CloudWatch windows as incident records, for labeling and for sharing.

By default each failure episode `classify` would report becomes one record,
so `export` then `batch` gives the verdicts `classify` gives on the same
window; finding the episodes takes the model. `whole_window` keeps the
window as one record and needs no model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .errors import AccessDenied, NotFound, SmtriageError
from .incident import Incident
from .sources.cloudwatch import DEFAULT_MAX_EVENTS, AwsOptions, failed_endpoints, fetch_window

if TYPE_CHECKING:
    from .model import TriageModel


def export_window(
    endpoint: str,
    start: datetime,
    end: datetime,
    opts: AwsOptions = AwsOptions(),
    *,
    model: TriageModel | None = None,
    whole_window: bool = False,
    max_events: int = DEFAULT_MAX_EVENTS,
    progress: Callable[[int], None] | None = None,
    variant: str | None = None,
) -> tuple[list[Incident], list[str]]:
    """The window's failure episodes as records (label empty); `model` finds them unless `whole_window`."""
    if model is None and not whole_window:
        raise ValueError("finding the failure episodes takes a model")
    window = fetch_window(endpoint, start, end, opts, max_events=max_events, progress=progress, variant=variant)
    records = []
    for incident in window.incidents:
        if whole_window:
            found = [incident]
        else:
            from .triage import triage_window

            if model is None:
                raise SmtriageError("finding the failure episodes needs a model (or export the whole window)")
            found = [episode for episode, _ in triage_window(model, incident)]
        records += [
            replace(r, label=None, source={"exported_from": "cloudwatch", "endpoint": endpoint, "region": opts.region})
            for r in found
        ]
    return records, window.notes


def failed_windows(opts: AwsOptions, lookback: timedelta) -> list[tuple[str, datetime, datetime]]:
    """(name, start, end) of every Failed endpoint: from `lookback` before it failed (its LastModifiedTime) to
    ten minutes after."""
    return [(name, when - lookback, when + timedelta(minutes=10)) for name, when in failed_endpoints(opts)]


def export_failed(
    opts: AwsOptions,
    lookback: timedelta,
    *,
    model: TriageModel | None = None,
    whole_window: bool = False,
    max_events: int = DEFAULT_MAX_EVENTS,
) -> Iterator[tuple[str, list[Incident], list[str]]]:
    """Every Failed endpoint, each read around the moment it failed (its LastModifiedTime)."""
    for name, start, end in failed_windows(opts, lookback):
        try:
            records, notes = export_window(
                name,
                start,
                end,
                opts,
                model=model,
                whole_window=whole_window,
                max_events=max_events,
            )
        except (NotFound, AccessDenied) as exc:  # one unreadable endpoint must not stop the others
            yield name, [], [str(exc)]
            continue
        yield name, records, notes
