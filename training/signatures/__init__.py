"""Root-cause signatures: one function per cause, registered with its label.

Each signature tells the :class:`~training.story.Story` of one root cause on
any of the stacks it lists, phrased the way that stack phrases it. The three
modules below hold the causes of each label; importing this package registers
all of them in a fixed order (so generation is deterministic).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from training.story import Scene, Story


@dataclass(frozen=True)
class Signature:
    """A registered root cause."""

    name: str
    label: str
    stacks: tuple[str, ...]
    tell: Callable[[Scene], Story]
    need: Mapping[str, str | None]
    weight: float = 1.0


REGISTRY: dict[str, Signature] = {}


def signature(
    name: str,
    label: str,
    stacks: tuple[str, ...],
    *,
    need: str | Mapping[str, str | None] | None = None,
    weight: float = 1.0,
) -> Callable[[Callable[[Scene], Story]], Callable[[Scene], Story]]:
    """Register ``fn`` as the story teller of root cause ``name``.

    ``need`` constrains the instance: ``"gpu"``, ``"cpu"``, ``"multi_gpu"``,
    ``"single_gpu"`` or a per-stack mapping of those.
    """

    def deco(fn: Callable[[Scene], Story]) -> Callable[[Scene], Story]:
        if name in REGISTRY:
            raise ValueError(f"duplicate signature {name}")
        per_stack = dict(need) if isinstance(need, Mapping) else {s: need for s in stacks}
        REGISTRY[name] = Signature(name, label, stacks, fn, per_stack, weight)
        return fn

    return deco


# Registration happens on import; the order is fixed, which keeps generation deterministic.
from training.signatures import config, model_bug, resource, symptoms  # noqa: E402,F401  (importing registers them)
