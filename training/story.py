"""The vocabulary shared by every part of the generator.

A *signature* (one root cause) tells a :class:`Story`: the log events the
failure makes, whether it happens at container start or while serving, what
the metrics do and what the caller saw. A :class:`Scene` holds everything that
is fixed for one incident (stack, instance, paths, names, formatting choices)
together with the incident's own random generator, so that every choice made
while telling the story comes from one seeded stream and the output is
reproducible byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from random import Random
from typing import TypeVar

T = TypeVar("T")

RESOURCE = "resource_exhaustion"
CONFIG = "configuration_error"
BUG = "model_bug"


@dataclass
class Ev:
    """Something a process wrote: one line, or a block of lines.

    ``src`` names the writer in stack-neutral terms (``worker`` = the Python
    process running model code, ``fe`` = the server frontend, ``access``,
    ``nginx``, ``raw`` = printed without any prefix, ...); the stack's
    formatter turns it into that stack's real prefix.  ``keys`` marks the
    lines that on their own let an expert name the label, so a pasted
    snippet can always keep at least one of them.
    """

    src: str
    lines: list[str]
    level: str = "INFO"
    logger: str = ""
    keys: tuple[int, ...] = ()
    gap: float = 0.05
    block: bool = False

    @property
    def key(self) -> bool:
        return bool(self.keys)


def line(src: str, text: str, level: str = "INFO", logger: str = "", *, key: bool = False, gap: float = 0.05) -> Ev:
    """A single-line event; ``key`` marks it as label evidence."""
    return Ev(src, [text], level, logger, (0,) if key else (), gap)


def block(
    src: str,
    lines: Sequence[str],
    keys: Sequence[int] = (),
    level: str = "INFO",
    logger: str = "",
    *,
    gap: float = 0.05,
) -> Ev:
    """A multi-line block (traceback, Java stack trace, config dump)."""
    n = len(lines)
    return Ev(src, list(lines), level, logger, tuple(sorted({k % n for k in keys})), gap, True)


@dataclass
class Story:
    """What one root cause looks like from the outside."""

    events: list[Ev]
    phase: str = "runtime"
    again: list[Ev] | None = None
    repeats: tuple[int, int] = (1, 4)
    effects: tuple[str, ...] = ()
    status: str | None = None
    failure_reason: str | None = None
    client_error: str | None = None
    partial: bool = False
    metric_only: bool = False
    paste_only: bool = False
    all_instances: bool = True


@dataclass(frozen=True)
class Instance:
    """A SageMaker hosting instance type and the capacity behind it."""

    name: str
    vcpu: int
    mem_gib: float
    gpus: int = 0
    gpu_name: str = ""
    gpu_gib: float = 0.0

    @property
    def gpu(self) -> bool:
        return self.gpus > 0


@dataclass
class Scene:
    """Everything fixed for one incident, plus its random stream."""

    rng: Random
    stack: str
    label: str
    signature: str
    inst: Instance
    region: str
    account: str
    endpoint: str
    variant: str
    image: str
    model: str
    py: str
    site: str
    code_dir: str
    entry: str
    flavour: str
    hf_model: str
    pid: int
    worker: str
    style: dict[str, object] = field(default_factory=dict)

    # -- random helpers: every choice goes through the incident's own stream --
    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.rng.randrange(len(seq))]

    def wpick(self, pairs: Sequence[tuple[T, float]]) -> T:
        total = sum(w for _, w in pairs)
        x = self.rng.random() * total
        for item, w in pairs:
            x -= w
            if x < 0:
                return item
        return pairs[-1][0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def ri(self, a: int, b: int) -> int:
        return self.rng.randint(a, b)

    def uf(self, a: float, b: float) -> float:
        return self.rng.uniform(a, b)

    def hexs(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        return self.rng.sample(list(seq), min(k, len(seq)))

    @property
    def gpu(self) -> bool:
        return self.inst.gpu

    @property
    def s3_model(self) -> str:
        return f"s3://{self.style['bucket']}/{self.style['prefix']}/model.tar.gz"


def wchoice(rng: Random, pairs: Sequence[tuple[T, float]]) -> T:
    """Weighted choice from ``(item, weight)`` pairs with a plain ``Random``."""
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]
