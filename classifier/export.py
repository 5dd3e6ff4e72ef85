"""`smtriage export`: save CloudWatch windows as incident records, for labeling and for sharing.

By default each failure episode becomes one record, exactly the unit
`classify` scores, so `export` then `batch` gives the verdicts `classify`
gives on the same window. `whole_window` keeps the window as one record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta

from . import episodes
from .errors import AccessDenied, NotFound
from .incident import Incident
from .sources.cloudwatch import DEFAULT_MAX_EVENTS, AwsOptions, failed_endpoints, fetch_window


def export_window(endpoint: str, start: datetime, end: datetime, opts: AwsOptions = AwsOptions(), *,
                  whole_window: bool = False, max_events: int = DEFAULT_MAX_EVENTS,
                  progress: Callable[[int], None] | None = None) -> tuple[list[Incident], list[str]]:
    window = fetch_window(endpoint, start, end, opts, max_events=max_events, progress=progress)
    records = []
    for incident in window.incidents:
        found = [incident] if whole_window else episodes.split(incident)
        records += [replace(r, label=None, source={"exported_from": "cloudwatch", "endpoint": endpoint,
                                                      "region": opts.region}) for r in found]
    return records, window.notes


def export_failed(opts: AwsOptions, lookback: timedelta, *, whole_window: bool = False,
                  max_events: int = DEFAULT_MAX_EVENTS) -> Iterator[tuple[str, list[Incident], list[str]]]:
    """Every Failed endpoint, each read around the moment it failed (its LastModifiedTime)."""
    for name, when in failed_endpoints(opts):
        try:
            records, notes = export_window(name, when - lookback, when + timedelta(minutes=10), opts,
                                           whole_window=whole_window, max_events=max_events)
        except (NotFound, AccessDenied) as exc:  # one unreadable endpoint must not stop the others
            yield name, [], [str(exc)]
            continue
        yield name, records, notes
