"""Full CloudWatch windows: what ``smtriage export`` would fetch for an incident.

A window spans 10-60 minutes of one endpoint's log group across 1-4
instance streams (``<variant>/i-<17 hex>``): container start-up, ``/ping``
health checks, traffic, housekeeping and benign warnings, and - at some
point - the failure, repeated as often as it really repeats (every request,
every container restart). Metric windows cover the same minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from training import metrics, noise
from training.stacks import iso_event, joinable, render_block, render_line
from training.story import Ev, Scene, Story

EPOCH = datetime(2022, 1, 1)


@dataclass
class _Rec:
    t: datetime
    inst: int
    seq: int
    message: str
    story: bool = False  # written by the failure, not by the healthy background


def window_start(sc: Scene) -> datetime:
    return EPOCH + timedelta(days=sc.rng.randrange(0, 5 * 365), minutes=sc.rng.randrange(0, 1440))


def instance_ids(sc: Scene, n: int) -> list[str]:
    return [f"i-0{sc.hexs(16)}" for _ in range(n)]


def _budget(sc: Scene) -> int:
    """Total number of events in the window (log-uniform between ~30 and ~400)."""
    return int(30 * (400 / 30) ** sc.rng.random())


def _emit(sc: Scene, ev: Ev, t: datetime, inst: int, out: list[_Rec], story: bool) -> None:
    if joinable(sc, ev) and sc.style["multiline"]:
        out.append(_Rec(t, inst, len(out), render_block(sc, ev, t), story))
        return
    for i in range(len(ev.lines)):
        text = render_line(sc, ev, i, t)
        if text.strip():  # CloudWatch has no empty events: blank lines of a block vanish
            out.append(_Rec(t, inst, len(out), text, story))


def _play(
    sc: Scene, evs: list[Ev], t: datetime, inst: int, out: list[_Rec], until: datetime, story: bool = False
) -> datetime:
    """Emit ``evs`` in order starting at ``t``; returns the time after the last one."""
    for ev in evs:
        t = t + timedelta(seconds=ev.gap * sc.uf(0.5, 1.5) + sc.uf(0.0005, 0.02))
        if t >= until:
            break
        _emit(sc, ev, t, inst, out, story)
    return t


def _traffic(
    sc: Scene,
    t0: datetime,
    t1: datetime,
    n: int,
    load: float,
    out: list[_Rec],
    inst: int,
    thin_after: datetime | None = None,
) -> None:
    """Healthy background between ``t0`` and ``t1``: ~``n`` pings, requests, housekeeping, benign lines."""
    span = (t1 - t0).total_seconds()
    if span <= 1 or n <= 0:
        return
    logs_pings = bool(noise.ping(sc))
    slots = sorted(sc.uf(0, span) for _ in range(n))
    for s in slots:
        t = t0 + timedelta(seconds=s)
        r = sc.rng.random()
        if r < 0.03:
            evs = [noise.benign(sc)]
        elif r < 0.10:
            evs = noise.periodic(sc, load)
        elif r < 0.45 and logs_pings:
            evs = noise.ping(sc)
        else:
            if thin_after is not None and t >= thin_after and sc.rng.random() < 0.8:
                continue
            evs = noise.request(sc)
        _play(sc, evs, t, inst, out, t1)


def _finish(sc: Scene, recs: list[_Rec], streams: list[str]) -> list[dict]:
    """The window's events in time order; the failure's own events say so (`story`), for the line scorer."""
    recs.sort(key=lambda r: (r.t, r.inst, r.seq))
    return [
        {
            "timestamp": iso_event(r.t),
            "stream": streams[r.inst],
            "message": r.message,
            **({"story": True} if r.story else {}),
        }
        for r in recs
    ]


def _context(sc: Scene, status: str | None, reason: str | None, count: int) -> dict:
    ctx = {
        "status": status,
        "failure_reason": reason,
        "instance_type": sc.inst.name,
        "instance_count": count,
        "image": sc.image,
    }
    for k in ("instance_type", "instance_count", "image"):
        if sc.chance(0.07):
            ctx[k] = None
    return ctx


def _failing_ping(sc: Scene, story: Story) -> int | None:
    """Status of the health checks while the model is not up, if anything logs them.

    nginx fronts the sklearn/XGBoost/TF Serving/BYOC-gunicorn containers and
    answers 502 while nothing listens behind it; TorchServe/MMS answer 500
    once their frontend is running. Other servers are simply not there.
    """
    if sc.stack in ("sklearn", "xgboost", "tfserving") or (sc.stack == "byoc" and sc.flavour == "flask_gunicorn"):
        return 502
    if sc.stack in ("torchserve", "hf_mms") and any(e.src == "fe" for e in story.events):
        return 500
    return None


def _boot(sc: Scene) -> list[Ev]:
    return noise.startup(sc) + noise.ready(sc)


def failure_window(sc: Scene, story: Story) -> tuple[datetime, datetime, list[dict], dict, dict]:
    """(start, end, logs, metrics, context) of a window that contains ``story``."""
    rng = sc.rng
    minutes = rng.randint(10, 60)
    start = window_start(sc)
    end = start + timedelta(minutes=minutes)
    budget = _budget(sc)
    recs: list[_Rec] = []
    effects = story.effects + (("partial",) if story.partial else ())
    if story.phase == "startup":
        status = story.status or "Failed"
        serving_old = status in ("Updating", "RollingBack") and rng.random() < 0.7
        n_new = 1 if rng.random() < 0.8 else 2
        n = n_new + (1 if serving_old else 0)
        streams = [f"{sc.variant}/{i}" for i in instance_ids(sc, n)]
        per_attempt = max(1, sum(len(e.lines) for e in story.events))
        ping_code = _failing_ping(sc, story)
        for k in range(n_new):
            t = start + timedelta(seconds=sc.uf(5, 90))
            # SageMaker keeps restarting the container until it gives up: short crashes repeat many times
            attempts = rng.randint(*story.repeats) + rng.randint(0, 3)
            attempts = max(attempts, min(12, 30 // per_attempt))
            attempts = min(attempts, max(1, 380 // (per_attempt * n_new)))
            for _ in range(attempts):
                if t >= end:
                    break
                t = _play(sc, story.events, t, k, recs, end, story=True)
                if ping_code is not None:
                    for _ in range(rng.randint(0, 4)):
                        t = _play(
                            sc, noise.ping(sc, ping_code), t + timedelta(seconds=sc.uf(2, 15)), k, recs, end, story=True
                        )
                t += timedelta(seconds=sc.uf(30, 240))
        if serving_old:  # the instance of the previous deployment keeps serving while the new one fails
            _traffic(sc, start, end, max(10, budget - len(recs)), rng.uniform(0.05, 0.6), recs, n - 1)
        show_metrics = metrics.presence(sc, startup=not serving_old, forced=False)
        m = metrics.build(
            sc,
            start,
            minutes,
            0,
            effects if not serving_old else (),
            instances=max(1, n - n_new),
            with_invocation=show_metrics[0],
            with_instance=show_metrics[1],
            busy=rng.uniform(0, 0.5),
        )
        reason = story.failure_reason if status in ("Failed", "RollingBack", "Updating") else None
        return start, end, _finish(sc, recs, streams), m, _context(sc, status, reason, n_new)
    # runtime failure
    n = rng.choice((1, 1, 1, 1, 2, 2, 3, 4))
    streams = [f"{sc.variant}/{i}" for i in instance_ids(sc, n)]
    fail_frac = rng.uniform(0.3, 0.8)
    tf = start + timedelta(seconds=minutes * 60 * fail_frac)
    affected = list(range(n)) if story.all_instances else [rng.randrange(n)]
    load = rng.uniform(0.05, 0.9)
    with_boot = rng.random() < 0.25
    first_len = max(1, sum(len(e.lines) for e in story.events))
    again_len = max(1, sum(len(e.lines) for e in (story.again or story.events)))
    # keep the whole window under ~400 events: fewer repeats of a long traceback, fewer noise lines
    max_occ = max(1, (380 - first_len * len(affected)) // (again_len * len(affected)) + 1)
    story_lines = (first_len + again_len * (sum(story.repeats) // 2 - 1)) * len(affected)
    noise_per_inst = max(8, (budget - story_lines) // n)
    for k in range(n):
        t = start + timedelta(seconds=sc.uf(0, 20))
        if with_boot:
            t = _play(sc, _boot(sc), t, k, recs, end)
        thin = tf if (k in affected and not story.partial) else None
        _traffic(sc, t, end, noise_per_inst, load, recs, k, thin_after=thin)
        if k not in affected:
            continue
        occurrences = min(rng.randint(*story.repeats), max_occ)
        tt = tf + timedelta(seconds=sc.uf(0, 30) * k)
        for o in range(occurrences):
            if tt >= end:
                break
            evs = story.events if o == 0 or story.again is None else story.again
            tt = _play(sc, evs, tt, k, recs, end, story=True) + timedelta(seconds=sc.uf(3, 150))
    forced = story.metric_only
    inv, inst = metrics.presence(sc, startup=False, forced=forced)
    if not forced and rng.random() < 0.15:
        effects = ()  # the one-minute averages hide it: metrics disagree with the logs
    m = metrics.build(
        sc,
        start,
        minutes,
        int(minutes * fail_frac),
        effects,
        instances=n,
        with_invocation=inv,
        with_instance=inst,
        busy=load,
    )
    return start, end, _finish(sc, recs, streams), m, _context(sc, story.status or "InService", story.failure_reason, n)


def healthy_window(sc: Scene) -> tuple[datetime, datetime, list[dict], dict, dict]:
    """A window with no failure: traffic, health checks, start-ups and harmless noise."""
    rng = sc.rng
    minutes = rng.randint(10, 60)
    start = window_start(sc)
    end = start + timedelta(minutes=minutes)
    budget = _budget(sc)
    n = rng.choice((1, 1, 1, 2, 2, 3, 4))
    streams = [f"{sc.variant}/{i}" for i in instance_ids(sc, n)]
    recs: list[_Rec] = []
    load = rng.uniform(0.0, 0.7)
    scale_out = n > 1 and rng.random() < 0.3
    for k in range(n):
        t = start + timedelta(seconds=sc.uf(0, 20))
        if scale_out and k == n - 1:
            t = start + timedelta(seconds=minutes * 60 * rng.uniform(0.2, 0.7))
            t = _play(sc, _boot(sc), t, k, recs, end)
        elif rng.random() < 0.3:
            t = _play(sc, _boot(sc), t, k, recs, end)
        _traffic(sc, t, end, max(8, budget // n), load, recs, k)
        for _ in range(rng.randint(0, 3)):
            tb = start + timedelta(seconds=sc.uf(0, minutes * 60))
            _play(sc, [noise.benign(sc)], tb, k, recs, end)
    inv, inst = metrics.presence(sc, startup=False, forced=False)
    m = metrics.build(sc, start, minutes, None, (), instances=n, with_invocation=inv, with_instance=inst, busy=load)
    status = "InService" if rng.random() < 0.9 else rng.choice(("Updating", "SystemUpdating"))
    return start, end, _finish(sc, recs, streams), m, _context(sc, status, None, n)
