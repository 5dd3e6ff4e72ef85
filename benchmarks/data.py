"""Deterministic benchmark data, built once from the training generator and cached in benchmarks/_data/.

Nothing here is committed: benchmarks/_data/ is git-ignored, and every file is
rebuilt byte for byte from a fixed seed when missing (the `.meta.json` beside
each file records how it was made and what it holds).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .common import DATA, ROOT, say

SEED = 7
LINES_VERSION = 1
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def _ensure_path() -> None:
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------- 1,000,000 realistic log lines


def _record_lines(rec: dict[str, Any]) -> list[str]:
    """A record's log messages as file lines: multi-line events split, CR dropped (every reader then agrees on \\n)."""
    out: list[str] = []
    for ev in rec["logs"]:
        out += ev["message"].replace("\r", "").split("\n")
    return out


def signals_fingerprint() -> str:
    """Changes whenever the product's signal patterns do (the data's signal shares are then recounted)."""
    from classifier.text.signals import SIGNALS

    h = hashlib.sha256()
    for s in SIGNALS:  # regex scanners had a `pattern`, the phrase scanner `counted_only`: take whichever exists
        h.update(
            f"{s.name}|{getattr(s, 'pattern', '')}|{getattr(s, 'counted_only', '')}|{'/'.join(s.literals)}\n".encode()
        )
    return h.hexdigest()[:16]


def _line_classes(lines: list[str]) -> tuple[int, int, int]:
    """(lines with any signal, lines with a non-traffic signal, lines with a failure/episode signal) by the product's scan."""
    from classifier.text import signals
    from classifier.text.clean import message_text

    hits = signals.scan([message_text(x) for x in lines]).by_text()
    anysig = len(hits)
    salient = anysig  # no signal is traffic-only any more: every located signal is a feature
    episode = sum(1 for names in hits.values() if not signals.LIKELY_FAILURE.isdisjoint(names))
    return anysig, salient, episode


def build_lines(n: int, path: Path, target_share: float = 0.10) -> dict[str, Any]:
    """Interleave the generator's failure windows and healthy windows until `n` lines.

    The next window is a failure window while the running share of failure lines
    (lines carrying one of the product's LIKELY_FAILURE signals) is below `target_share`,
    else a healthy window; shares are counted with the product's own
    `classifier.text.signals.scan` over each generator window.
    """
    _ensure_path()
    from training.generator import generate, generate_healthy

    failures = (r for r in generate(10**9, seed=SEED) if r["source"]["style"] == "window")
    healthy = generate_healthy(10**9, seed=SEED)
    total = anysig = salient = episode = 0
    n_fail = n_healthy = 0
    sha = hashlib.sha256()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        while total < n:
            if episode < target_share * max(total, 1):
                rec, n_fail = next(failures), n_fail + 1
            else:
                rec, n_healthy = next(healthy), n_healthy + 1
            lines = _record_lines(rec)[: n - total]
            a, s, e = _line_classes(lines)
            anysig, salient, episode, total = anysig + a, salient + s, episode + e, total + len(lines)
            text = "".join(x + "\n" for x in lines)
            data = text.encode("utf-8", "surrogatepass")
            sha.update(data)
            fh.write(text)
            if (n_fail + n_healthy) % 500 == 0:
                say(f"  lines: {total:,}/{n:,}")
    tmp.replace(path)
    meta = {
        "version": LINES_VERSION,
        "seed": SEED,
        "lines": total,
        "failure_windows": n_fail,
        "healthy_windows": n_healthy,
        "lines_any_signal": anysig,
        "lines_salient_signal": salient,
        "lines_failure_signal": episode,
        "bytes": path.stat().st_size,
        "sha256": sha.hexdigest(),
        "signals": signals_fingerprint(),
    }
    path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def lines_file(n: int = 1_000_000) -> tuple[Path, dict[str, Any]]:
    """The file and its meta; the signal shares are those of the product's current signal patterns.

    The file is built once (with the signals of that day) and kept; when the
    product's signals change later, the shares are recounted (not the file
    rebuilt), so the numbers stay comparable and the shares stay true.
    """
    path = DATA / f"lines_{n}.log"
    meta_path = path.with_suffix(".meta.json")
    meta = None
    if path.exists() and meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if not (
            meta.get("version") == LINES_VERSION and meta.get("lines") == n and meta.get("bytes") == path.stat().st_size
        ):
            meta = None
    if meta is None:
        say(f"building {path} (once; cached) ...")
        meta = build_lines(n, path)
    fp = signals_fingerprint()
    if meta.get("signals") != fp:
        counts = meta.setdefault("recounted", {}).get(fp)
        if counts is None:
            say(f"the product's signal patterns changed since {path.name} was built: recounting its signal lines ...")
            lines = read_lines(path)
            totals = [0, 0, 0]
            for k in range(0, len(lines), 1000):
                for i, c in enumerate(_line_classes(lines[k : k + 1000])):
                    totals[i] += c
            counts = meta["recounted"][fp] = dict(
                zip(("lines_any_signal", "lines_salient_signal", "lines_failure_signal"), totals)
            )
            meta_path.write_text(json.dumps(meta, indent=1))
        meta = {**meta, **counts, "signals_at_build": meta.get("signals"), "signals": fp}
    return path, meta


def read_lines(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="surrogatepass", newline="\n") as fh:
        return fh.read().split("\n")[:-1]


def incidents_from_lines(lines: list[str], per: int = 1000, streams: int = 3) -> list[Any]:
    """Consecutive `per` lines as one CloudWatch window each: an hour, `streams` instance streams."""
    _ensure_path()
    from classifier.incident import Incident, LogEvent

    step = timedelta(seconds=3600 / per)
    out = []
    for k in range(0, len(lines), per):
        t0 = BASE_TIME + timedelta(hours=k // per)
        names = [f"AllTraffic/i-0{k // per:07x}{s:09x}" for s in range(streams)]
        out.append(
            Incident(
                id=f"bench-{k // per}",
                endpoint="bench-endpoint",
                variant="AllTraffic",
                start=t0,
                end=t0 + timedelta(hours=1),
                logs=[LogEvent(line, t0 + j * step, names[j % streams]) for j, line in enumerate(lines[k : k + per])],
            )
        )
    return out


# ---------------------------------------------------------------- metric windows


def metric_records(n_distinct: int = 4000) -> list[dict[str, Any]]:
    """Metrics and context of `n_distinct` generator windows (failure and healthy, half each), cached as JSONL."""
    path = DATA / f"metric_windows_{n_distinct}.jsonl"
    if not path.exists():
        _ensure_path()
        from training.generator import generate, generate_healthy

        say(f"building {path} (once; cached) ...")
        fail = (r for r in generate(10**9, seed=SEED + 1) if r["metrics"])
        ok = generate_healthy(10**9, seed=SEED + 1)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            for rec in itertools.islice(itertools.chain.from_iterable(zip(fail, ok)), n_distinct):
                fh.write(
                    json.dumps({"id": rec["id"], "context": rec["context"], "metrics": rec["metrics"], "logs": []})
                    + "\n"
                )
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- batch input


def batch_file(n: int) -> Path:
    """`n` generated incident records (the generator's failures, windows and snippets), JSONL."""
    path = DATA / f"incidents_{n}.jsonl"
    if not path.exists():
        _ensure_path()
        from training.generator import generate

        say(f"building {path} (once; cached) ...")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            for rec in generate(n, seed=SEED + 2):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        tmp.replace(path)
    return path


# ---------------------------------------------------------------- a live window for moto


def cloudwatch_incident(n_events: int, end: datetime, *, streams: int = 4, metrics_seed_index: int = 0) -> Any:
    """A one-hour window ending at `end`: the first `n_events` benchmark lines over `streams` instances, plus metrics."""
    _ensure_path()
    from classifier.incident import Context, Incident, LogEvent, MetricSeries

    path, _ = lines_file()
    lines: list[str] = []
    with open(path, encoding="utf-8", errors="surrogatepass", newline="\n") as fh:
        for line in itertools.islice(fh, n_events):
            lines.append(line[:-1] or " ")  # CloudWatch refuses an empty message
    start = end - timedelta(hours=1)
    step = timedelta(seconds=3600 / len(lines))
    names = [f"AllTraffic/i-0bench{s:011x}" for s in range(streams)]
    logs = [LogEvent(line, start + j * step, names[j % streams]) for j, line in enumerate(lines)]
    rec = metric_records()[metrics_seed_index]
    metrics = {}
    for name, series in rec["metrics"].items():
        vals = tuple(float(v) for v in series["values"])
        metrics[name] = MetricSeries(tuple(start + timedelta(minutes=m) for m in range(len(vals))), vals)
    return Incident(
        logs=logs,
        metrics=metrics,
        id="bench",
        endpoint="bench-endpoint",
        variant="AllTraffic",
        start=start,
        end=end,
        context=Context(
            status="InService",
            instance_type="ml.m5.xlarge",
            instance_count=streams,
            image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3",
        ),
    )


def iter_chunks(seq: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]
