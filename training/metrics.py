"""One-minute CloudWatch metric windows that tell the same story as the logs - or don't.

Names, namespaces and units follow the SageMaker documentation:
``AWS/SageMaker`` invocation metrics (``Invocations`` and the error counts
are per-minute Sums, ``ModelLatency``/``OverheadLatency`` are Averages in
**microseconds**) and ``/aws/sagemaker/Endpoints`` instance metrics
(``CPUUtilization`` 0-100 x vCPUs, ``GPUUtilization`` and
``GPUMemoryUtilization`` 0-100 x GPUs, memory and disk 0-100).

Real windows are messy, so the metrics sometimes contradict the logs (the
one-minute average hides a short spike), often only one namespace is there,
and minutes without traffic have no latency datapoint at all. LLM servers
pre-allocate their KV cache, so ~90% GPU memory is *normal* for TGI/vLLM/LMI.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from training.story import Scene

LLM_STACKS = ("tgi", "vllm", "djl_lmi")


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _ramp(i: int, a: int, b: int) -> float:
    """0 before ``a``, 1 after ``b``, linear in between."""
    if i <= a:
        return 0.0
    if i >= b:
        return 1.0
    return (i - a) / max(1, b - a)


def presence(sc: Scene, *, startup: bool, forced: bool) -> tuple[bool, bool]:
    """Which namespaces the window has: (invocation metrics, instance metrics)."""
    if forced:
        return True, True
    if startup:
        return False, sc.chance(0.3)
    return sc.wpick((((True, True), 0.5), ((True, False), 0.15), ((False, True), 0.12), ((False, False), 0.23)))


def build(
    sc: Scene,
    start: datetime,
    minutes: int,
    fail_at: int | None,
    effects: tuple[str, ...],
    *,
    instances: int,
    with_invocation: bool,
    with_instance: bool,
    busy: float,
) -> dict[str, dict[str, list]]:
    """Metric series for ``minutes`` one-minute periods starting at ``start``.

    ``fail_at`` is the minute the failure starts (None for a healthy window),
    ``busy`` the baseline load (0..1) that drives traffic and CPU.
    """
    rng = sc.rng
    ts = [(start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ") for m in range(minutes)]
    eff = set(effects) if fail_at is not None else set()
    f = fail_at if fail_at is not None else minutes + 1
    lead = rng.randint(2, max(3, min(15, f)))  # how long a climb takes before the failure
    per_inst = rng.choice((0.3, 1, 2, 5, 12, 40, 120, 400, 1500)) * (0.4 + busy)
    if sc.stack in LLM_STACKS:
        per_inst = min(per_inst, rng.choice((2, 8, 30, 90)))
    base_lat = (
        rng.uniform(300_000, 9_000_000)
        if sc.stack in LLM_STACKS
        else rng.uniform(20_000, 900_000)
        if sc.gpu
        else rng.uniform(1_500, 250_000)
    )
    spike = rng.uniform(3, 25)
    err_frac = rng.uniform(0.02, 0.5) if "partial" in eff else rng.uniform(0.6, 1.0)
    vcpu, gpus = sc.inst.vcpu, sc.inst.gpus
    cpu_base = rng.uniform(3, 30) + 50 * busy
    mem_base = rng.uniform(12, 60)
    disk_base = rng.uniform(8, 45)
    gmem_base = rng.uniform(84, 93) if sc.stack in LLM_STACKS else rng.uniform(15, 70)
    out: dict[str, dict[str, list]] = {}
    inv, e4, e5, me, lat, ovh = [], [], [], [], [], []
    cpu, mem, disk, gpu, gmem = [], [], [], [], []
    for i in range(minutes):
        after = i >= f
        traffic = per_inst * instances
        if "no_traffic" in eff:
            traffic = 0.0
        if "traffic_spike" in eff:
            traffic *= 1 + rng.uniform(3, 12) * _ramp(i, f - lead, f)
        if "traffic_drop" in eff and after:
            traffic *= rng.uniform(0, 0.25)
        n = max(0.0, round(rng.gauss(traffic, traffic**0.5 + 0.01)))
        frac5 = err_frac if after and ("err5xx" in eff or "timeouts" in eff) else 0.0
        frac4 = err_frac if after and "err4xx" in eff else 0.0
        n5 = float(round(n * frac5)) if n else 0.0
        n4 = float(round(n * frac4)) if n else 0.0
        inv.append(n)
        e4.append(n4)
        e5.append(n5)
        me.append(n5 if rng.random() < 0.8 else float(max(0, n5 - 1)))
        latency = base_lat * rng.uniform(0.85, 1.2)
        if "latency_spike" in eff and after:
            latency *= spike
        if "latency_climb" in eff:
            latency *= 1 + (spike - 1) * _ramp(i, f - lead, f + 2)
        if "timeouts" in eff and after:
            latency = max(latency, rng.uniform(45_000_000, 60_000_000))
        lat.append(round(latency, 1) if n else None)
        ovh.append(round(rng.uniform(900, 9000) * (1.5 if "traffic_spike" in eff and after else 1), 1) if n else None)
        c = cpu_base * rng.uniform(0.85, 1.15)
        if "cpu_high" in eff:
            c = c + (100 - c) * _ramp(i, f - lead, f) * rng.uniform(0.9, 1.0)
        if "cpu_one_core" in eff and after:  # one core spinning in a busy loop
            c = 100.0 / vcpu * rng.uniform(0.96, 1.0) + rng.uniform(0, 2)
        if "cpu_idle" in eff and after:
            c = rng.uniform(0.2, 3)
        cpu.append(round(_clip(c, 0, 100) * vcpu, 2))
        m = mem_base * rng.uniform(0.97, 1.03)
        if "mem_climb" in eff:
            m = m + (rng.uniform(96, 99.9) - m) * _ramp(i, f - lead, f)
            if after and i > f + 1 and rng.random() < 0.5:
                m = mem_base * rng.uniform(0.9, 1.1) + (i - f) * rng.uniform(1, 6)
        if "mem_high" in eff and i >= f - 1:
            m = rng.uniform(88, 99.5)
        mem.append(round(_clip(m, 0, 100), 2))
        d = disk_base
        if "disk_full" in eff:
            d = d + (100 - d) * _ramp(i, f - lead, f)
        disk.append(round(_clip(d + rng.uniform(-0.05, 0.05), 0, 100), 2))
        g = (rng.uniform(5, 40) + 40 * busy) if n else rng.uniform(0, 2)
        gpu.append(round(_clip(g, 0, 100) * gpus, 2))
        gm = gmem_base * rng.uniform(0.99, 1.01)
        if "gpu_mem_high" in eff:
            gm = gm + (rng.uniform(97, 100) - gm) * _ramp(i, f - lead, f)
        gmem.append(round(_clip(gm, 0, 100) * gpus, 2))
    if with_invocation:
        keep = [k for k in range(minutes) if lat[k] is not None] if rng.random() < 0.7 else list(range(minutes))
        out["Invocations"] = _series(ts, inv)
        out["Invocation4XXErrors"] = _series(ts, e4)
        out["Invocation5XXErrors"] = _series(ts, e5)
        if rng.random() < 0.7:
            out["InvocationModelErrors"] = _series(ts, me)
        if keep:
            out["ModelLatency"] = _series([ts[k] for k in keep], [lat[k] if lat[k] is not None else 0.0 for k in keep])
            if rng.random() < 0.8:
                out["OverheadLatency"] = _series(
                    [ts[k] for k in keep], [ovh[k] if ovh[k] is not None else 0.0 for k in keep]
                )
        for name in list(out):
            if (
                name in ("Invocation4XXErrors", "InvocationModelErrors")
                and rng.random() < 0.15
                and not sum(out[name]["values"])
            ):
                del out[name]
    if with_instance:
        out["CPUUtilization"] = _series(ts, cpu)
        out["MemoryUtilization"] = _series(ts, mem)
        if rng.random() < 0.75:
            out["DiskUtilization"] = _series(ts, disk)
        if gpus:
            out["GPUUtilization"] = _series(ts, gpu)
            out["GPUMemoryUtilization"] = _series(ts, gmem)
    return out


def _series(ts: list[str], values: Sequence[float | None]) -> dict[str, list]:
    return {"timestamps": list(ts), "values": [float(v) if v is not None else 0.0 for v in values]}
