"""Score many incident records: streaming, parallel, resumable, and careful with the user's files.

Records are read lazily and scored in chunks by joblib workers (processes on
one machine, or a Dask cluster through joblib's dask backend), and written in
input order as they come back, so memory depends on the chunk size and the
number of workers, never on the number of incidents. Workers get the raw JSON
lines and parse and validate them themselves: the parent only reads lines,
keeps order and writes.

Every output line (verdicts and bad records alike) carries the input file and
line it came from, and lines are written in input order; a batch killed at any
point therefore resumes from the last complete line of its output, scoring
nothing twice and losing nothing. A torn last line is cut off first. Resuming
reads the output through once, keeping only its last line.

Every path is resolved before anything is opened for writing: an output,
errors or review file that is one of the inputs, or that is another of
them, is refused (exit 2), and the lock against a second batch is taken on
the resolved output, so a symlink cannot get around it.
"""

from __future__ import annotations

import fcntl
import gzip
import heapq
import json
import os
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .errors import SmtriageError, UsageError
from .incident import (
    UNCERTAIN,
    BadRecord,
    Incident,
    incident_to_dict,
    json_text,
    parse_line,
    read_incidents,
    read_lines,
)
from .model import TriageModel
from .triage import classify

Position = tuple[int, int]  # (index of the input file, line number)
MAX_ERRORS = 10_000  # bad records written to the errors file; past this they are only counted


@dataclass
class Summary:
    scored: int = 0
    bad: int = 0  # bad records met by this run, listed or not
    bad_before: int = 0  # bad records an interrupted earlier run had already listed
    unlisted: int = 0  # bad records over MAX_ERRORS, counted but not written
    skipped: int = 0  # incidents already scored by an earlier, interrupted run
    labels: Counter[str] = field(default_factory=Counter)
    confidence_sum: float = 0.0
    errors_path: Path | None = None

    @property
    def mean_confidence(self) -> float:
        return self.confidence_sum / self.scored if self.scored else 0.0

    @property
    def any_bad(self) -> bool:
        return bool(self.bad or self.bad_before)


# ---------------------------------------------------------------- paths


def _resolved(path: str | Path) -> Path:
    return Path(os.path.realpath(path))


def check_paths(inputs: Sequence[str], output: Path, errors: Path, review: Path | None) -> None:
    """Refuse, before anything is written, a set of paths where writing one would destroy another."""
    if "-" in inputs and len(inputs) > 1:
        raise UsageError("`-` (stdin) cannot be mixed with files")
    named = {"--out": output, "--errors": errors, **({"--review": review} if review is not None else {})}
    resolved = {opt: _resolved(p) for opt, p in named.items()}
    ins = {_resolved(p): p for p in inputs if p != "-"}
    for opt, path in resolved.items():
        if path in ins:
            raise UsageError(
                f"{opt} {named[opt]} is the input file {ins[path]}: it would be overwritten; choose another path"
            )
    seen: dict[Path, str] = {}
    for opt, path in resolved.items():
        if path in seen:
            raise UsageError(f"{opt} and {seen[path]} are the same file ({named[opt]}); they must differ")
        seen[path] = opt


# ---------------------------------------------------------------- output files that survive kill -9


def _tail(path: Path) -> tuple[int, bytes | None, int]:
    """(bytes of `path` that hold complete lines, the last complete line, how many complete lines).

    Reads the file through once and keeps one line: resuming after a large run
    costs a pass over its output, not its size in memory. A gzip output is one
    member per flush, each of whole lines; a torn member is not counted.
    """
    if not path.exists():
        return 0, None, 0
    blocks_of = lambda fh: iter(lambda: fh.read(1 << 20), b"")  # noqa: E731
    with open(path, "rb") as fh:
        if path.suffix != ".gz":
            offset = good = count = 0
            for block in blocks_of(fh):
                n = block.count(b"\n")
                if n:
                    count += n
                    good = offset + block.rfind(b"\n") + 1
                offset += len(block)
            return good, (_last_line(path, good) if count else None), count
        good, last, count, offset = 0, None, 0, 0
        member, text = zlib.decompressobj(wbits=31), b""
        for block in blocks_of(fh):
            data = block
            while data:
                try:
                    text += member.decompress(data)
                except zlib.error:
                    return good, last, count
                if not member.eof:
                    offset += len(data)
                    break
                rest = member.unused_data
                offset += len(data) - len(rest)
                if not text.endswith(b"\n"):
                    return good, last, count
                lines = text.splitlines()
                count, last, good = count + len(lines), lines[-1], offset
                member, text, data = zlib.decompressobj(wbits=31), b"", rest
    return good, last, count


def _last_line(path: Path, good: int) -> bytes:
    """The last complete line of a plain file whose first `good` bytes are complete lines."""
    with open(path, "rb") as fh:
        back = 1 << 16
        while True:
            fh.seek(max(0, good - back))
            data = fh.read(good - max(0, good - back))
            body = data[:-1]  # without the final newline
            at = body.rfind(b"\n")
            if at >= 0 or back >= good:
                return body[at + 1 :]
            back *= 4


def _cut_torn_tail(path: Path, good: int) -> None:
    if path.exists() and path.stat().st_size != good:
        with open(path, "r+b") as fh:
            fh.truncate(good)


class _LineSink:
    """Append-only JSONL writer; each flush reaches the OS, so a killed process loses no flushed line."""

    def __init__(self, path: Path):
        self.path = path
        self._gz = path.suffix == ".gz"
        self._fh: IO[bytes] | None = None  # opened at the first flush: no bad record, no errors file
        self._buf: list[bytes] = []

    def write(self, record: dict[str, Any]) -> None:
        self._buf.append((json_text(record) + "\n").encode())

    def flush(self) -> None:
        if not self._buf:
            return
        data = b"".join(self._buf)
        self._buf.clear()
        try:
            if self._fh is None:
                self._fh = open(self.path, "ab")
            # one gzip member per flush: a concatenation of members is a valid gzip file
            self._fh.write(gzip.compress(data, mtime=0) if self._gz else data)
            self._fh.flush()
        except OSError as exc:
            raise SmtriageError(
                f"cannot write {self.path}: {exc.strerror or exc}; free space or choose another "
                "--output, then run the same command again to resume"
            ) from None

    def close(self) -> None:
        try:
            self.flush()
        finally:
            if self._fh is not None:
                self._fh.close()


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Refuse to run while another batch writes the same (resolved) output; the lock file goes when done."""
    lock_path = path.with_name(path.name + ".lock")
    fh = open(lock_path, "a")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SmtriageError(
                f"another smtriage batch is writing {path}; wait for it or choose another --output"
            ) from None
        try:
            yield
        finally:
            lock_path.unlink(missing_ok=True)  # still holding the lock: nobody else can be between the two
    finally:
        fh.close()


def _position(raw: bytes | None, inputs: Sequence[str], where: Path) -> Position | None:
    """The input position an earlier run's output line names."""
    if raw is None:
        return None
    index = {name: i for i, name in enumerate(inputs)}
    try:
        src = json.loads(raw)["input"]
        return index[src["file"]], int(src["line"])
    except (ValueError, KeyError, TypeError):
        raise SmtriageError(
            f"{where} was not written by a batch over these inputs ({', '.join(inputs)}); "
            "rerun with the same inputs, or choose a new --output"
        ) from None


def _reported_after(path: Path, after: Position | None, inputs: Sequence[str]) -> tuple[set[Position], int]:
    """Bad records an earlier run listed past `after` (those are not listed again), and how many it listed."""
    good, _, count = _tail(path)
    _cut_torn_tail(path, good)
    out: set[Position] = set()
    if not count:
        return out, 0
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        for raw in fh:
            pos = _position(raw, inputs, path)
            if pos is not None and (after is None or pos > after):
                out.add(pos)
    return out, count


# ---------------------------------------------------------------- scoring


def _score_chunk(
    model: TriageModel, inputs: Sequence[str], chunk: list[tuple[Position, str | BadRecord]]
) -> list[tuple[Position, dict[str, Any] | None, BadRecord | None, float]]:
    """Runs in a worker: parse each raw line, score the good records; bad ones are returned in place with their reason."""
    items = [
        (pos, item if isinstance(item, BadRecord) else parse_line(item, inputs[pos[0]], pos[1])) for pos, item in chunk
    ]
    verdicts = iter(classify(model, [item for _, item in items if isinstance(item, Incident)]))
    out: list[tuple[Position, dict[str, Any] | None, BadRecord | None, float]] = []
    for pos, item in items:
        if isinstance(item, BadRecord):
            out.append((pos, None, item, 0.0))
        else:
            v = next(verdicts)
            out.append((pos, v.to_dict(), None, v.confidence))
    return out


def _die_with_parent(parent: int) -> None:
    """Started in every local worker, before its first task: it is killed with the batch that started it (Linux).

    A worker that has not yet run a task holds the task queue open too, so without this it would wait for
    loky's idle timeout. A batch that died before the signal was asked for is caught by the parent check.
    """
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: loky's own idle timeout ends the workers there
        return
    if os.getppid() != parent:
        os._exit(1)


def _lines(inputs: Sequence[str], after: Position | None) -> Iterator[tuple[Position, str | BadRecord]]:
    """Raw non-blank lines (parsed in the workers), or why a line or file is refused before parsing."""
    for i, path in enumerate(inputs):
        if after is not None and i < after[0]:
            continue
        if path != "-" and not os.path.exists(path):
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
    review_path = Path(review) if review is not None else None
    check_paths(inputs, out_path, err_path, review_path)
    if jobs == 0 or jobs < -1:
        raise UsageError(f"--jobs {jobs}: give a number of worker processes (1, 2, ...) or -1 for every core")
    summary = Summary(errors_path=err_path)
    review_heap: list[tuple[float, int, dict[str, Any]]] = []  # the least confident incidents, bounded

    with _exclusive(_resolved(out_path)), ExitStack() as stack:
        # Each chunk's bad records are flushed before its verdicts, so everything up to the last
        # verdict written is done; bad records already written after it are not written again.
        good, last, done = _tail(out_path)
        _cut_torn_tail(out_path, good)
        after = _position(last, inputs, out_path)
        reported, listed_before = _reported_after(err_path, after, inputs)
        summary.skipped = done
        summary.bad_before = listed_before - len(reported)
        listed = listed_before
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
            config = (
                parallel_config(backend="loky", initializer=_die_with_parent, initargs=(os.getpid(),))
                if jobs != 1
                else parallel_config(backend="sequential")
            )
            n_jobs = jobs
        stack.enter_context(config)
        parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
        for results in parallel(tasks):
            for (i, line), verdict, bad, confidence in results:
                source = {"file": inputs[i], "line": line}
                if bad is not None:
                    summary.bad += 1
                    if (i, line) in reported:
                        continue
                    if listed < MAX_ERRORS:
                        bad_sink.write({"input": source, "reason": bad.reason})
                        listed += 1
                    else:
                        summary.unlisted += 1
                else:
                    assert verdict is not None
                    sink.write({**verdict, "input": source})
                    summary.scored += 1
                    summary.labels[verdict["label"]] += 1
                    summary.confidence_sum += confidence
                    if review_path is not None:
                        _keep_for_review(review_heap, review_size, confidence, i, line, verdict)
            bad_sink.flush()
            sink.flush()
            progress(len(results))
    if review_path is not None:
        _write_review(review_heap, inputs, review_path)
    return summary


def _keep_for_review(heap: list, size: int, confidence: float, i: int, line: int, verdict: dict[str, Any]) -> None:
    # a max-heap on confidence (negated) holding the `size` least confident so far
    item = (-confidence, i * 10**9 + line, {"i": i, "line": line, "verdict": verdict})
    if len(heap) < size:
        heapq.heappush(heap, item)
    elif item > heap[0]:
        heapq.heapreplace(heap, item)


def _write_review(heap: list, inputs: Sequence[str], path: Path) -> None:
    """The least confident incidents of this run, lowest first, as records with `label: null` and the model's guess.

    A run that scored nothing new (everything was done before) leaves an
    earlier review file as it is: someone may be labelling it.
    """
    if not heap:
        return
    wanted = {(e["i"], e["line"]): e["verdict"] for _, _, e in heap}
    order = sorted(wanted, key=lambda k: (wanted[k]["confidence"], k))
    records: dict[Position, dict[str, Any]] = {}
    for i, name in enumerate(inputs):
        if name == "-" or not any(k[0] == i for k in wanted):
            continue
        for lineno, item in read_incidents(name):
            if (i, lineno) in wanted and isinstance(item, Incident):
                records[(i, lineno)] = incident_to_dict(item)
    from .incident import replace_on_success

    with replace_on_success(path) as fh:
        for key in order:
            if key not in records:
                continue
            v = wanted[key]
            rec = records[key] | {
                "label": None,
                "suggested": {
                    "label": v["label"]
                    if v["label"] != UNCERTAIN
                    else v.get("best_guess") or max(v["probabilities"], key=v["probabilities"].get),
                    "confidence": v["confidence"],
                    "probabilities": v["probabilities"],
                },
                "input": {"file": inputs[key[0]], "line": key[1]},
            }
            fh.write(json_text(rec) + "\n")


def read_text_lines(path: Path) -> list[str]:
    """Complete lines of a (possibly gzip) JSONL file, for tests and the summary."""
    good, _, _ = _tail(path)
    with open(path, "rb") as fh:
        data = fh.read(good)
    if path.suffix == ".gz":
        data = gzip.decompress(data) if data else b""
    return data.decode().splitlines()


def lines_of(paths: Iterable[Path]) -> int:
    """Complete lines over several files (0 for a missing one)."""
    return sum(_tail(p)[2] for p in paths)
