"""Split a CloudWatch window into failure episodes.

An hour of logs can hold a crash at 03:05 and an unrelated one at 03:50, or
nothing at all. Each burst of failure signals (error lines, 5XX minutes,
memory or disk pinned near full, a Failed status) becomes one episode,
classified on its own; a window without any is reported as "no failure".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from . import instances
from .incident import Incident, LogEvent, MetricSeries
from .features import TextView, text_view
from .signals import EPISODE_SIGNALS

# Lines that only say "error"/"exception"/"failed" are weak alone: one benign
# WARN-level "error" in an hour of traffic is not an incident.
_WEAK = frozenset({"error_word", "exception_word", "failed_word", "glog_error", "http_5xx"})


@dataclass(frozen=True)
class EpisodeRules:
    gap: timedelta = timedelta(minutes=10)   # quieter than this between signals starts a new episode
    lead: timedelta = timedelta(minutes=10)  # context kept before the first signal (start-up, climbing memory)
    tail: timedelta = timedelta(minutes=2)
    max_episodes: int = 10


class _Point(NamedTuple):  # a tuple, not a frozen dataclass: ten thousand of them are made per busy hour
    time: datetime | None
    strong: bool


def _fill_times(logs: list[LogEvent]) -> list[datetime | None]:
    """Untimestamped events (continuation lines of a traceback) take the time of the event before them."""
    stamps = list(map(attrgetter("timestamp"), logs))
    if all(stamps):  # every event of a CloudWatch window has its time (and a datetime is never false)
        return stamps
    out: list[datetime | None] = []
    last: datetime | None = None
    for e in logs:
        if e.timestamp is not None:
            last = e.timestamp
        out.append(last)
    first = next((t for t in out if t is not None), None)
    return [first if t is None else t for t in out]


def _metric_points(incident: Incident) -> list[_Point]:
    points: list[_Point] = []
    it = instances.lookup(incident.context.instance_type)

    def scan_series(name: str, is_bad) -> None:
        series = incident.metrics.get(name)
        if series is None:
            return
        for t, v in zip(series.timestamps, series.values):
            if not math.isnan(v) and is_bad(v):
                points.append(_Point(t, True))

    gpus = it.gpus if it and it.gpus else 1
    scan_series("Invocation5XXErrors", lambda v: v > 0)
    scan_series("InvocationModelErrors", lambda v: v > 0)
    scan_series("MemoryUtilization", lambda v: v >= 95)
    scan_series("DiskUtilization", lambda v: v >= 95)
    scan_series("GPUMemoryUtilization", lambda v: v >= 95 * gpus)
    return points


def failure_points(incident: Incident, view: TextView, times: list[datetime | None]) -> list[_Point]:
    n = len(incident.logs)
    failing = [i for i in view.result.events_with(EPISODE_SIGNALS).tolist() if i < n]
    strong = set(view.result.events_with(EPISODE_SIGNALS - _WEAK).tolist())
    points = [_Point(times[i], i in strong) for i in failing]
    return points + _metric_points(incident)


def _moved(t: datetime, by: timedelta) -> datetime:
    """`t + by`, stopping at the ends of the calendar instead of overflowing (a record may say year 1 or 9999)."""
    try:
        return t + by
    except OverflowError:
        return (datetime.max if by > timedelta(0) else datetime.min).replace(tzinfo=t.tzinfo)


def _is_failure(points: list[_Point]) -> bool:
    return any(p.strong for p in points) or len(points) >= 2


def _slice(incident: Incident, view: TextView, times: list[datetime | None], lo: datetime,
           hi: datetime) -> tuple[Incident, TextView]:
    # `times` come from _fill_times: None only when no event has a time at all
    kept: Sequence[int]
    if not times or times[0] is None or (lo <= min(times) and max(times) <= hi):  # the episode is the whole window
        kept, logs = range(len(times)), list(incident.logs)
    else:
        kept = [i for i, t in enumerate(times) if t is None or lo <= t <= hi]
        logs = [incident.logs[i] for i in kept]
    metrics = {}
    for name, s in incident.metrics.items():
        keep = [k for k, t in enumerate(s.timestamps) if t is None or lo <= t <= hi]
        if keep:
            metrics[name] = MetricSeries(tuple(s.timestamps[k] for k in keep), tuple(s.values[k] for k in keep))
    base = incident.endpoint or incident.id or "incident"
    episode = replace(incident, id=f"{base}-{lo:%Y-%m-%dT%H:%MZ}", start=lo, end=hi, logs=logs, metrics=metrics)
    return episode, view.logs_subset(kept)


def split(incident: Incident, rules: EpisodeRules = EpisodeRules()) -> list[Incident]:
    """Failure episodes of a window, oldest first; [] when the window holds no failure."""
    return [episode for episode, _ in split_with_views(incident, rules)]


def split_with_views(incident: Incident, rules: EpisodeRules = EpisodeRules(),
                     view: TextView | None = None) -> list[tuple[Incident, TextView]]:
    """`split`, each episode with its text view cut from the window's (the window is scanned once)."""
    view = view or text_view(incident)
    times = _fill_times(incident.logs)
    points = failure_points(incident, view, times)
    # a record's start/end may not cover all of its own timestamps: a signal outside the window is not in it
    points = [p for p in points if p.time is None or ((incident.start is None or p.time >= incident.start)
                                                      and (incident.end is None or p.time <= incident.end))]
    failed_status = (incident.context.status or "").lower() == "failed"
    if not _is_failure(points) and not failed_status:
        return []
    timed = sorted((p for p in points if p.time is not None), key=lambda p: p.time)  # type: ignore[arg-type, return-value]
    if not timed:
        return [(incident, view)]
    groups: list[list[_Point]] = [[timed[0]]]
    for p in timed[1:]:
        if p.time - groups[-1][-1].time > rules.gap:  # type: ignore[operator]
            groups.append([p])
        else:
            groups[-1].append(p)
    groups = [g for g in groups if _is_failure(g)] or ([timed] if failed_status else [])
    while len(groups) > rules.max_episodes:  # merge the two closest neighbours
        gaps = [groups[k + 1][0].time - groups[k][-1].time for k in range(len(groups) - 1)]  # type: ignore[operator]
        k = gaps.index(min(gaps))
        groups[k:k + 2] = [groups[k] + groups[k + 1]]
    lo_bound = incident.start or datetime.min.replace(tzinfo=timed[0].time.tzinfo)  # type: ignore[union-attr]
    hi_bound = incident.end or datetime.max.replace(tzinfo=timed[0].time.tzinfo)  # type: ignore[union-attr]
    episodes = []
    for g in groups:
        lo = max(_moved(g[0].time, -rules.lead), lo_bound)  # type: ignore[arg-type]
        hi = min(_moved(g[-1].time, rules.tail), hi_bound)  # type: ignore[arg-type]
        episodes.append(_slice(incident, view, times, lo, hi))
    return episodes
