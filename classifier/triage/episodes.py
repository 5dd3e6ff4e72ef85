"""Split a CloudWatch window into candidate failure episodes.

An hour of logs can hold a crash at 03:05 and an unrelated one at 03:50, or
nothing at all. Candidates are the lines the line scorer rates as likely
failure lines, minutes with 5XX errors, memory or disk pinned near full, and
a Failed status; candidates close in time make one episode. Whether an
episode is a failure is the classifier's call (`no_failure` is one of its
outcomes), not this module's: a phrase list or a score threshold only
proposes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import cast

import numpy as np

from .. import capacity
from ..incident import Incident, LogEvent, MetricSeries
from ..model.features import Reading


@dataclass(frozen=True)
class EpisodeRules:
    gap: timedelta = timedelta(minutes=10)  # quieter than this between candidates starts a new episode
    lead: timedelta = timedelta(minutes=10)  # context kept before the first candidate (start-up, climbing memory)
    tail: timedelta = timedelta(minutes=2)
    max_episodes: int = 10
    detect: float = 0.5  # a line scored at least this is a candidate


def fill_times(logs: list[LogEvent]) -> list[datetime | None]:
    """Untimestamped events (continuation lines of a traceback) take the time of the event before them."""
    stamps = list(map(attrgetter("timestamp"), logs))
    if all(stamps):
        return stamps
    out: list[datetime | None] = []
    last: datetime | None = None
    for e in logs:
        if e.timestamp is not None:
            last = e.timestamp
        out.append(last)
    first = next((t for t in out if t is not None), None)
    return [first if t is None else t for t in out]


def _seconds(times: list[datetime | None]) -> np.ndarray:
    """Epoch seconds of each time, NaN for none: what the splitting compares, as one array."""
    if None not in times:
        return np.fromiter(map(datetime.timestamp, cast(list[datetime], times)), dtype=np.float64, count=len(times))
    return np.fromiter(
        (t.timestamp() if t is not None else math.nan for t in times), dtype=np.float64, count=len(times)
    )


def _metric_points(incident: Incident) -> list[float]:
    """Epoch seconds of the minutes with 5XX errors, or memory, disk or GPU memory pinned near full."""
    points: list[float] = []
    itype = incident.context.instance_type

    def scan_series(name: str, pinned: bool) -> None:
        series = incident.metrics.get(name)
        if series is None:
            return
        finite = [v for v in series.values if not math.isnan(v)]
        top = capacity.full_scale(name, itype, max(finite, default=0.0)) * capacity.PINNED if pinned else 0.0
        for t, v in zip(series.timestamps, series.values):
            if t is not None and not math.isnan(v) and v > top:
                points.append(t.timestamp())

    scan_series("Invocation5XXErrors", pinned=False)
    scan_series("InvocationModelErrors", pinned=False)
    for name in ("MemoryUtilization", "DiskUtilization", "GPUMemoryUtilization"):
        scan_series(name, pinned=True)
    return points


def _moved(t: datetime, by: timedelta) -> datetime:
    """`t + by`, stopping at the ends of the calendar instead of overflowing (a record may say year 1 or 9999)."""
    try:
        return t + by
    except OverflowError:
        return (datetime.max if by > timedelta(0) else datetime.min).replace(tzinfo=t.tzinfo)


def episode_id(incident: Incident, first: datetime | None) -> str:
    """Named after the endpoint, its variant and the first failure sign: the same in any window that holds it."""
    base = incident.endpoint or incident.id or "incident"
    if incident.endpoint and incident.variant:
        base += f"/{incident.variant}"
    return f"{base}-{first:%Y-%m-%dT%H:%M:%SZ}" if first is not None else base


def _slice(
    incident: Incident, reading: Reading, seconds: np.ndarray, lo: datetime, hi: datetime, first: datetime
) -> tuple[Incident, Reading]:
    a, b = lo.timestamp(), hi.timestamp()
    kept = np.flatnonzero(np.isnan(seconds) | ((seconds >= a) & (seconds <= b)))
    logs = [incident.logs[i] for i in kept.tolist()]
    metrics = {}
    for name, s in incident.metrics.items():
        keep = [k for k, t in enumerate(s.timestamps) if t is None or lo <= t <= hi]
        if keep:
            metrics[name] = MetricSeries(tuple(s.timestamps[k] for k in keep), tuple(s.values[k] for k in keep))
    episode = replace(incident, id=episode_id(incident, first), start=lo, end=hi, logs=logs, metrics=metrics)
    return episode, reading.restrict(kept)


def split(incident: Incident, reading: Reading, rules: EpisodeRules = EpisodeRules()) -> list[tuple[Incident, Reading]]:
    """Candidate episodes of a window, oldest first, each with its reading; [] when nothing stands out."""
    seconds = _seconds(fill_times(incident.logs))
    scores = reading.event_score[: len(incident.logs)]
    points = np.concatenate([seconds[scores >= rules.detect], _metric_points(incident)])
    # a record's start/end may not cover all of its own timestamps: a sign outside the window is not in it
    if incident.start is not None:
        points = points[~(points < incident.start.timestamp())]
    if incident.end is not None:
        points = points[~(points > incident.end.timestamp())]
    failed_status = (incident.context.status or "").lower() == "failed" or bool(incident.context.failure_reason)
    if not len(points) and not failed_status:
        return []
    timed = np.sort(points[~np.isnan(points)])
    if not len(timed):  # pasted lines, or a Failed endpoint with nothing else to place in time: the whole record
        return [(incident, reading)]
    # an episode ends where the candidates pause for longer than the gap
    cuts = np.flatnonzero(np.diff(timed) > rules.gap.total_seconds()) + 1
    groups = [(g[0], g[-1]) for g in np.split(timed, cuts)]
    while len(groups) > rules.max_episodes:  # merge the two closest neighbours
        gaps = [groups[k + 1][0] - groups[k][1] for k in range(len(groups) - 1)]
        k = gaps.index(min(gaps))
        groups[k : k + 2] = [(groups[k][0], groups[k + 1][1])]
    tz = next((t.tzinfo for t in (incident.start, incident.end) if t is not None), UTC)
    lo_bound = incident.start or datetime.min.replace(tzinfo=tz)
    hi_bound = incident.end or datetime.max.replace(tzinfo=tz)
    out = []
    for first, last in groups:
        t0, t1 = _at(first), _at(last)
        out.append(
            _slice(
                incident,
                reading,
                seconds,
                max(_moved(t0, -rules.lead), lo_bound),
                min(_moved(t1, rules.tail), hi_bound),
                t0,
            )
        )
    return out


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
