"""Entry point of the synthetic corpus: ``generate`` failures, ``generate_healthy`` quiet windows.

Each incident ``index`` gets its own ``random.Random`` seeded from
``(seed, index)`` (string seeding is stable across processes, unlike
``hash()``). The label, root-cause signature, stack and style are drawn
first from that stream; stack/signature filters only *skip* indices, so a
filtered run yields exactly the matching records of the unfiltered run, with
the same ids and bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from random import Random

from training.signatures import REGISTRY, Signature
from training.snippet import snippet
from training.stacks import STACK_WEIGHTS, STACKS, make_scene
from training.story import BUG, CONFIG, RESOURCE, wchoice
from training.window import failure_window, healthy_window

__all__ = ["STACKS", "LABELS", "GENERATOR", "signatures", "generate", "generate_healthy"]

LABELS: tuple[str, ...] = (RESOURCE, CONFIG, BUG)
GENERATOR = "smtriage-synth/1"
SNIPPET_SHARE = 0.5
# Windows whose logs could not be read (denied, or the log group is gone): only metrics and status remain.
METRICS_ONLY_SHARE = 0.05


def signatures() -> dict[str, list[str]]:
    """Label -> names of the root-cause signatures the generator can render."""
    out: dict[str, list[str]] = {label: [] for label in LABELS}
    for sig in REGISTRY.values():
        out[sig.label].append(sig.name)
    return out


def _by_label() -> dict[str, list[tuple[Signature, float]]]:
    out: dict[str, list[tuple[Signature, float]]] = {label: [] for label in LABELS}
    for sig in REGISTRY.values():
        out[sig.label].append((sig, sig.weight))
    return out


_BY_LABEL = _by_label()


def _check(names: Sequence[str] | None, known: Sequence[str], what: str) -> None:
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise ValueError(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")


def _allowed_stacks(stacks: Sequence[str] | None, exclude: Sequence[str] | None) -> set[str]:
    _check(stacks, STACKS, "stack")
    _check(exclude, STACKS, "stack")
    allowed = set(stacks) if stacks else set(STACKS)
    return allowed - set(exclude or ())


def _draw(seed: int, index: int) -> tuple[Random, str, Signature, str, str]:
    """Everything decided before filtering: rng, label, signature, stack, style."""
    rng = Random(f"smtriage-synth:{seed}:{index}")
    label = LABELS[rng.randrange(len(LABELS))]
    sig = wchoice(rng, _BY_LABEL[label])
    stack = wchoice(rng, [(s, STACK_WEIGHTS[s]) for s in sig.stacks])
    style = "snippet" if rng.random() < SNIPPET_SHARE else "window"
    return rng, label, sig, stack, style


def generate(
    n: int,
    seed: int = 0,
    *,
    stacks: Sequence[str] | None = None,
    exclude_stacks: Sequence[str] | None = None,
    signature_names: Sequence[str] | None = None,
) -> Iterator[dict]:
    """``n`` labelled failure incidents (half full windows, half pasted snippets), made as they are read.

    An unknown stack or signature is a ValueError at the call, before any incident is made.
    """
    allowed = _allowed_stacks(stacks, exclude_stacks)
    _check(signature_names, list(REGISTRY), "signature")
    wanted = set(signature_names) if signature_names else set(REGISTRY)
    if not any(set(REGISTRY[s].stacks) & allowed for s in wanted):
        raise ValueError("no signature can be rendered on the selected stacks")
    return _failures(n, seed, allowed, wanted)


def _failures(n: int, seed: int, allowed: set[str], wanted: set[str]) -> Iterator[dict]:
    produced = index = 0
    while produced < n:
        rng, label, sig, stack, style = _draw(seed, index)
        index += 1
        if stack not in allowed or sig.name not in wanted:
            continue
        yield _incident(rng, seed, index - 1, label, sig, stack, style)
        produced += 1


def _incident(rng: Random, seed: int, index: int, label: str, sig: Signature, stack: str, style: str) -> dict:
    sc = make_scene(rng, stack, label, sig.name, sig.need.get(stack))
    story = sig.tell(sc)
    if story.metric_only:
        style = "window"  # nothing explicit to paste: the evidence is in the metrics
    elif story.paste_only:
        style = "snippet"  # rejected by the API before any container ran: no CloudWatch window exists
    if style == "window":
        start, end, logs, metrics, context = failure_window(sc, story)
        s_iso, e_iso = start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")
        endpoint: str | None = sc.endpoint
        variant: str | None = sc.variant
        if metrics and rng.random() < METRICS_ONLY_SHARE:
            logs, style = [], "metrics-only"
    else:
        logs, context = snippet(sc, story)
        metrics, s_iso, e_iso = {}, None, None
        endpoint = sc.endpoint if rng.random() < 0.2 else None
        variant = sc.variant if endpoint else None
    source = {"generator": GENERATOR, "seed": seed, "stack": stack, "signature": sig.name, "style": style}
    if style == "window":  # which events the failure wrote, for training the line scorer
        source["failure_lines"] = [i for i, e in enumerate(logs) if e.pop("story", False)]
    if story.metric_only:  # the lines say that something failed; only the metrics say why
        source["cause_in_logs"] = False
    return {
        "id": f"synth-{seed}-{index:06d}",
        "endpoint": endpoint,
        "variant": variant,
        "start": s_iso,
        "end": e_iso,
        "context": context,
        "logs": logs,
        "metrics": metrics,
        "label": label,
        "source": source,
    }


def generate_healthy(n: int, seed: int = 0, *, stacks: Sequence[str] | None = None) -> Iterator[dict]:
    """Yield ``n`` windows with no failure (label no_failure): traffic, start-ups, benign warnings."""
    allowed = _allowed_stacks(stacks, None)
    pairs = [(s, STACK_WEIGHTS[s]) for s in STACKS]
    produced = index = 0
    while produced < n:
        rng = Random(f"smtriage-healthy:{seed}:{index}")
        stack = wchoice(rng, pairs)
        index += 1
        if stack not in allowed:
            continue
        sc = make_scene(rng, stack, "", "", None)
        start, end, logs, metrics, context = healthy_window(sc)
        style = "window"
        if metrics and rng.random() < METRICS_ONLY_SHARE:
            logs, style = [], "metrics-only"
        produced += 1
        yield {
            "id": f"synth-healthy-{seed}-{index - 1:06d}",
            "endpoint": sc.endpoint,
            "variant": sc.variant,
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "context": context,
            "logs": logs,
            "metrics": metrics,
            "label": "no_failure",
            "source": {"generator": GENERATOR, "seed": seed, "stack": stack, "signature": None, "style": style},
        }
