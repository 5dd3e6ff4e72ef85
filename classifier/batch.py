"""Score many incident records: streaming, parallel, resumable.

Records are read lazily and scored in chunks by joblib workers (processes on
one machine, or a Dask cluster through joblib's dask backend), and written in
input order as they come back, so memory depends on the chunk size and the
number of workers, never on the number of incidents. Workers get the raw JSON
lines and parse and validate them themselves: the parent only reads lines,
keeps order and writes, so it never competes with the workers for a core (a
parsed incident also costs several times its line's size to send).

Every output line (verdicts and bad records alike) carries the input file and
line it came from, and lines are written in input order; a batch killed at any
point therefore resumes from the last complete line of its two output files,
scoring nothing twice and losing nothing. A torn last line is cut off first.
"""

from __future__ import annotations

import fcntl
import gzip
import heapq
import json
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BadInput, SmtriageError
from .incident import (UNCERTAIN, BadRecord, Incident, incident_to_dict, json_text, parse_line, read_incidents,
                       read_lines)
from .model import TriageModel
from .triage import classify

Position = tuple[int, int]  # (index of the input file, line number)


@dataclass
class Summary:
    scored: int = 0
    bad: int = 0
    skipped: int = 0  # already done by an earlier, interrupted run
    labels: Counter[str] = field(default_factory=Counter)
    confidence_sum: float = 0.0
    errors_path: Path | None = None

    @property
    def mean_confidence(self) -> float:
        return self.confidence_sum / self.scored if self.scored else 0.0


# ---------------------------------------------------------------- output files that survive kill -9

def _valid_gzip_prefix(path: Path) -> tuple[int, bytes]:
    """Byte length of the complete gzip members at the start of `path`, and their text."""
    data = path.read_bytes()
    good, out, pos = 0, [], 0
    while pos < len(data):
        d = zlib.decompressobj(wbits=31)
        try:
            chunk = d.decompress(data[pos:])
        except zlib.error:
            break
        if not d.eof:
            break
        out.append(chunk)
        pos = len(data) - len(d.unused_data)
        good = pos
    return good, b"".join(out)


def _complete_lines(path: Path) -> list[bytes]:
    """Cut a torn tail off `path` (kill -9 mid-write) and return its complete lines."""
    if not path.exists():
        return []
    if path.suffix == ".gz":
        good, text = _valid_gzip_prefix(path)
        keep = text[: text.rfind(b"\n") + 1]
        if good != path.stat().st_size or keep != text:
            # rewrite the surviving whole lines as one member: simpler than finding a mid-member line end
            path.write_bytes(gzip.compress(keep, mtime=0) if keep else b"")
        return keep.splitlines()
    data = path.read_bytes()
    keep = data[: data.rfind(b"\n") + 1]
    if len(keep) != len(data):
        with open(path, "r+b") as fh:
            fh.truncate(len(keep))
    return keep.splitlines()


class _LineSink:
    """Append-only JSONL writer; each flush reaches the OS, so a killed process loses no flushed line."""

    def __init__(self, path: Path):
        self.path = path
        self._gz = path.suffix == ".gz"
        self._fh = open(path, "ab")
        self._buf: list[bytes] = []

    def write(self, record: dict[str, Any]) -> None:
        self._buf.append((json_text(record) + "\n").encode())

    def flush(self) -> None:
        if not self._buf:
            return
        data = b"".join(self._buf)
        self._buf.clear()
        # one gzip member per flush: a concatenation of members is a valid gzip file
        self._fh.write(gzip.compress(data, mtime=0) if self._gz else data)
        self._fh.flush()

    def close(self) -> None:
        self.flush()
        self._fh.close()


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Refuse to run while another batch writes the same output (advisory lock on a sidecar file)."""
    lock_path = path.with_name(path.name + ".lock")
    fh = open(lock_path, "a")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SmtriageError(f"another smtriage batch is writing {path}; wait for it or choose another --output") from None
        yield
    finally:
        fh.close()


def _positions(lines: Iterable[bytes], inputs: Sequence[str], where: Path) -> list[Position]:
    """The input position each line of an earlier run's output names."""
    index = {name: i for i, name in enumerate(inputs)}
    out = []
    for raw in lines:
        try:
            src = json.loads(raw)["input"]
            out.append((index[src["file"]], int(src["line"])))
        except (ValueError, KeyError, TypeError):
            raise SmtriageError(f"{where} was not written by a batch over these inputs ({', '.join(inputs)}); "
                                "rerun with the same inputs, or choose a new --output") from None
    return out


# ---------------------------------------------------------------- scoring

def _score_chunk(model: TriageModel, inputs: Sequence[str],
                 chunk: list[tuple[Position, str | BadRecord]]) -> list[tuple[Position, dict[str, Any] | None, BadRecord | None, float]]:
    """Runs in a worker: parse each raw line, score the good records; bad ones are returned in place with their reason."""
    items = [(pos, item if isinstance(item, BadRecord) else parse_line(item, inputs[pos[0]], pos[1]))
             for pos, item in chunk]
    verdicts = iter(classify(model, [item for _, item in items if isinstance(item, Incident)]))
    out = []
    for pos, item in items:
        if isinstance(item, BadRecord):
            out.append((pos, None, item, 0.0))
        else:
            v = next(verdicts)
            out.append((pos, v.to_dict(), None, v.confidence))
    return out


def _lines(inputs: Sequence[str], after: Position | None) -> Iterator[tuple[Position, str | BadRecord]]:
    """Raw non-blank lines (parsed in the workers), or why a line or file is refused before parsing."""
    for i, path in enumerate(inputs):
        if after is not None and i < after[0]:
            continue
        if path != "-" and not Path(path).is_file():
            yield (i, 0), BadRecord(path, 0, f"{path}: no such file")
            continue
        for lineno, item in read_lines(path):
            if after is not None and (i, lineno) <= after:
                continue
            yield (i, lineno), item


def _chunks(items: Iterator[tuple[Position, str | BadRecord]], size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def default_errors_path(output: Path) -> Path:
    """verdicts.jsonl.gz -> verdicts.errors.jsonl, beside the output."""
    stem = output.name.removesuffix(".gz").removesuffix(".jsonl")
    return output.with_name(stem + ".errors.jsonl")


def count_records(inputs: Sequence[str]) -> int | None:
    """Non-empty lines in plain input files, for a progress bar's total; None if it cannot be known cheaply."""
    total = 0
    for path in inputs:
        p = Path(path)
        if path == "-" or p.suffix == ".gz" or not p.is_file():
            return None
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                total += block.count(b"\n")
    return total


def run_batch(
    model: TriageModel,
    inputs: Sequence[str],
    output: str | Path,
    *,
    errors: str | Path | None = None,
    jobs: int = 1,
    chunk_size: int = 64,
    review: str | Path | None = None,
    review_size: int = 200,
    scheduler: str | None = None,
    progress: Callable[[int], None] = lambda n: None,
) -> Summary:
    """Score every record of `inputs` into `output` (JSONL, `.gz` for gzip); bad records go to `errors`."""
    from joblib import Parallel, delayed, parallel_config

    out_path = Path(output)
    err_path = Path(errors) if errors else default_errors_path(out_path)
    if out_path.resolve() == err_path.resolve():
        raise SmtriageError("--errors must be a different file from --output")
    if "-" in inputs and len(inputs) > 1:
        raise SmtriageError("`-` (stdin) cannot be mixed with files")
    summary = Summary(errors_path=err_path)
    review_heap: list[tuple[float, int, dict[str, Any]]] = []  # the least confident incidents, bounded

    with _exclusive(out_path), ExitStack() as stack:
        # Each chunk's bad records are flushed before its verdicts, so everything up to the last
        # verdict written is done; bad records already written after it are not written again.
        scored = _positions(_complete_lines(out_path), inputs, out_path)
        reported = set(_positions(_complete_lines(err_path), inputs, err_path))
        after = max(scored, default=None)
        summary.skipped = len(scored) + len(reported)
        sink = _LineSink(out_path)
        stack.callback(sink.close)
        bad_sink = _LineSink(err_path)
        stack.callback(bad_sink.close)

        names = tuple(inputs)
        tasks = (delayed(_score_chunk)(model, names, chunk) for chunk in _chunks(_lines(inputs, after), chunk_size))
        if scheduler:
            from .cluster import dask_client

            stack.enter_context(dask_client(scheduler))  # joblib's dask backend uses this client
            # the model goes to every worker once, not with every chunk
            config = parallel_config(backend="dask", scatter=[model], wait_for_workers_timeout=60)
            n_jobs = -1
        else:
            config = parallel_config(backend="loky" if jobs != 1 else "sequential")
            n_jobs = jobs
        stack.enter_context(config)
        parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
        for results in parallel(tasks):
            for (i, line), verdict, bad, confidence in results:
                source = {"file": inputs[i], "line": line}
                if bad is not None:
                    if (i, line) not in reported:
                        bad_sink.write({"input": source, "reason": bad.reason})
                    summary.bad += 1
                else:
                    assert verdict is not None
                    sink.write({**verdict, "input": source})
                    summary.scored += 1
                    summary.labels[verdict["label"]] += 1
                    summary.confidence_sum += confidence
                    if review is not None:
                        _keep_for_review(review_heap, review_size, confidence, i, line, verdict)
            bad_sink.flush()
            sink.flush()
            progress(len(results))
    if review is not None:
        _write_review(review_heap, inputs, Path(review))
    return summary


def _keep_for_review(heap: list, size: int, confidence: float, i: int, line: int, verdict: dict[str, Any]) -> None:
    # a max-heap on confidence (negated) holding the `size` least confident so far
    item = (-confidence, i * 10**9 + line, {"i": i, "line": line, "verdict": verdict})
    if len(heap) < size:
        heapq.heappush(heap, item)
    elif item > heap[0]:
        heapq.heapreplace(heap, item)


def _write_review(heap: list, inputs: Sequence[str], path: Path) -> None:
    """The least confident incidents, lowest first, as records with `label: null` and the model's guess."""
    wanted = {(e["i"], e["line"]): e["verdict"] for _, _, e in heap}
    order = sorted(wanted, key=lambda k: (wanted[k]["confidence"], k))
    records: dict[Position, dict[str, Any]] = {}
    for i, name in enumerate(inputs):
        if name == "-" or not any(k[0] == i for k in wanted):
            continue
        for lineno, item in read_incidents(name):
            if (i, lineno) in wanted and isinstance(item, Incident):
                records[(i, lineno)] = incident_to_dict(item)
    with open(path, "w", encoding="utf-8") as fh:
        for key in order:
            if key not in records:
                continue
            v = wanted[key]
            rec = records[key] | {"label": None, "suggested": {
                "label": v["label"] if v["label"] != UNCERTAIN else max(v["probabilities"], key=v["probabilities"].get),
                "confidence": v["confidence"], "probabilities": v["probabilities"]},
                "input": {"file": inputs[key[0]], "line": key[1]}}
            fh.write(json_text(rec) + "\n")


def read_text_lines(path: Path) -> list[str]:
    """Complete lines of a (possibly gzip) JSONL file, for tests and the summary."""
    if path.suffix == ".gz":
        return [ln.decode() for ln in _valid_gzip_prefix(path)[1].splitlines()]
    return path.read_text(encoding="utf-8").splitlines()


def check_inputs(inputs: Sequence[str]) -> None:
    missing = [p for p in inputs if p != "-" and not Path(p).exists()]
    if missing:
        raise BadInput(f"input file not found: {', '.join(missing)}")

