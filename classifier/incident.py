"""Incident, log and metric records, and their JSONL interchange format.

Every command reads or writes these records (DESIGN.md, "Incident record"), so
validation lives here, once: a bad record is rejected with a message that names
the record and the field, and the caller decides whether to skip or stop.
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import math
import os
import re
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, overload

from .errors import UsageError
from .text.clean import UNSAFE

LABELS: tuple[str, ...] = ("resource_exhaustion", "configuration_error", "model_bug")  # the causes of a failure
NO_FAILURE = "no_failure"  # a window or record that holds no failure: a label of its own, learned like the causes
OUTCOMES: tuple[str, ...] = LABELS + (NO_FAILURE,)  # what the model tells apart
UNCERTAIN = "uncertain"  # a verdict whose evidence is too weak to name an outcome
# How SageMaker hosts the model, as DescribeEndpoint, DescribeEndpointConfig and DescribeModel tell it
# (classifier/sources/README.md): what is worth reading and what a remedy may name depend on it.
HOSTING_KINDS: tuple[str, ...] = (
    "real-time",
    "async",
    "serverless",
    "multi-model",
    "pipeline",
    "multi-container",
    "inference-components",
)

# A line longer than this is refused rather than parsed: one hostile line must
# not take the whole batch's memory with it.
MAX_LINE_BYTES = 64 * 1024 * 1024
# A line longer than the limit is skipped up to this far; a "line" with no end in sight (/dev/zero) ends the file.
MAX_SKIP_BYTES = 4 * MAX_LINE_BYTES
MAX_INSTANCES = 100_000  # far above any SageMaker endpoint; bounds what the featurizer has to take in
MAX_MEMORY_MB = 1 << 20  # a serverless MemorySizeInMB is at most 6144; this only keeps the number sane
# What one record may hold: far above a day of a busy endpoint (`classify` keeps 200,000 events by default),
# and what keeps one record's memory bounded in a batch.
MAX_RECORD_EVENTS = 1_000_000
MAX_RECORD_METRIC_POINTS = 500_000

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


class IncidentError(ValueError):
    """A record that cannot be used, with where and why in one line."""


@dataclass(frozen=True, slots=True)
class LogEvent:
    message: str
    timestamp: datetime | None = None
    stream: str | None = None


@dataclass(frozen=True, slots=True)
class MetricSeries:
    """One CloudWatch metric over the window; timestamps may be unknown (None)."""

    timestamps: tuple[datetime | None, ...]
    values: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Context:
    status: str | None = None
    failure_reason: str | None = None
    instance_type: str | None = None
    instance_count: int | None = None
    image: str | None = None
    hosting: str | None = None  # one of HOSTING_KINDS
    memory_size_mb: int | None = None  # a serverless variant's MemorySizeInMB
    max_concurrency: int | None = None  # ... and its MaxConcurrency


@dataclass(slots=True)
class Incident:
    logs: list[LogEvent] = field(default_factory=list)
    metrics: dict[str, MetricSeries] = field(default_factory=dict)
    id: str | None = None
    endpoint: str | None = None
    variant: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    context: Context = field(default_factory=Context)
    label: str | None = None
    source: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A log line, metric fact or context fact that weighed in a verdict."""

    kind: str  # "log" | "metric" | "context"
    text: str
    weight: float
    timestamp: datetime | None = None
    stream: str | None = None
    metric: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "text": self.text, "weight": round(self.weight, 4)}
        if self.timestamp is not None:
            out["timestamp"] = format_time(self.timestamp)
        if self.stream is not None:
            out["stream"] = self.stream
        if self.metric is not None:
            out["metric"] = self.metric
        return out


@dataclass(slots=True)
class Verdict:
    id: str | None
    label: str  # one of OUTCOMES, or UNCERTAIN
    confidence: float  # the probability of `best_guess`
    probabilities: dict[str, float]
    evidence: list[Evidence]
    remediation: str
    model_version: str
    endpoint: str | None = None
    variant: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    best_guess: str = ""  # the outcome `label` names, or would name were the evidence stronger
    partial: bool = False  # made from a window that could not be read in full
    hosting: str | None = None  # one of HOSTING_KINDS, when the endpoint was described

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "best_guess": self.best_guess,
            "confidence": round(self.confidence, 4),
            "probabilities": {k: round(v, 4) for k, v in self.probabilities.items()},
            "evidence": [e.to_dict() for e in self.evidence],
            "remediation": self.remediation,
            "model_version": self.model_version,
            "endpoint": self.endpoint,
            "variant": self.variant,
            "start": format_time(self.start),
            "end": format_time(self.end),
            "partial": self.partial,
            "hosting": self.hosting,
        }


# ---------------------------------------------------------------- time


def parse_time(value: Any, where: str) -> datetime | None:
    """ISO-8601 (with or without zone, `Z` allowed) or epoch milliseconds; naive means UTC."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise IncidentError(f"{where}: expected an ISO-8601 time, got a boolean")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise IncidentError(f"{where}: expected a time, got {value!r}")
        try:
            return datetime.fromtimestamp(value / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise IncidentError(f"{where}: epoch milliseconds {value!r} out of range") from None
    if not isinstance(value, str):
        raise IncidentError(f"{where}: expected an ISO-8601 time string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise IncidentError(f"{where}: {_short(value)!r} is not an ISO-8601 time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before the first representable UTC time
        raise IncidentError(f"{where}: {_short(value)!r} is out of range in UTC") from None


@overload
def format_time(value: datetime) -> str: ...
@overload
def format_time(value: None) -> None: ...
def format_time(value: datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def percent(p: float) -> str:
    """A probability as people read one: ">99%" and "<1%" at the ends, never a certainty the model does not have."""
    if p >= 0.995:
        return ">99%"
    if p < 0.005:
        return "<1%"
    return f"{p:.0%}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


# ---------------------------------------------------------------- validation


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    raise IncidentError(f"{where}: field '{key}' must be a string or null, got {type(value).__name__}")


def _parse_logs(raw: Any, where: str) -> list[LogEvent]:
    if not isinstance(raw, list):
        raise IncidentError(f"{where}: field 'logs' must be a list, got {type(raw).__name__}")
    if len(raw) > MAX_RECORD_EVENTS:
        raise IncidentError(
            f"{where}: field 'logs' holds {len(raw):,} events, over the {MAX_RECORD_EVENTS:,} a record "
            "may hold; split the window"
        )
    events: list[LogEvent] = []
    for i, item in enumerate(raw):
        at = f"{where}: logs[{i}]"
        if isinstance(item, str):  # a bare pasted line
            events.append(LogEvent(message=item))
            continue
        if not isinstance(item, dict):
            raise IncidentError(f"{at} must be an object or a string, got {type(item).__name__}")
        message = item.get("message")
        if not isinstance(message, str):
            raise IncidentError(f"{at}.message must be a string, got {type(message).__name__}")
        stream = item.get("stream")
        if stream is not None and not isinstance(stream, str):
            raise IncidentError(f"{at}.stream must be a string or null")
        events.append(
            LogEvent(message=message, timestamp=parse_time(item.get("timestamp"), f"{at}.timestamp"), stream=stream)
        )
    return events


def _finite_or_nan(value: float | int | None) -> float:
    """NaN, infinities, nulls and out-of-range integers all mean "no datapoint" downstream."""
    if value is None:
        return float("nan")
    try:
        f = float(value)
    except OverflowError:
        return float("nan")
    return f if math.isfinite(f) else float("nan")


def _parse_metrics(raw: Any, where: str) -> dict[str, MetricSeries]:
    if not isinstance(raw, dict):
        raise IncidentError(f"{where}: field 'metrics' must be an object, got {type(raw).__name__}")
    points = sum(len(v["values"]) for v in raw.values() if isinstance(v, dict) and isinstance(v.get("values"), list))
    if points > MAX_RECORD_METRIC_POINTS:
        raise IncidentError(
            f"{where}: field 'metrics' holds {points:,} datapoints, over the "
            f"{MAX_RECORD_METRIC_POINTS:,} a record may hold; split the window"
        )
    metrics: dict[str, MetricSeries] = {}
    for name, series in raw.items():
        at = f"{where}: metrics.{_short(repr(str(name))[1:-1], 40)}"  # repr: a name cannot break the line
        if not isinstance(series, dict):
            raise IncidentError(f"{at} must be an object with 'timestamps' and 'values'")
        values = series.get("values")
        if not isinstance(values, list):
            raise IncidentError(f"{at}.values must be a list")
        clean: list[float] = []
        for j, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, (int, float)) and v is not None:
                raise IncidentError(f"{at}.values[{j}] must be a number, got {type(v).__name__}")
            clean.append(_finite_or_nan(v))
        stamps_raw = series.get("timestamps")
        if stamps_raw is None:
            stamps: tuple[datetime | None, ...] = (None,) * len(clean)
        elif isinstance(stamps_raw, list):
            if len(stamps_raw) != len(clean):
                raise IncidentError(f"{at}: {len(stamps_raw)} timestamps but {len(clean)} values; they must pair up")
            stamps = tuple(parse_time(t, f"{at}.timestamps[{j}]") for j, t in enumerate(stamps_raw))
        else:
            raise IncidentError(f"{at}.timestamps must be a list or null")
        metrics[str(name)] = MetricSeries(timestamps=stamps, values=tuple(clean))
    return metrics


def _parse_context(raw: Any, where: str) -> Context:
    if raw is None:
        return Context()
    if not isinstance(raw, dict):
        raise IncidentError(f"{where}: field 'context' must be an object, got {type(raw).__name__}")
    at = f"{where}: context"
    hosting = _opt_str(raw, "hosting", at)
    if hosting is not None and hosting not in HOSTING_KINDS:
        raise IncidentError(f"{at}.hosting must be one of {', '.join(HOSTING_KINDS)}, or null")
    return Context(
        status=_opt_str(raw, "status", at),
        failure_reason=_opt_str(raw, "failure_reason", at),
        instance_type=_opt_str(raw, "instance_type", at),
        instance_count=_opt_count(raw, "instance_count", at, MAX_INSTANCES),
        image=_opt_str(raw, "image", at),
        hosting=hosting,
        memory_size_mb=_opt_count(raw, "memory_size_mb", at, MAX_MEMORY_MB),
        max_concurrency=_opt_count(raw, "max_concurrency", at, MAX_INSTANCES),
    )


def _opt_count(raw: dict[str, Any], key: str, at: str, most: int) -> int | None:
    value = raw.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= most):
        raise IncidentError(f"{at}.{key} must be a whole number from 0 to {most:,}, or null")
    return value


def incident_from_dict(obj: Any, where: str = "record") -> Incident:
    """Validate one decoded JSON record; raise IncidentError naming the field."""
    if not isinstance(obj, dict):
        raise IncidentError(f"{where}: an incident must be a JSON object, got {type(obj).__name__}")
    if "logs" not in obj and "metrics" not in obj:
        raise IncidentError(f"{where}: needs 'logs' or 'metrics' (neither is present)")
    rid = obj.get("id")
    if rid is not None and (isinstance(rid, bool) or not isinstance(rid, (str, int))):
        raise IncidentError(f"{where}: field 'id' must be a string")
    if isinstance(rid, int) and not -(10**30) < rid < 10**30:
        raise IncidentError(f"{where}: field 'id' must be a string (got a number of more than 30 digits)")
    label = obj.get("label")
    if label is not None and label not in OUTCOMES:
        raise IncidentError(f"{where}: label {_short(str(label))!r} is not one of {', '.join(OUTCOMES)}")
    source = obj.get("source")
    if source is not None and not isinstance(source, dict):
        raise IncidentError(f"{where}: field 'source' must be an object")
    logs = _parse_logs(obj["logs"], where) if obj.get("logs") is not None else []
    metrics = _parse_metrics(obj["metrics"], where) if obj.get("metrics") is not None else {}
    return Incident(
        id=None if rid is None else str(rid),
        endpoint=_opt_str(obj, "endpoint", where),
        variant=_opt_str(obj, "variant", where),
        start=parse_time(obj.get("start"), f"{where}: start"),
        end=parse_time(obj.get("end"), f"{where}: end"),
        context=_parse_context(obj.get("context"), where),
        logs=logs,
        metrics=metrics,
        label=label,
        source=source,
    )


def incident_to_dict(incident: Incident) -> dict[str, Any]:
    ctx = incident.context
    return {
        "id": incident.id,
        "endpoint": incident.endpoint,
        "variant": incident.variant,
        "start": format_time(incident.start),
        "end": format_time(incident.end),
        "context": {
            "status": ctx.status,
            "failure_reason": ctx.failure_reason,
            "instance_type": ctx.instance_type,
            "instance_count": ctx.instance_count,
            "image": ctx.image,
            "hosting": ctx.hosting,
            "memory_size_mb": ctx.memory_size_mb,
            "max_concurrency": ctx.max_concurrency,
        },
        "logs": [
            {"timestamp": format_time(e.timestamp), "stream": e.stream, "message": e.message} for e in incident.logs
        ],
        "metrics": {
            name: {
                "timestamps": [format_time(t) for t in s.timestamps],
                "values": [None if math.isnan(v) else v for v in s.values],
            }
            for name, s in incident.metrics.items()
        },
        "label": incident.label,
        **({"source": incident.source} if incident.source is not None else {}),
    }


# ---------------------------------------------------------------- JSONL


def labels_of(incidents: Iterable[Incident]) -> list[str]:
    """The labels of incidents that must all have one (training, scoring); an unlabelled one is named."""
    labels = []
    for k, inc in enumerate(incidents):
        if inc.label is None:
            raise IncidentError(f"incident {inc.id or k} has no label")
        labels.append(inc.label)
    return labels


def open_text(path: str | Path, mode: str = "r") -> IO[str]:
    """Open plain or gzip JSONL; `-` is stdin/stdout. Undecodable bytes are kept visible, not fatal."""
    if str(path) == "-":
        stream = sys.stdin.buffer if "r" in mode else sys.stdout.buffer
        return io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline="\n")
    p = Path(path)
    if p.suffix == ".gz":
        # in text mode gzip.open gives a TextIOWrapper, which its stubs do not say
        return gzip.open(p, mode + "t", encoding="utf-8", errors="replace", newline="\n")  # type: ignore[return-value]
    return open(p, mode, encoding="utf-8", errors="replace", newline="\n")


@contextmanager
def replace_on_success(path: str | Path) -> Iterator[IO[str]]:
    """Write a text file (plain or .gz; `-` is stdout) that appears only once complete.

    The text goes to a hidden file beside `path`, moved over `path` when the
    block ends normally; on any error it is removed and `path` keeps whatever
    it held before, so a failed run never leaves a truncated or empty file.
    A hidden file left by a run that was killed is removed by the next.
    """
    if str(path) == "-":
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="replace", newline="\n")
        try:
            yield stdout
        finally:
            stdout.flush()
            stdout.detach()  # leave sys.stdout open
        return
    target = Path(path)
    _remove_stale_partials(target)
    partial = target.with_name(f".{target.stem}.{os.getpid()}.partial{target.suffix}")
    try:
        try:
            out: IO[str] = open_text(partial, "w")
        except OSError as exc:
            from .errors import UsageError

            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
        with out as fh:
            yield fh
        os.replace(partial, target)
    except OSError as exc:
        from .errors import SmtriageError

        raise SmtriageError(f"cannot write {target}: {exc.strerror or exc}; {target} was left as it was") from None
    finally:
        partial.unlink(missing_ok=True)


def _remove_stale_partials(target: Path) -> None:
    """Hidden partial files of `target` whose writer is no longer running (killed with kill -9)."""
    for stale in target.parent.glob(f".{glob.escape(target.stem)}.*.partial{glob.escape(target.suffix)}"):
        pid = stale.name[len(target.stem) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            stale.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True, slots=True)
class BadRecord:
    path: str
    line: int
    reason: str


def read_lines(path: str | Path) -> Iterator[tuple[int, str | BadRecord]]:
    """Yield (line number, text) for every non-blank line, or the reason a line is refused (over-long).

    Never raises for what the input holds: a file that is not the gzip it is
    named, or one cut short, and a line with no end in sight, each end the
    file with the reason as its last item, so the other inputs are still read.
    """
    name = str(path)
    lineno = 0
    try:
        with open_text(path) as fh:
            while line := fh.readline(MAX_LINE_BYTES + 1):  # never more than the limit in memory at once
                lineno += 1
                if len(line) > MAX_LINE_BYTES:
                    length = len(line)
                    while not line.endswith("\n") and length <= MAX_SKIP_BYTES and (line := fh.readline(1 << 20)):
                        length += len(line)
                    if length > MAX_SKIP_BYTES:
                        yield (
                            lineno,
                            BadRecord(
                                name,
                                lineno,
                                f"{name}:{lineno}: no line end within {MAX_SKIP_BYTES:,} "
                                f"characters; the rest of {name} was not read",
                            ),
                        )
                        return
                    yield (
                        lineno,
                        BadRecord(
                            name,
                            lineno,
                            f"{name}:{lineno}: line is {length:,} characters, over the {MAX_LINE_BYTES:,} limit",
                        ),
                    )
                    continue
                if line.isspace():  # blank (`line` is never empty here)
                    continue
                yield lineno, line
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        what = "not a gzip file" if isinstance(exc, gzip.BadGzipFile) else "cut short or damaged"
        after = f" after line {lineno}" if lineno else ""
        yield (
            lineno + 1,
            BadRecord(
                name,
                lineno + 1,
                f"{name}: {what}{after} ({_short(str(exc) or type(exc).__name__, 80)}); the rest of it was not read",
            ),
        )


def parse_line(line: str, path: str, lineno: int) -> Incident | BadRecord:
    """One JSONL line of file `path` as an incident, or the reason it is bad (prefixed `path:lineno: `)."""
    where = f"{path}:{lineno}"
    try:
        obj = json.loads(line)
        if _ESCAPED_SURROGATE.search(line):
            obj = _fix_surrogates(obj)
    except json.JSONDecodeError as exc:
        return BadRecord(path, lineno, f"{where}: not valid JSON ({exc.msg}, column {exc.colno})")
    except RecursionError:
        return BadRecord(path, lineno, f"{where}: JSON nested too deeply")
    except ValueError as exc:  # e.g. an integer literal with more digits than Python converts
        return BadRecord(path, lineno, f"{where}: not valid JSON ({_short(str(exc), 80)})")
    try:
        return incident_from_dict(obj, where)
    except IncidentError as exc:
        return BadRecord(path, lineno, str(exc))


def read_incidents(path: str | Path) -> Iterator[tuple[int, Incident | BadRecord]]:
    """Yield (line number, incident or the reason it is bad); never raises for a bad line."""
    name = str(path)
    for lineno, line in read_lines(path):
        yield lineno, line if isinstance(line, BadRecord) else parse_line(line, name, lineno)


def check_inputs(inputs: Iterable[str | Path]) -> None:
    """Every input exists and can be read (a file, a named pipe, a device, `<(cmd)`; not a directory): a mistyped
    path is a bad argument, refused before anything is read or written."""
    for p in inputs:
        if str(p) == "-":
            continue
        if not os.path.exists(p):
            raise UsageError(f"input file not found: {p}")
        if os.path.isdir(p):
            raise UsageError(f"input {p} is a directory; give the JSONL files in it")
        if not os.access(p, os.R_OK):
            raise UsageError(f"input {p} is not readable")


@dataclass
class Labeled:
    """The labeled incidents of some files, and what was left out of them (for `train` and `evaluate`)."""

    incidents: list[Incident]
    bad: list[BadRecord]
    unlabeled: int


def load_labeled(paths: Sequence[str | Path]) -> Labeled:
    """The labeled incidents of `paths`; a path that cannot be read is refused before any is read."""
    check_inputs(paths)
    good, bad = load_incidents(paths, strict=False)
    labeled = [i for i in good if i.label is not None]
    return Labeled(labeled, bad, len(good) - len(labeled))


def load_incidents(paths: Iterable[str | Path], *, strict: bool = True) -> tuple[list[Incident], list[BadRecord]]:
    """Read whole files into memory (training and evaluation need them all at once)."""
    good: list[Incident] = []
    bad: list[BadRecord] = []
    for path in paths:
        for _, item in read_incidents(path):
            if isinstance(item, BadRecord):
                if strict:
                    raise IncidentError(item.reason)
                bad.append(item)
            else:
                good.append(item)
    return good, bad


def json_text(obj: Any, **kwargs: Any) -> str:
    """JSON for files and stdout: readable UTF-8, with terminal-unsafe characters escaped (still exact)."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, **kwargs)
    return UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)  # json.dumps has escaped C0 controls already


def _fix_surrogates(obj: Any) -> Any:
    """Lone surrogates (from a \\udXXX escape) become U+FFFD, as undecodable bytes already do."""
    if isinstance(obj, str):
        return _LONE_SURROGATE.sub("\ufffd", obj)
    if isinstance(obj, list):
        return [_fix_surrogates(v) for v in obj]
    if isinstance(obj, dict):
        return {_fix_surrogates(k): _fix_surrogates(v) for k, v in obj.items()}
    return obj


def write_jsonl(records: Iterable[dict[str, Any]], fh: IO[str]) -> int:
    n = 0
    for rec in records:
        fh.write(json_text(rec) + "\n")
        n += 1
    return n
