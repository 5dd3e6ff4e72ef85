"""Instance capacity: what each SageMaker instance type holds, what 100% of each metric means on it.

One home for both, because every reader of a metric needs them: the
featurizer, episode detection, the evidence sentences, the sparklines and
the advice. CPUUtilization is summed over vCPUs and GPU(Memory)Utilization
over GPUs (0-400% on 4 vCPUs), so a raw 180% means nothing without the
count. Figures are from the public EC2 instance type pages for the same
hardware.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_gib: float
    gpus: int = 0
    gpu_memory_gib: float = 0.0  # per GPU
    accelerator: str | None = None

    @property
    def family(self) -> str:
        return self.name.split(".")[1]

    @property
    def total_gpu_memory_gib(self) -> float:
        return self.gpus * self.gpu_memory_gib


_SIZES = {
    "medium": 0.5,
    "large": 1,
    "xlarge": 2,
    "2xlarge": 4,
    "4xlarge": 8,
    "8xlarge": 16,
    "9xlarge": 18,
    "12xlarge": 24,
    "16xlarge": 32,
    "18xlarge": 36,
    "24xlarge": 48,
    "32xlarge": 64,
    "48xlarge": 96,
}


def _cpu_family(family: str, gib_per_vcpu: float, sizes: tuple[str, ...]) -> list[InstanceType]:
    out = []
    for size in sizes:
        vcpus = max(1, int(_SIZES[size] * 2))
        out.append(InstanceType(f"ml.{family}.{size}", vcpus, vcpus * gib_per_vcpu))
    return out


_GPU_ROWS = [
    # name, vCPUs, memory GiB, GPUs, GiB per GPU, accelerator
    ("ml.g4dn.xlarge", 4, 16, 1, 16, "T4"),
    ("ml.g4dn.2xlarge", 8, 32, 1, 16, "T4"),
    ("ml.g4dn.4xlarge", 16, 64, 1, 16, "T4"),
    ("ml.g4dn.8xlarge", 32, 128, 1, 16, "T4"),
    ("ml.g4dn.12xlarge", 48, 192, 4, 16, "T4"),
    ("ml.g4dn.16xlarge", 64, 256, 1, 16, "T4"),
    ("ml.g5.xlarge", 4, 16, 1, 24, "A10G"),
    ("ml.g5.2xlarge", 8, 32, 1, 24, "A10G"),
    ("ml.g5.4xlarge", 16, 64, 1, 24, "A10G"),
    ("ml.g5.8xlarge", 32, 128, 1, 24, "A10G"),
    ("ml.g5.12xlarge", 48, 192, 4, 24, "A10G"),
    ("ml.g5.16xlarge", 64, 256, 1, 24, "A10G"),
    ("ml.g5.24xlarge", 96, 384, 4, 24, "A10G"),
    ("ml.g5.48xlarge", 192, 768, 8, 24, "A10G"),
    ("ml.g6.xlarge", 4, 16, 1, 24, "L4"),
    ("ml.g6.2xlarge", 8, 32, 1, 24, "L4"),
    ("ml.g6.4xlarge", 16, 64, 1, 24, "L4"),
    ("ml.g6.8xlarge", 32, 128, 1, 24, "L4"),
    ("ml.g6.12xlarge", 48, 192, 4, 24, "L4"),
    ("ml.g6.16xlarge", 64, 256, 1, 24, "L4"),
    ("ml.g6.24xlarge", 96, 384, 4, 24, "L4"),
    ("ml.g6.48xlarge", 192, 768, 8, 24, "L4"),
    ("ml.p3.2xlarge", 8, 61, 1, 16, "V100"),
    ("ml.p3.8xlarge", 32, 244, 4, 16, "V100"),
    ("ml.p3.16xlarge", 64, 488, 8, 16, "V100"),
    ("ml.p4d.24xlarge", 96, 1152, 8, 40, "A100"),
    ("ml.p4de.24xlarge", 96, 1152, 8, 80, "A100"),
    ("ml.p5.48xlarge", 192, 2048, 8, 80, "H100"),
]

_TABLE: dict[str, InstanceType] = {
    it.name: it
    for it in (
        _cpu_family("t2", 2, ("medium", "large", "xlarge", "2xlarge"))
        + _cpu_family("m5", 4, ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"))
        + _cpu_family(
            "m6i",
            4,
            ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
        )
        + _cpu_family("c5", 2, ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge"))
        + _cpu_family(
            "c6i",
            2,
            ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge"),
        )
        + _cpu_family("r5", 8, ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge"))
        + [InstanceType(n, v, m, g, gm, a) for n, v, m, g, gm, a in _GPU_ROWS]
        + [
            InstanceType("ml.inf2.xlarge", 4, 16, 0, 0, "Inferentia2"),
            InstanceType("ml.inf2.8xlarge", 32, 128, 0, 0, "Inferentia2"),
            InstanceType("ml.inf2.24xlarge", 96, 384, 0, 0, "Inferentia2"),
            InstanceType("ml.inf2.48xlarge", 192, 768, 0, 0, "Inferentia2"),
        ]
    )
}

_NAME = re.compile(r"\bml\.[a-z0-9]+\.[a-z0-9]+\b")


def lookup(name: str | None) -> InstanceType | None:
    """Find a known type in free text ("ml.g5.2xlarge", "ML.G5.2XLARGE (volume 380GB)")."""
    if not name:
        return None
    match = _NAME.search(name.lower())
    return _TABLE.get(match.group(0)) if match else None


def is_gpu_name(name: str | None) -> bool:
    """GPU family by name alone, for types missing from the table (ml.g7..., ml.p6...)."""
    it = lookup(name)
    if it is not None:
        return it.gpus > 0
    match = _NAME.search((name or "").lower())
    return match is not None and match.group(0).split(".")[1][:1] in {"g", "p"}


def bigger_for_memory(name: str | None) -> list[InstanceType]:
    """Next types up with more host memory: same family first, then a memory-heavy family."""
    current = lookup(name)
    if current is None:
        return []
    same = sorted(
        (
            t
            for t in _TABLE.values()
            if t.family == current.family and t.memory_gib > current.memory_gib and t.gpus >= current.gpus
        ),
        key=lambda t: (t.memory_gib, t.vcpus),
    )
    out = same[:1]
    if current.gpus == 0 and current.family != "r5":
        r5 = sorted(
            (t for t in _TABLE.values() if t.family == "r5" and t.memory_gib > current.memory_gib),
            key=lambda t: t.memory_gib,
        )
        out += r5[:1]
    return out


def bigger_for_gpu_memory(name: str | None) -> list[InstanceType]:
    """Types with more total GPU memory, fewest GPUs first (so no sharding is needed where possible)."""
    current = lookup(name)
    floor = current.total_gpu_memory_gib if current else 0.0
    per_gpu = current.gpu_memory_gib if current else 0.0
    candidates = [t for t in _TABLE.values() if t.gpus and t.total_gpu_memory_gib > floor]
    bigger_single = sorted(
        (t for t in candidates if t.gpu_memory_gib > per_gpu), key=lambda t: (t.gpus, t.total_gpu_memory_gib, t.vcpus)
    )
    more_gpus = sorted(
        (t for t in candidates if t.gpus > (current.gpus if current else 0)),
        key=lambda t: (t.total_gpu_memory_gib, t.vcpus),
    )
    out: list[InstanceType] = []
    for t in bigger_single[:1] + more_gpus[:1]:
        if t not in out:
            out.append(t)
    return out


def bigger_for_cpu(name: str | None) -> list[InstanceType]:
    current = lookup(name)
    if current is None:
        return []
    same = sorted(
        (t for t in _TABLE.values() if t.family == current.family and t.vcpus > current.vcpus), key=lambda t: t.vcpus
    )
    return same[:1]


# What "high", "saturated" and "pinned" mean for a utilization metric, as a share of its full scale.
HIGH = 0.8
SATURATED = 0.9
PINNED = 0.95

UTILIZATION_METRICS = (
    "CPUUtilization",
    "MemoryUtilization",
    "DiskUtilization",
    "GPUUtilization",
    "GPUMemoryUtilization",
)


def full_scale(metric: str, instance_type: str | None, observed_max: float = 0.0) -> float:
    """What 100% of a utilization metric reads as on this instance: 100 per vCPU or per GPU.

    For an unknown type, the smallest whole number of devices that fits what was observed.
    """
    if metric in ("MemoryUtilization", "DiskUtilization"):
        return 100.0
    it = lookup(instance_type)
    if metric == "CPUUtilization" and it is not None:
        return 100.0 * it.vcpus
    if metric.startswith("GPU") and it is not None and it.gpus:
        return 100.0 * it.gpus
    return 100.0 * max(1.0, math.ceil(observed_max / 100.0 - 1e-9)) if math.isfinite(observed_max) else 100.0


def devices(metric: str, instance_type: str | None) -> str:
    """The devices a metric is summed over, for a sentence: " of 400% (4 vCPUs)", or ""."""
    it = lookup(instance_type)
    if it and metric == "CPUUtilization":
        return f" of {100 * it.vcpus}% ({it.vcpus} vCPUs)"
    if it and it.gpus and metric.startswith("GPU"):
        return f" of {100 * it.gpus}% ({it.gpus} GPU{'s' if it.gpus > 1 else ''})"
    return ""
