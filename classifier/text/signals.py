"""Named signal patterns: the vocabulary of failure that carries across serving stacks.

Hashed tokens learn a stack's own phrasing; these families name the same root
cause however a stack phrases it ("CUDA out of memory", "OOM when allocating
tensor", "CNMEM_STATUS_OUT_OF_MEMORY" are all `gpu_oom`), which is what lets a
model trained on some stacks recognise a failure on another.

A signal is a set of lowercase phrases; a log event carries the signal when it
contains one of them. Phrases, not regular expressions, because one
Aho-Corasick pass over a whole window finds every phrase of every signal at
once, at hundreds of megabytes a second, where a regex per signal per line
managed about ten thousand lines a second. Where a bare token would be
ambiguous the phrase spells out its context: a status code counts after the
HTTP version or after "status", never as a byte count.

Two signals are counted, not located: the healthy-traffic ones (`/ping`,
`/invocations`), which occur on most lines of a busy endpoint and would only
slow the pass down (measured: finding them with the automaton costs more
than counting them with `bytes.count` while the automaton runs on its thread).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from itertools import chain
from typing import Any

import numpy as np

from .logtext import message_texts


@dataclass(frozen=True)
class Signal:
    name: str
    family: str
    literals: tuple[str, ...]
    counted_only: bool = False  # occurrences counted over the window, no per-event hits


def _sig(name: str, family: str, *literals: str, counted_only: bool = False) -> Signal:
    assert literals and all(lit == lit.lower() and lit.isascii() for lit in literals), name
    return Signal(name, family, tuple(literals), counted_only)


def _status(*codes: int) -> tuple[str, ...]:
    """Where a number is an HTTP status: after the HTTP version, `status`, `code` or `error`, or in parentheses."""
    out = []
    for c in codes:
        out += [f'" {c} ', f"http/1.1 {c}", f"http/1.0 {c}", f"http/2 {c}", f"({c})", f": {c}", f"status {c}",
                f"status: {c}", f"status={c}", f"status_code={c}", f"status code {c}", f"status code: {c}",
                f'"status":{c}', f'"status": {c}', f"code {c}", f"code: {c}", f'"code":{c}', f'"code": {c}',
                f"error {c}", f"error: {c}", f"{c} -"]
    return tuple(out)


# Families group signals for evidence ranking and remediation; the model sees every signal.
SIGNALS: tuple[Signal, ...] = (
    # --- memory and capacity -------------------------------------------------
    _sig("host_oom", "memory", "out of memory", "oom-kill", "oom_kill", "oomkill", "oom killer", "killed process",
         "memoryerror", "cannot allocate memory", "bad_alloc", "perhaps out of memory", "memory limit",
         "exceeds memory", "exceeded memory", "insufficient memory", "not enough memory", "failed to allocate memory"),
    _sig("sigkill", "memory", "sigkill", "signal 9", "killed", "exit code 137", "exit code: 137", "exitcode 137",
         "exit status 137", "exited with code 137", "exited with 137", "code 137", "status 137", "(137)",
         "returned 137", "exit_code=137", "exitcode=137", "exit 137"),
    _sig("gpu_oom", "gpu_memory", "cuda out of memory", "cuda error: out of memory", "oom when allocating",
         "resource_exhausted", "resourceexhausted", "cnmem_status_out_of_memory", "failed to allocate cuda memory",
         "cublas_status_alloc_failed", "torch.outofmemoryerror", "cuda.outofmemoryerror", "cuda_error_out_of_memory",
         "gpu memory", "kv cache", "num_gpu_blocks", "gpu_memory_utilization", "cudamalloc", "out of device memory"),
    _sig("jvm_oom", "jvm_memory", "java.lang.outofmemoryerror", "java heap space", "gc overhead limit",
         "direct buffer memory", "metaspace"),
    _sig("disk_full", "disk", "no space left on device", "storagefull", "errno 28", "disk quota exceeded",
         "not enough disk space", "insufficient disk", "disk full", "disk is full", "diskutilization"),
    _sig("overloaded", "capacity", "overloaded", "too many requests", "queue full", "queue is full",
         "no worker", "no available worker", "server busy", "throttl", "rate exceeded", "max_concurrent",
         "backlog", "service unavailable", "capacity", "concurrency limit", "request queue", "saturat"),
    _sig("fd_threads", "capacity", "too many open files", "can't start new thread", "resource temporarily unavailable",
         "emfile", "cannot create thread", "unable to create new native thread", "too many threads"),
    _sig("gc_pause", "capacity", "gc pause", "full gc", "gc overhead", "stop-the-world", "garbage collect", "pause young"),
    _sig("latency_words", "latency", "latency", "took too", "too slow", "slow request", "elapsed time"),
    # --- timeouts, health, workers ------------------------------------------------
    _sig("timeout", "timeout", "timed out", "timeout", "time out", "deadline exceeded", "did not respond in given time",
         "took too long", "no response"),
    _sig("health_check", "health", "health check", "healthcheck", "health-check", "did not pass", "readiness",
         "ping health", "ping failed", "failed ping", "ping timed out", "ping timeout"),
    _sig("worker_died", "worker", "worker died", "process died", "worker disconnected", "worker exited",
         "exited with code", "exit code", "exit status", "restarting", "segmentation fault", "sigsegv",
         "core dumped", "fatal signal", "died", "terminated", "shutting down", "handling signal", "respawn",
         "worker timeout"),
    # --- HTTP ------------------------------------------------------------------------
    _sig("http_5xx", "http", *_status(500, 502, 503, 504), "server error", "bad gateway", "gateway timeout"),
    _sig("http_4xx", "http", *_status(400, 404, 413, 422, 424, 429), "client error", "bad request"),
    _sig("http_415", "content_type", *_status(415), "415 unsupported", "unsupported media"),
    _sig("http_403", "permission", *_status(403), "403 forbidden"),
    # --- configuration ----------------------------------------------------------------
    _sig("content_type", "content_type", "content-type", "content type", "content_type", "contenttype",
         "accept type", "accept header", "application/x-npy", "application/octet-stream", "text/csv",
         "application/json", "application/x-image", "serializer", "deserializ", "not supported by this",
         "unsupported accept", "unsupported content", "no decoder", "no encoder", "x-recordio"),
    _sig("import_error", "import", "modulenotfounderror", "importerror", "no module named", "importmoduleerror",
         "cannot import name", "undefined symbol", "import_module", "failed to import", "pip install",
         "requirements.txt", "dll load failed", "library not loaded", "cannot open shared object"),
    _sig("env_config", "config", "sagemaker_program", "sagemaker_submit_directory", "hf_model_id", "hf_task",
         "option_", "sm_num_gpus", "environment variable", "env var", "is not set", "must be set", "must be specified",
         "serving.properties", "config.pbtxt", "config.properties", "model_server_", "ts_config",
         "default_response_timeout", "sagemaker_model_server", "invalid configuration", "misconfigur",
         "not a valid", "invalid value", "unrecognized argument", "unknown argument", "invalid argument for"),
    _sig("not_found", "missing", "no such file", "filenotfounderror", "not found", "does not exist",
         "does not appear to have", "cannot find", "could not find", "unable to find", "unable to locate", "missing",
         "no such key", "nosuchkey", "not exist"),
    _sig("permission", "permission", "accessdenied", "access denied", "forbidden", "not authorized",
         "permission denied", "unauthorized", "nosuchbucket", "expiredtoken", "invalidaccesskeyid",
         "signaturedoesnotmatch", "kms:", "kms key", "arn:aws:iam", "iam role", "iam:", "assumerole",
         "credentials", "gated repo", "401 client error"),
    _sig("quota", "quota", "resourcelimitexceeded", "service limit", "quota", "insufficientinstancecapacity",
         "insufficient capacity", "instance type is not supported", "is not available in", "limit exceeded"),
    _sig("model_data", "artifact", "model data", "model.tar.gz", "tar.gz", "failed to download", "failed to extract",
         "s3://", "model artifact", "modeldataurl", "tarfile", "not a gzip", "model_data", "untar",
         "model repository", "model_repository", "model store", "model-store", "model archive", ".mar"),
    _sig("startup", "startup", "cannotstartcontainer", "failed to start", "8080", "address already in use",
         "connection refused", "executable file not found", "exec format error", "entrypoint", "entry point",
         "entry_point", "docker run", "exec:", "not listening", "could not start", "failed to bind", "bind("),
    _sig("cuda_config", "gpu_config", "no cuda-capable device", "not compiled with cuda", "cuda driver version",
         "ptx", "unsupported toolchain", "compute capability", "libcuda", "cudnn", "nvidia-smi", "no gpu",
         "gpu is not available", "cuda is not available", "cuda initialization", "cuda runtime",
         "found no nvidia driver", "driver version", "cuda_visible_devices", "nccl", "torch.cuda.is_available"),
    _sig("version_mismatch", "version", "incompatible", "not supported", "unsupported", "deprecated",
         "version conflict", "requires version", "was compiled", "built with", "mismatched version",
         "no longer supported", "only supports", "is not compatible", "minimum version", "upgrade"),
    _sig("sharding", "gpu_config", "num_shard", "sharded", "tensor_parallel", "tensor parallel", "tp_degree",
         "world size", "world_size", "num_gpus", "device count", "gpu count", "number of gpus", "attention heads",
         "divisible by", "invalid device ordinal", "partitions"),
    # TGI and vLLM name shards and ranks in every start-up line: a feature, never a cause on its own
    _sig("shard_words", "gpu_info", "shard", "rank"),
    _sig("token_limit", "limits", "max_input_length", "max_total_tokens", "input validation error",
         "must have less than", "max_model_len", "context length", "too long", "maximum context", "max_length",
         "max_position_embeddings", "max_batch", "payload too large", "request entity too large", "max_input_tokens",
         "max_rolling_batch", "batch_size", "exceeds the limit", "larger than"),
    _sig("remote_code", "model_options", "trust_remote_code", "quantiz", "awq", "gptq", "bitsandbytes"),
    # --- model / user code ------------------------------------------------------------
    _sig("traceback", "traceback", "traceback (most recent call last)", "stack trace", "\tat "),
    _sig("handler_fn", "user_code", *(f"in {fn}" for fn in (
        "model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn", "handle", "preprocess", "postprocess",
        "inference", "execute", "forward", "initialize", "predict", "_predict", "load_model", "__call__"))),
    _sig("user_code_path", "user_code", "/opt/ml/model/code/", "inference.py", "handler.py", "model.py",
         "custom_handler", "predictor.py", "serve.py", "app.py", "main.py", "/opt/ml/model/"),
    _sig("py_exception", "exception", *(f"{kind}error" for kind in (
        "value", "type", "key", "attribute", "name", "index", "runtime", "assertion", "zerodivision",
        "notimplemented", "unboundlocal", "recursion", "lookup", "arithmetic", "overflow", "unicodedecode",
        "unicodeencode")), "stopiteration", "keyboardinterrupt"),
    _sig("shape_mismatch", "shape", "shape", "size mismatch", "dimension", "2d array", "1d array", "feature size",
         "number of features", "features, but", "must match", "inconsistent", "broadcast", "mat1 and mat2",
         "check failed", "incompatible shapes", "expected input", "expected sequence", "reshape", "out of bounds",
         "index out of range", "out of range"),
    _sig("dtype", "shape", "dtype", "expected scalar type", "but found", "cannot cast", "could not convert",
         "invalid literal", "float64", "float32", "int64", "not supported between", "unsupported operand"),
    _sig("state_dict", "weights", "state_dict", "missing key", "unexpected key", "size mismatch for",
         "error(s) in loading", "weights", "checkpoint"),
    _sig("json_serial", "serialization", "not json serializable", "jsondecodeerror", "expecting value",
         "json.decoder", "serializable", "unterminated string", "extra data"),
    # whole-word nan/inf only: "[inf" alone would be every "[INFO" line
    _sig("nan_output", "numeric", " nan ", " nan,", "[nan", "(nan", "=nan", ":nan", "nan]", "nan)", "infinity",
         " inf ", "[inf]", "[inf,", "(inf)", "(inf,", "=inf ", " inf]", " inf)", " inf,", "-inf", "overflow",
         "non-finite", "out of range float", "contains nan", "nan values", "nan loss"),
    _sig("tokenizer", "tokenizer", "tokeniz", "vocab", "special token", "pad_token", "sentencepiece"),
    _sig("handler_contract", "user_code", "invalid return type", "batch response mismatched",
         "number of batch response", "return type", "must return", "predictionexception", "prediction exception",
         "customerror", "returned none", "expected a list", "number of output"),
    _sig("user_code_error", "user_code", "is not defined", "has no attribute", "nonetype", "not subscriptable",
         "not callable", "unexpected keyword argument", "required positional argument", "not iterable",
         "object is not", "referenced before assignment", "unhashable", "division by zero"),
    _sig("deadlock", "user_code", "deadlock", " hang", "hung", "stuck", "infinite loop", "not responding",
         "lock timeout", "blocked"),
    # --- generic severity and healthy traffic -------------------------------------------
    _sig("error_word", "severity", "error", "[e]"),
    # glog's severity prefix (Triton, TF Serving): E1029 03:56:30.380349 at the start of a line
    _sig("glog_error", "severity", "\ne0", "\ne1", "| e0", "| e1"),
    _sig("exception_word", "severity", "exception", "raise ", "raised"),
    _sig("fatal", "severity", "fatal", "critical", "panic", "abort", "emerg"),
    _sig("warning", "severity", "warn"),
    _sig("failed_word", "severity", "fail", "unable to", "could not", "cannot", "can't", "couldn't"),
    _sig("ping_line", "healthy", "/ping", counted_only=True),
    _sig("invocation_line", "healthy", "/invocations", counted_only=True),
    _sig("status_failed", "status", "endpointstatus: failed", "status: failed"),
)

SIGNAL_NAMES: tuple[str, ...] = tuple(s.name for s in SIGNALS)
SIGNAL_INDEX: dict[str, int] = {name: i for i, name in enumerate(SIGNAL_NAMES)}

# A line with any of these is part of a failure, not traffic or start-up chatter; a
# window with none of them (and no metric anomaly or Failed status) holds no failure.
# Broad families such as `model_data` ("loading s3://.../model.tar.gz") or
# `startup` ("listening on 8080") stay features only: they are normal on their own.
EPISODE_SIGNALS = frozenset({
    "host_oom", "sigkill", "gpu_oom", "jvm_oom", "disk_full", "fd_threads", "http_5xx", "http_415",
    "traceback", "py_exception", "error_word", "glog_error", "exception_word", "fatal", "import_error",
    "handler_contract", "user_code_error", "json_serial", "status_failed",
})


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


@cache
def _signal_mask(names: frozenset[str]) -> np.ndarray:
    """Which SIGNALS are among `names`; made once per set (a window asks for the same two sets several times)."""
    wanted = np.zeros(len(SIGNALS), dtype=bool)
    wanted[[SIGNAL_INDEX[n] for n in names]] = True
    wanted.flags.writeable = False
    return wanted


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array."""
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


@dataclass(frozen=True)
class ScanResult:
    """Which signals fired on which events of a window, as parallel arrays of (event, signal) pairs."""

    counts: np.ndarray  # per SIGNALS: events carrying the signal (occurrences, for counted-only signals)
    events: np.ndarray = field(default_factory=_empty)  # sorted, with `signals`
    signals: np.ndarray = field(default_factory=_empty)
    # the shape of the text, found on the same pass: characters per event, and the (sorted) events
    # holding a line break of their own (a traceback logged as one event)
    lengths: np.ndarray = field(default_factory=_empty)
    multiline: np.ndarray = field(default_factory=_empty)

    def count(self, name: str) -> int:
        return int(self.counts[SIGNAL_INDEX[name]])

    def events_with(self, names: frozenset[str] | None = None) -> np.ndarray:
        """Sorted distinct events carrying any of `names` (any located signal at all when None)."""
        events = self.events
        if names is not None:
            events = events[_signal_mask(names)[self.signals]]
        return _distinct(events)  # `events` is sorted

    def restrict(self, keep: np.ndarray, messages: Sequence[str]) -> ScanResult:
        """The result for the events `keep` (sorted, distinct) only, renumbered 0..len(keep)-1.

        `messages` are those events' texts, for the counted-only signals, which are
        window totals and cannot be sliced. Lets a window scanned once be split into
        episodes without scanning each episode again.
        """
        inside = np.isin(self.events, keep)
        events = np.searchsorted(keep, self.events[inside])
        signals = self.signals[inside]
        counts = np.bincount(signals, minlength=len(SIGNALS)).astype(np.int64)
        _add_counted(counts, _window_bytes(messages))
        multiline = np.searchsorted(keep, self.multiline[np.isin(self.multiline, keep)])
        return ScanResult(counts, events, signals, self.lengths[keep], multiline)

    @property
    def event_hits(self) -> dict[int, tuple[str, ...]]:
        """event -> names of its located signals, for the events that have any."""
        out: dict[int, list[str]] = {}
        for e, s in zip(self.events.tolist(), self.signals.tolist()):
            out.setdefault(e, []).append(SIGNAL_NAMES[s])
        return {e: tuple(v) for e, v in out.items()}


# A window is cut into pieces, searched on a second thread, only when it holds this many events and
# this much text: below that the thread costs more than it saves.
PARALLEL_BYTES = 4 << 20
PARALLEL_EVENTS = 4096
PIECE_BYTES = 512 << 10  # a large window is prepared and searched a piece of about this much text at a time


@dataclass(frozen=True)
class _Phrases:
    """The automaton over the located phrases, the signals owning each (phrase p: owners[offsets[p]:offsets[p+1]]),
    and the counted phrases, each with its signal."""

    automaton: object
    offsets: np.ndarray
    owners: np.ndarray
    counted: tuple[tuple[int, bytes], ...]


@cache
def _phrases() -> _Phrases:
    import ahocorasick_rs

    owners: dict[str, list[int]] = {}
    counted: list[tuple[int, bytes]] = []
    for k, sig in enumerate(SIGNALS):
        for lit in sig.literals:
            if sig.counted_only:
                counted.append((k, lit.encode()))
            else:
                owners.setdefault(lit, []).append(k)
    phrases = sorted(owners)
    assert all("\n" not in p[1:] for p in phrases), "a newline may only open a phrase (see _search_pieces)"
    assert all(p.isascii() and "?" not in p for p in phrases), "see _window_bytes"
    # the DFA form costs more memory to build (well under a megabyte here) and scans ~1.7x faster
    automaton = ahocorasick_rs.BytesAhoCorasick([p.encode() for p in phrases],
                                                implementation=ahocorasick_rs.Implementation.DFA)
    offsets = np.cumsum([0] + [len(owners[p]) for p in phrases])
    flat = np.array([k for p in phrases for k in owners[p]], dtype=np.int64)
    return _Phrases(automaton, offsets, flat, tuple(counted))


def _add_counted(counts: np.ndarray, data: bytes) -> None:
    for k, phrase in _phrases().counted:
        counts[k] += data.count(phrase)


def _window_bytes(messages: Sequence[str]) -> bytes:
    """The window as one lowercase byte string, each event after a newline.

    One byte per character, so byte offsets are character offsets and each
    event's start follows from the lengths alone: Latin-1's own byte where it
    has one, "?" for the rest. Phrases are ASCII without "?", so no other
    character can take part in a match (`bytes.lower` lowers ASCII only). The
    leading newline lets phrases anchored at a line start ("\\ne0") match the
    first event too.
    """
    joined = "\n".join(["", *messages])  # not "\n" + join(...): that copies the whole window once more
    if joined.isascii():  # a flag on the string, not a scan
        return joined.encode("ascii").lower()
    try:
        return joined.encode("latin-1").lower()  # a copy, for a window of text with "µs" or "°C" in it
    except UnicodeEncodeError:  # wider characters ("█" of a progress bar): encoding them one by one is slow,
        pass                    # so only the messages that hold any go through the slow path
    safe = [m if m.isascii() else m.encode("latin-1", "replace").decode("latin-1") for m in messages]
    safe.insert(0, "")
    return "\n".join(safe).encode("latin-1").lower()


def _piece_bounds(messages: Sequence[str]) -> list[tuple[int, int]]:
    """Where to cut a window into pieces: one piece, unless it is large and there is a core to search on."""
    n = len(messages)
    if n < PARALLEL_EVENTS:
        return [(0, n)]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    chars = sum(map(len, messages))
    if cores < 2 or chars < PARALLEL_BYTES:
        return [(0, n)]
    step = max(1, n * PIECE_BYTES // chars)
    return [(lo, min(lo + step, n)) for lo in range(0, n, step)]


def _as_array(found: list[tuple[int, int, int]]) -> np.ndarray:
    """(phrase, start) columns of the automaton's (phrase, start, end) tuples; fromiter is ~2x np.array here."""
    flat = np.fromiter(chain.from_iterable(found), dtype=np.int64, count=3 * len(found))
    return flat.reshape(-1, 3)[:, :2]


def _owned(phrases: np.ndarray, events: np.ndarray, offsets: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(event, signal) for every signal owning each matched phrase (a phrase may belong to several, or none)."""
    per = offsets[phrases + 1] - offsets[phrases]
    first = np.repeat(offsets[phrases], per)
    within = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
    return np.repeat(events, per), flat[first + within]


def _multiline(data: bytes, starts: np.ndarray) -> np.ndarray:
    """Events with a line break inside: `data` holds one newline per event besides those."""
    breaks = np.frombuffer(data, dtype=np.uint8) == ord("\n")
    if np.count_nonzero(breaks) == len(starts):  # the usual CloudWatch window: a line per event
        return _empty()
    at = np.flatnonzero(breaks)
    event = np.searchsorted(starts, at + 1, side="right") - 1  # a separator is its event's leading newline
    return _distinct(event[at != starts[event] - 1])


def _search_pieces(pieces: Iterable[Sequence[str]], threaded: bool) -> tuple[list[str], ScanResult]:
    """Scan a window that arrives as consecutive pieces of its events' texts; also gives the texts, joined up.

    A piece's text ("\\n" before each event) ends where the next one's
    begins, so the pieces' bytes laid end to end are the whole window's and
    every offset is the piece's offset plus the window's: the result is the
    one-piece result. No phrase holds a newline except as its first byte, so
    no match crosses from one piece into the next. Several pieces are a
    pipeline: the automaton releases the GIL, so one thread searches a piece
    while this one prepares the next (the pieces come from a generator, which
    may clean each piece's text as it goes) and counts what needs no matches.
    """
    n_signals = len(SIGNALS)
    table = _phrases()
    search = table.automaton.find_matches_as_indexes  # type: ignore[attr-defined]
    pool = ThreadPoolExecutor(1) if threaded else None
    texts: list[str] = []
    counts = np.zeros(n_signals, dtype=np.int64)
    found: list[tuple[Any, int]] = []  # each piece's matches (or their future) and its first byte in the window
    lengths: list[np.ndarray] = []
    starts: list[np.ndarray] = []  # event i's first byte; its leading "\n" is at starts[i] - 1
    multiline: list[np.ndarray] = []
    at = 0
    try:
        for piece in pieces:
            if not piece:
                continue
            data = _window_bytes(piece)
            found.append((pool.submit(search, data, overlapping=True) if pool else search(data, overlapping=True), at))
            # while the automaton searches the piece (on its thread, for a large window): what needs no matches
            _add_counted(counts, data)
            piece_lengths = np.fromiter(map(len, piece), dtype=np.int64, count=len(piece))
            piece_starts = np.cumsum(piece_lengths + 1) - piece_lengths
            multiline.append(_multiline(data, piece_starts) + len(texts))
            piece_starts += at
            lengths.append(piece_lengths)
            starts.append(piece_starts)
            texts += piece
            at += len(data)
        matches = [_as_array(f.result() if pool else f) for f, _ in found]
        for m, (_, offset) in zip(matches, found):
            m[:, 1] += offset
    finally:
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)
    if not texts:
        return texts, ScanResult(counts)
    hits = _joined(matches)
    # a phrase starting at an event's leading "\n" belongs to that event
    event_of = np.searchsorted(_joined(starts), hits[:, 1] + 1, side="right") - 1
    located_events, located_signals = _owned(hits[:, 0], event_of, table.offsets, table.owners)
    # an event carries a signal once; the pairs come in event order, so a stable sort (timsort on its
    # runs) puts them in order ~15x faster than np.unique's
    pair = located_events * n_signals + located_signals
    pair.sort(kind="stable")
    pair = _distinct(pair)
    events, signals = pair // n_signals, pair % n_signals
    counts += np.bincount(signals, minlength=n_signals)
    return texts, ScanResult(counts, events, signals, _joined(lengths), _joined(multiline))


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def scan(messages: Sequence[str]) -> ScanResult:
    """Every signal on every event of a window, as its texts are, in one pass over them."""
    bounds = _piece_bounds(messages)
    return _search_pieces((messages[lo:hi] for lo, hi in bounds), len(bounds) > 1)[1]


def scan_messages(messages: Sequence[str], tail: Sequence[str] = ()) -> tuple[list[str], ScanResult]:
    """`message_texts(messages)` followed by `tail` as it is, and their scan, `scan(message_texts(messages) + tail)`.

    One pass for both: a large window's messages are cleaned a piece at a
    time, each piece while the one before it is being searched.
    """
    bounds = _piece_bounds(messages)
    last = bounds[-1][1]
    pieces = (message_texts(list(messages[lo:hi])) + (list(tail) if hi == last else []) for lo, hi in bounds)
    return _search_pieces(pieces, len(bounds) > 1)
