"""Named signal patterns: the vocabulary of failure that carries across serving stacks.

Hashed tokens learn a stack's own phrasing; these families name the same root
cause however a stack phrases it ("CUDA out of memory", "OOM when allocating
tensor", "CNMEM_STATUS_OUT_OF_MEMORY" are all `gpu_oom`), which is what lets a
model trained on some stacks recognise a failure on another. They are
features and evidence, never the judge: whether a line is part of a failure
is learned (`classifier.model.lines`), and a line on no list can still be one.

A signal is a set of lowercase phrases; a line carries the signal when it
contains one of them. Phrases, not regular expressions, so one Aho-Corasick
pass over many lines finds every phrase of every signal at once. Where a bare
token would be ambiguous the phrase spells out its context: a status code
counts after the HTTP version or after "status", never as a byte count.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain

import numpy as np


@dataclass(frozen=True)
class Signal:
    name: str
    family: str
    literals: tuple[str, ...]


def _sig(name: str, family: str, *literals: str) -> Signal:
    assert literals and all(lit == lit.lower() and lit.isascii() and "?" not in lit for lit in literals), name
    return Signal(name, family, tuple(literals))


def _status(*codes: int) -> tuple[str, ...]:
    """Where a number is an HTTP status: after the HTTP version, `status`, `code` or `error`, or in parentheses."""
    out = []
    for c in codes:
        out += [
            f'" {c} ',
            f"http/1.1 {c}",
            f"http/1.0 {c}",
            f"http/2 {c}",
            f"({c})",
            f": {c}",
            f"status {c}",
            f"status: {c}",
            f"status={c}",
            f"status_code={c}",
            f"status code {c}",
            f"status code: {c}",
            f'"status":{c}',
            f'"status": {c}',
            f"code {c}",
            f"code: {c}",
            f'"code":{c}',
            f'"code": {c}',
            f"error {c}",
            f"error: {c}",
            f" {c} -",
        ]
    return tuple(out)


# Families group signals for evidence ranking and remediation; the model sees every signal.
SIGNALS: tuple[Signal, ...] = (
    # --- memory and capacity -------------------------------------------------
    _sig(
        "host_oom",
        "memory",
        "out of memory",
        "oom-kill",
        "oom_kill",
        "oomkill",
        "oom killer",
        "killed process",
        "memoryerror",
        "cannot allocate memory",
        "bad_alloc",
        "perhaps out of memory",
        "memory limit",
        "exceeds memory",
        "exceeded memory",
        "insufficient memory",
        "not enough memory",
        "failed to allocate memory",
    ),
    _sig(
        "sigkill",
        "memory",
        "sigkill",
        "signal 9",
        "killed",
        "exit code 137",
        "exit code: 137",
        "exitcode 137",
        "exit status 137",
        "exited with code 137",
        "exited with 137",
        "code 137",
        "status 137",
        "(137)",
        "returned 137",
        "exit_code=137",
        "exitcode=137",
        "exit 137",
    ),
    _sig(
        "gpu_oom",
        "gpu_memory",
        "cuda out of memory",
        "cuda error: out of memory",
        "oom when allocating",
        "resource_exhausted",
        "resourceexhausted",
        "cnmem_status_out_of_memory",
        "failed to allocate cuda memory",
        "cublas_status_alloc_failed",
        "torch.outofmemoryerror",
        "cuda.outofmemoryerror",
        "cuda_error_out_of_memory",
        "gpu memory",
        "kv cache",
        "num_gpu_blocks",
        "gpu_memory_utilization",
        "cudamalloc",
        "out of device memory",
    ),
    _sig(
        "jvm_oom",
        "jvm_memory",
        "java.lang.outofmemoryerror",
        "java heap space",
        "gc overhead limit",
        "direct buffer memory",
        "metaspace",
    ),
    _sig(
        "disk_full",
        "disk",
        "no space left on device",
        "storagefull",
        "errno 28",
        "disk quota exceeded",
        "not enough disk space",
        "insufficient disk",
        "disk full",
        "disk is full",
        "diskutilization",
    ),
    _sig(
        "overloaded",
        "capacity",
        "overloaded",
        "too many requests",
        "queue full",
        "queue is full",
        "no worker",
        "no available worker",
        "server busy",
        "throttl",
        "rate exceeded",
        "max_concurrent",
        "backlog",
        "service unavailable",
        "capacity",
        "concurrency limit",
        "request queue",
        "saturat",
    ),
    _sig(
        "fd_threads",
        "capacity",
        "too many open files",
        "can't start new thread",
        "resource temporarily unavailable",
        "emfile",
        "cannot create thread",
        "unable to create new native thread",
        "too many threads",
    ),
    _sig(
        "gc_pause", "capacity", "gc pause", "full gc", "gc overhead", "stop-the-world", "garbage collect", "pause young"
    ),
    _sig("latency_words", "latency", "latency", "took too", "too slow", "slow request", "elapsed time"),
    # --- timeouts, health, workers ------------------------------------------------
    _sig(
        "timeout",
        "timeout",
        "timed out",
        "timeout",
        "time out",
        "deadline exceeded",
        "did not respond in given time",
        "took too long",
        "no response",
    ),
    _sig(
        "health_check",
        "health",
        "health check",
        "healthcheck",
        "health-check",
        "did not pass",
        "readiness",
        "ping health",
        "ping failed",
        "failed ping",
        "ping timed out",
        "ping timeout",
    ),
    _sig(
        "worker_died",
        "worker",
        "worker died",
        "process died",
        "worker disconnected",
        "worker exited",
        "exited with code",
        "exit code",
        "exit status",
        "restarting",
        "segmentation fault",
        "sigsegv",
        "core dumped",
        "fatal signal",
        "died",
        "terminated",
        "shutting down",
        "handling signal",
        "respawn",
        "worker timeout",
    ),
    # --- HTTP ------------------------------------------------------------------------
    _sig("http_5xx", "http", *_status(500, 502, 503, 504), "server error", "bad gateway", "gateway timeout"),
    _sig("http_4xx", "http", *_status(400, 404, 413, 422, 424, 429), "client error", "bad request"),
    _sig("http_415", "content_type", *_status(415), "415 unsupported", "unsupported media"),
    _sig("http_403", "permission", *_status(403), "403 forbidden"),
    # --- configuration ----------------------------------------------------------------
    _sig(
        "content_type",
        "content_type",
        "content-type",
        "content type",
        "content_type",
        "contenttype",
        "accept type",
        "accept header",
        "application/x-npy",
        "application/octet-stream",
        "text/csv",
        "application/json",
        "application/x-image",
        "serializer",
        "deserializ",
        "not supported by this",
        "unsupported accept",
        "unsupported content",
        "no decoder",
        "no encoder",
        "x-recordio",
    ),
    _sig(
        "import_error",
        "import",
        "modulenotfounderror",
        "importerror",
        "no module named",
        "importmoduleerror",
        "cannot import name",
        "undefined symbol",
        "import_module",
        "failed to import",
        "pip install",
        "requirements.txt",
        "dll load failed",
        "library not loaded",
        "cannot open shared object",
    ),
    _sig(
        "env_config",
        "config",
        "sagemaker_program",
        "sagemaker_submit_directory",
        "hf_model_id",
        "hf_task",
        "option_",
        "sm_num_gpus",
        "environment variable",
        "env var",
        "is not set",
        "must be set",
        "must be specified",
        "serving.properties",
        "config.pbtxt",
        "config.properties",
        "model_server_",
        "ts_config",
        "default_response_timeout",
        "sagemaker_model_server",
        "invalid configuration",
        "misconfigur",
        "not a valid",
        "invalid value",
        "unrecognized argument",
        "unknown argument",
        "invalid argument for",
    ),
    _sig(
        "not_found",
        "missing",
        "no such file",
        "filenotfounderror",
        "not found",
        "does not exist",
        "does not appear to have",
        "cannot find",
        "could not find",
        "unable to find",
        "unable to locate",
        "missing",
        "no such key",
        "nosuchkey",
        "not exist",
    ),
    _sig(
        "permission",
        "permission",
        "accessdenied",
        "access denied",
        "forbidden",
        "not authorized",
        "permission denied",
        "unauthorized",
        "nosuchbucket",
        "expiredtoken",
        "invalidaccesskeyid",
        "signaturedoesnotmatch",
        "kms:",
        "kms key",
        "arn:aws:iam",
        "iam role",
        "iam:",
        "assumerole",
        "credentials",
        "gated repo",
        "401 client error",
    ),
    _sig(
        "quota",
        "quota",
        "resourcelimitexceeded",
        "service limit",
        "quota",
        "insufficientinstancecapacity",
        "insufficient capacity",
        "instance type is not supported",
        "is not available in",
        "limit exceeded",
    ),
    _sig(
        "model_data",
        "artifact",
        "model data",
        "model.tar.gz",
        "tar.gz",
        "failed to download",
        "failed to extract",
        "s3://",
        "model artifact",
        "modeldataurl",
        "tarfile",
        "not a gzip",
        "model_data",
        "untar",
        "model repository",
        "model_repository",
        "model store",
        "model-store",
        "model archive",
        ".mar",
    ),
    _sig(
        "startup",
        "startup",
        "cannotstartcontainer",
        "failed to start",
        ":8080",
        "port 8080",
        "address already in use",
        "connection refused",
        "executable file not found",
        "exec format error",
        "entrypoint",
        "entry point",
        "entry_point",
        "docker run",
        "exec:",
        "not listening",
        "could not start",
        "failed to bind",
        "bind(",
    ),
    _sig(
        "cuda_config",
        "gpu_config",
        "no cuda-capable device",
        "not compiled with cuda",
        "cuda driver version",
        "ptx",
        "unsupported toolchain",
        "compute capability",
        "libcuda",
        "cudnn",
        "nvidia-smi",
        "no gpu",
        "gpu is not available",
        "cuda is not available",
        "cuda initialization",
        "cuda runtime",
        "found no nvidia driver",
        "driver version",
        "cuda_visible_devices",
        "nccl",
        "torch.cuda.is_available",
    ),
    _sig(
        "version_mismatch",
        "version",
        "incompatible",
        "not supported",
        "unsupported",
        "deprecated",
        "version conflict",
        "requires version",
        "was compiled",
        "built with",
        "mismatched version",
        "no longer supported",
        "only supports",
        "is not compatible",
        "minimum version",
        "upgrade",
    ),
    _sig(
        "sharding",
        "gpu_config",
        "num_shard",
        "sharded",
        "tensor_parallel",
        "tensor parallel",
        "tp_degree",
        "world size",
        "world_size",
        "num_gpus",
        "device count",
        "gpu count",
        "number of gpus",
        "attention heads",
        "divisible by",
        "invalid device ordinal",
        "partitions",
    ),
    # TGI and vLLM name shards and ranks in every start-up line: a feature, never a cause on its own
    _sig("shard_words", "gpu_info", "shard", "rank"),
    _sig(
        "token_limit",
        "limits",
        "max_input_length",
        "max_total_tokens",
        "input validation error",
        "must have less than",
        "max_model_len",
        "context length",
        "too long",
        "maximum context",
        "max_length",
        "max_position_embeddings",
        "max_batch",
        "payload too large",
        "request entity too large",
        "max_input_tokens",
        "max_rolling_batch",
        "batch_size",
        "exceeds the limit",
        "larger than",
    ),
    _sig("remote_code", "model_options", "trust_remote_code", "quantiz", "awq", "gptq", "bitsandbytes"),
    # --- model / user code ------------------------------------------------------------
    _sig("traceback", "traceback", "traceback (most recent call last)", "stack trace", "\tat "),
    _sig(
        "handler_fn",
        "user_code",
        *(
            f"in {fn}"
            for fn in (
                "model_fn",
                "input_fn",
                "predict_fn",
                "output_fn",
                "transform_fn",
                "handle",
                "preprocess",
                "postprocess",
                "inference",
                "execute",
                "forward",
                "initialize",
                "predict",
                "_predict",
                "load_model",
                "__call__",
            )
        ),
    ),
    _sig(
        "user_code_path",
        "user_code",
        "/opt/ml/model/code/",
        "inference.py",
        "handler.py",
        "model.py",
        "custom_handler",
        "predictor.py",
        "serve.py",
        "app.py",
        "main.py",
        "/opt/ml/model/",
    ),
    _sig(
        "py_exception",
        "exception",
        *(
            f"{kind}error"
            for kind in (
                "value",
                "type",
                "key",
                "attribute",
                "name",
                "index",
                "runtime",
                "assertion",
                "zerodivision",
                "notimplemented",
                "unboundlocal",
                "recursion",
                "lookup",
                "arithmetic",
                "overflow",
                "unicodedecode",
                "unicodeencode",
            )
        ),
        "stopiteration",
        "keyboardinterrupt",
    ),
    _sig(
        "shape_mismatch",
        "shape",
        "shape",
        "size mismatch",
        "dimension",
        "2d array",
        "1d array",
        "feature size",
        "number of features",
        "features, but",
        "must match",
        "inconsistent",
        "broadcast",
        "mat1 and mat2",
        "check failed",
        "incompatible shapes",
        "expected input",
        "expected sequence",
        "reshape",
        "out of bounds",
        "index out of range",
        "out of range",
    ),
    _sig(
        "dtype",
        "shape",
        "dtype",
        "expected scalar type",
        "but found",
        "cannot cast",
        "could not convert",
        "invalid literal",
        "float64",
        "float32",
        "int64",
        "not supported between",
        "unsupported operand",
    ),
    _sig(
        "state_dict",
        "weights",
        "state_dict",
        "missing key",
        "unexpected key",
        "size mismatch for",
        "error(s) in loading",
        "weights",
        "checkpoint",
    ),
    _sig(
        "json_serial",
        "serialization",
        "not json serializable",
        "jsondecodeerror",
        "expecting value",
        "json.decoder",
        "serializable",
        "unterminated string",
        "extra data",
    ),
    # whole-word nan/inf only: "[inf" alone would be every "[INFO" line
    _sig(
        "nan_output",
        "numeric",
        " nan ",
        " nan,",
        "[nan",
        "(nan",
        "=nan",
        ":nan",
        "nan]",
        "nan)",
        "infinity",
        " inf ",
        "[inf]",
        "[inf,",
        "(inf)",
        "(inf,",
        "=inf ",
        " inf]",
        " inf)",
        " inf,",
        "-inf",
        "overflow",
        "non-finite",
        "out of range float",
        "contains nan",
        "nan values",
        "nan loss",
    ),
    _sig("tokenizer", "tokenizer", "tokeniz", "vocab", "special token", "pad_token", "sentencepiece"),
    _sig(
        "handler_contract",
        "user_code",
        "invalid return type",
        "batch response mismatched",
        "number of batch response",
        "return type",
        "must return",
        "predictionexception",
        "prediction exception",
        "customerror",
        "returned none",
        "expected a list",
        "number of output",
    ),
    _sig(
        "user_code_error",
        "user_code",
        "is not defined",
        "has no attribute",
        "nonetype",
        "not subscriptable",
        "not callable",
        "unexpected keyword argument",
        "required positional argument",
        "not iterable",
        "object is not",
        "referenced before assignment",
        "unhashable",
        "division by zero",
    ),
    _sig(
        "deadlock",
        "user_code",
        "deadlock",
        " hang",
        "hung",
        "stuck",
        "infinite loop",
        "not responding",
        "lock timeout",
        "blocked",
    ),
    # --- generic severity and healthy traffic -------------------------------------------
    _sig("error_word", "severity", "error", "[e]"),
    # glog's severity prefix (Triton, TF Serving): E1029 03:56:30.380349 at the start of a line
    _sig("glog_error", "severity", "\ne0", "\ne1", "| e0", "| e1"),
    _sig("exception_word", "severity", "exception", "raise ", "raised"),
    _sig("fatal", "severity", "fatal", "critical", "panic", "abort", "emerg"),
    _sig("warning", "severity", "warn"),
    _sig("failed_word", "severity", "fail", "unable to", "could not", "cannot", "can't", "couldn't"),
    _sig("status_failed", "status", "endpointstatus: failed", "status: failed"),
)

SIGNAL_NAMES: tuple[str, ...] = tuple(s.name for s in SIGNALS)
SIGNAL_INDEX: dict[str, int] = {name: i for i, name in enumerate(SIGNAL_NAMES)}
FAMILY: dict[str, str] = {s.name: s.family for s in SIGNALS}

# Lines a reader keeps when a stream is too long to keep whole (`sources.cloudwatch`): a crash early
# in a long window must not be traded for the healthy traffic after it. A proposal, not a verdict.
LIKELY_FAILURE = frozenset(
    {
        "host_oom",
        "sigkill",
        "gpu_oom",
        "jvm_oom",
        "disk_full",
        "fd_threads",
        "http_5xx",
        "http_415",
        "traceback",
        "py_exception",
        "error_word",
        "glog_error",
        "exception_word",
        "fatal",
        "import_error",
        "handler_contract",
        "user_code_error",
        "json_serial",
        "status_failed",
    }
)


@dataclass(frozen=True)
class Hits:
    """Which signals fire on which texts, as parallel sorted arrays of distinct (text, signal) pairs."""

    texts: np.ndarray
    signals: np.ndarray

    def texts_with(self, names: frozenset[str] | None = None) -> np.ndarray:
        """Sorted distinct texts carrying any of `names` (any signal when None)."""
        keep = self.texts if names is None else self.texts[_mask(names)[self.signals]]
        return np.unique(keep)

    def by_text(self) -> dict[int, tuple[str, ...]]:
        """text -> names of its signals, for the texts that have any."""
        out: dict[int, list[str]] = {}
        for t, s in zip(self.texts.tolist(), self.signals.tolist()):
            out.setdefault(t, []).append(SIGNAL_NAMES[s])
        return {t: tuple(v) for t, v in out.items()}


@cache
def _mask(names: frozenset[str]) -> np.ndarray:
    wanted = np.zeros(len(SIGNALS), dtype=bool)
    wanted[[SIGNAL_INDEX[n] for n in names]] = True
    return wanted


@dataclass(frozen=True)
class _Automaton:
    search: Callable[..., list[tuple[int, int, int]]]
    phrases: list[bytes]
    offsets: np.ndarray  # phrase p belongs to owners[offsets[p]:offsets[p + 1]]
    owners: np.ndarray

    def pairs(self, where: np.ndarray, phrase: np.ndarray) -> Hits:
        """The distinct (text, signal) pairs of phrases `phrase` found on texts `where`."""
        per = self.offsets[phrase + 1] - self.offsets[phrase]
        first = np.repeat(self.offsets[phrase], per)
        within = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
        pairs = np.unique(np.repeat(where, per) * len(SIGNALS) + self.owners[first + within])
        return Hits(pairs // len(SIGNALS), pairs % len(SIGNALS))


def _dfa(phrases: Sequence[bytes]) -> Callable[..., list[tuple[int, int, int]]]:
    import ahocorasick_rs

    # the DFA form takes more memory to build (well under a megabyte here) and searches faster
    return ahocorasick_rs.BytesAhoCorasick(
        list(phrases), implementation=ahocorasick_rs.Implementation.DFA
    ).find_matches_as_indexes


@cache
def _automaton() -> _Automaton:
    owners: dict[str, list[int]] = {}
    for k, sig in enumerate(SIGNALS):
        for lit in sig.literals:
            owners.setdefault(lit, []).append(k)
    phrases = sorted(owners)
    assert all("\n" not in p[1:] for p in phrases), "a newline may only open a phrase"
    encoded = [p.encode() for p in phrases]
    offsets = np.cumsum([0] + [len(owners[p]) for p in phrases])
    flat = np.array([k for p in phrases for k in owners[p]], dtype=np.int64)
    return _Automaton(_dfa(encoded), encoded, offsets, flat)


def as_bytes(texts: Sequence[str]) -> bytes:
    """The texts as one byte string, each after a newline, one byte per character.

    Latin-1's own byte where it has one, "?" for any other character: phrases
    are ASCII without "?", so no other character can take part in a match and
    byte offsets are character offsets. The leading newline lets phrases that
    open a line ("\\ne0", glog's severity) match the first text too.
    """
    return "\n".join(["", *texts]).encode("latin-1", "replace")


def _matches(search: Callable[..., list[tuple[int, int, int]]], data: bytes) -> np.ndarray:
    """(phrase, start, end) of every match, overlapping ones too, as an (n, 3) array."""
    found = search(data, overlapping=True)
    return np.fromiter(chain.from_iterable(found), dtype=np.int64, count=3 * len(found)).reshape(-1, 3)


def _owners(lengths: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Which text of `as_bytes` holds each byte offset `at`; a text's leading newline counts as its own."""
    starts = np.cumsum(lengths + 1) - lengths  # text i's first byte; its leading newline is one before
    return np.searchsorted(starts, at + 1, side="right") - 1


def scan(texts: Sequence[str]) -> Hits:
    """Every signal on every text, in one pass over all of them."""
    if not texts:
        return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    table = _automaton()
    flat = _matches(table.search, as_bytes(texts).lower())
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    return table.pairs(_owners(lengths, flat[:, 1]), flat[:, 0])


@cache
def _blurred(blur: bytes) -> tuple[Callable[..., list[tuple[int, int, int]]], np.ndarray]:
    """A search for the phrases as `blur` shows them (several phrases can blur alike: "http/1.1 500" and
    "http/1.1 503"), and the length of each blurred phrase."""
    table = _automaton()
    blurred = sorted({phrase.translate(blur) for phrase in table.phrases})
    return _dfa(blurred), np.fromiter(map(len, blurred), dtype=np.int64, count=len(blurred))


@cache
def _by_width() -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """width -> the phrases of that many bytes, sorted (as a numpy bytes array), and their indices."""
    table = _automaton()
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for width in sorted({len(p) for p in table.phrases}):
        ids = np.asarray([i for i, p in enumerate(table.phrases) if len(p) == width])
        out[width] = (np.asarray([table.phrases[i] for i in ids], dtype=f"S{width}"), ids)
    return out


def scan_shapes(
    lowered: bytes, lengths: np.ndarray, shape_of: np.ndarray, shapes: Sequence[bytes], blur: bytes
) -> Hits:
    """`scan` of texts that come in few shapes: the same hits, found by searching each shape once.

    `lowered` is `as_bytes(texts).lower()`; text i has the shape `shapes[shape_of[i]]`, what `blur` (a
    `bytes.translate` table that maps characters to characters, so lengths stay) leaves of it, lowered. A
    phrase can be on a text only where its blurred form is on the text's shape, and at the same place,
    so each place found on a shape is read on every text of that shape to see which phrase, if any, is
    really there: one array lookup per phrase length, not one search per text.
    """
    if not len(lengths):
        return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    search, blurred_width = _blurred(blur)
    found = _matches(search, b"\n".join([b"", *shapes]))
    shape_lengths = np.fromiter(map(len, shapes), dtype=np.int64, count=len(shapes))
    shape = _owners(shape_lengths, found[:, 1])
    place = found[:, 1] - (np.cumsum(shape_lengths + 1) - shape_lengths)[shape]  # -1: the leading newline
    # every (place found, text of that shape) pair
    order = np.argsort(shape_of, kind="stable")
    sizes = np.bincount(shape_of, minlength=len(shapes))
    first = np.cumsum(sizes) - sizes
    n = sizes[shape]
    pair_of = np.repeat(np.arange(len(found)), n)
    texts = order[np.repeat(first[shape], n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)]
    at = (np.cumsum(lengths + 1) - lengths)[texts] + place[pair_of]
    width = blurred_width[found[pair_of, 0]]
    buffer = np.frombuffer(lowered, dtype=np.uint8)
    where, phrase = [], []
    for w, (phrases, ids) in _by_width().items():
        sel = np.flatnonzero(width == w)
        if not len(sel):
            continue
        seen = buffer[at[sel, None] + np.arange(w)].view(f"S{w}").ravel()
        i = np.minimum(np.searchsorted(phrases, seen), len(phrases) - 1)
        hit = phrases[i] == seen
        where.append(texts[sel[hit]])
        phrase.append(ids[i[hit]])
    table = _automaton()
    if not where:
        return Hits(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    return table.pairs(np.concatenate(where), np.concatenate(phrase))
