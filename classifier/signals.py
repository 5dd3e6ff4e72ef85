"""Named signal patterns: the vocabulary of failure that carries across serving stacks.

Hashed tokens learn a stack's own phrasing; these families name the same root
cause however a stack phrases it ("CUDA out of memory", "OOM when allocating
tensor", "CNMEM_STATUS_OUT_OF_MEMORY" are all `gpu_oom`), which is what lets a
model trained on some stacks recognise a failure on another.

Each signal carries the literal substrings one of which any match must contain.
Scanning checks those with `in` on the whole lowercased window first (memchr
speed), and runs the regular expression only when a literal is present, so a
window of healthy traffic costs a few substring searches, not a regex per line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Signal:
    name: str
    family: str
    literals: tuple[str, ...]
    pattern: str

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.pattern)


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    rx = _CACHE.get(pattern)
    if rx is None:
        rx = _CACHE[pattern] = re.compile(pattern)
    return rx


def _sig(name: str, family: str, *alternatives: str, literals: tuple[str, ...] | None = None, regex: str | None = None) -> Signal:
    """A signal from plain lowercase phrases (each phrase is its own literal) or an explicit regex."""
    if regex is None:
        regex = "|".join(re.escape(a) for a in alternatives)
        literals = alternatives
    assert literals, name
    return Signal(name, family, tuple(literals), regex)


# Families group signals for evidence ranking and remediation; the model sees every signal.
SIGNALS: tuple[Signal, ...] = (
    # --- memory and capacity -------------------------------------------------
    _sig("host_oom", "memory", "out of memory", "oom-kill", "oom_kill", "oomkill", "oom killer", "killed process",
         "memoryerror", "cannot allocate memory", "bad_alloc", "perhaps out of memory", "memory limit",
         "exceeds memory", "exceeded memory", "insufficient memory", "not enough memory", "failed to allocate memory"),
    _sig("sigkill", "memory", literals=("137", "sigkill", "signal 9", "killed"),
         regex=r"(?:exit|exited|code|status|signal|returned)\D{0,12}137\b|\(137\)|sigkill|signal 9\b|\bkilled\b"),
    _sig("gpu_oom", "gpu_memory", "cuda out of memory", "cuda error: out of memory", "oom when allocating",
         "resource_exhausted", "resourceexhausted", "cnmem_status_out_of_memory", "failed to allocate cuda memory",
         "cublas_status_alloc_failed", "torch.outofmemoryerror", "cuda.outofmemoryerror", "cuda_error_out_of_memory", "gpu memory",
         "kv cache", "num_gpu_blocks", "gpu_memory_utilization", "cudamalloc", "out of device memory"),
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
    _sig("latency_words", "latency", "slow", "latency", "took ", "elapsed"),
    # --- timeouts, health, workers ------------------------------------------------
    _sig("timeout", "timeout", "timed out", "timeout", "time out", "deadline exceeded", "did not respond in given time",
         "took too long", "no response"),
    _sig("health_check", "health", "ping", "health check", "healthcheck", "health-check", "did not pass", "readiness"),
    _sig("worker_died", "worker", "worker died", "process died", "worker disconnected", "worker exited",
         "exited with code", "exit code", "exit status", "restarting", "segmentation fault", "sigsegv",
         "core dumped", "fatal signal", "died", "terminated", "shutting down", "handling signal", "respawn",
         "worker timeout"),
    # --- HTTP ------------------------------------------------------------------------
    # Status codes count only where they are status codes (after the HTTP version in an
    # access log, after "status"/"code"/"error", in parentheses): a bare 500 may be a byte count.
    _sig("http_5xx", "http", literals=("500", "502", "503", "504", "server error", "bad gateway"),
         regex=r'http/[\d.]+"?\s+50[0-4]\b|(?:status|code|error)\D{0,12}50[0-4]\b|\(50[0-4]\)|: 50[0-4]\b'
               r"|\b50[0-4] (?:internal|bad gateway|service unavailable|gateway timeout)|server error|bad gateway"),
    _sig("http_4xx", "http", literals=("400", "404", "413", "422", "424", "429", "client error", "bad request"),
         regex=r'http/[\d.]+"?\s+4(?:00|04|13|22|24|29)\b|(?:status|code|error)\D{0,12}4(?:00|04|13|22|24|29)\b'
               r"|\(4(?:00|04|13|22|24|29)\)|: 4(?:00|04|13|22|24|29)\b|client error|bad request"),
    _sig("http_415", "content_type", literals=("415", "unsupported media"),
         regex=r'http/[\d.]+"?\s+415\b|(?:status|code|error)\D{0,12}415\b|\(415\)|: 415\b|\b415 unsupported|unsupported media'),
    _sig("http_403", "permission", literals=("403",),
         regex=r'http/[\d.]+"?\s+403\b|(?:status|code|error)\D{0,12}403\b|\(403\)|: 403\b|\b403 forbidden'),
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
         "does not appear to have",
         "cannot find", "could not find", "unable to find", "unable to locate", "missing", "no such key",
         "nosuchkey", "not exist"),
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
         "found no nvidia driver", "driver version", "cuda_visible_devices", "sm_", "nccl", "torch.cuda.is_available"),
    _sig("version_mismatch", "version", "incompatible", "not supported", "unsupported", "deprecated",
         "version conflict", "requires version", "was compiled", "built with", "mismatched version",
         "no longer supported", "only supports", "is not compatible", "minimum version", "upgrade"),
    _sig("sharding", "gpu_config", "num_shard", "sharded", "tensor_parallel", "tensor parallel", "tp_degree",
         "world size", "world_size", "num_gpus", "device count", "gpu count", "number of gpus", "attention heads",
         "divisible by", "invalid device ordinal", "partitions"),
    # TGI and vLLM name shards and ranks in every start-up line: a feature, never a cause on its own
    _sig("shard_words", "gpu_info", "shard", "rank"),
    _sig("token_limit", "limits", "max_input_length", "max_total_tokens", "max_new_tokens", "input validation error",
         "must have less than", "max_model_len", "context length", "too long", "maximum context", "max_length",
         "max_position_embeddings", "max_batch", "payload too large", "request entity too large", "max_input_tokens",
         "max_rolling_batch", "batch_size", "exceeds the limit", "larger than"),
    _sig("remote_code", "model_options", "trust_remote_code", "quantiz", "awq", "gptq", "bitsandbytes"),
    # --- model / user code ------------------------------------------------------------
    _sig("traceback", "traceback", "traceback (most recent call last)", "stack trace", "\tat "),
    _sig("handler_fn", "user_code", literals=("in ",),
         regex=r"\bin (?:model_fn|input_fn|predict_fn|output_fn|transform_fn|handle|preprocess|postprocess|"
               r"inference|execute|forward|initialize|predict|_predict|load_model|__call__)\b"),
    _sig("user_code_path", "user_code", "/opt/ml/model/code/", "inference.py", "handler.py", "model.py",
         "custom_handler", "predictor.py", "serve.py", "app.py", "main.py", "/opt/ml/model/"),
    _sig("py_exception", "exception", literals=("error", "exception", "interrupt"),
         regex=r"\b(?:value|type|key|attribute|name|index|runtime|assertion|zerodivision|notimplemented|"
               r"unboundlocal|recursion|lookup|arithmetic|overflow|unicodedecode|unicode|json)error\b|"
               r"\bstopiteration\b|keyboardinterrupt"),
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
    _sig("nan_output", "numeric", literals=("nan", "inf", "overflow"),
         regex=r"\bnan\b|\binf\b|infinity|overflow"),
    _sig("tokenizer", "tokenizer", "tokeniz", "vocab", "special token", "pad_token", "sentencepiece"),
    _sig("handler_contract", "user_code", "invalid return type", "batch response mismatched",
         "number of batch response", "return type", "must return", "predictionexception", "prediction exception",
         "customerror", "returned none", "expected a list", "number of output"),
    _sig("user_code_error", "user_code", "is not defined", "has no attribute", "nonetype", "not subscriptable",
         "not callable", "unexpected keyword argument", "required positional argument", "not iterable",
         "object is not", "referenced before assignment", "unhashable", "division by zero"),
    _sig("deadlock", "user_code", "deadlock", "hang", "stuck", "infinite loop", "blocked", "lock"),
    # --- generic severity and healthy traffic -------------------------------------------
    _sig("error_word", "severity", literals=("error", "err", "[e]", "[e "),
         regex=r"\berror\b|\berr\b|\[e[\] ]|\berror\w*\b"),
    _sig("glog_error", "severity", literals=("e0", "e1"),
         regex=r"(?:^|(?<=\n))[|> ]*e[01]\d[0-3]\d \d\d:\d\d:\d\d"),
    _sig("exception_word", "severity", "exception", "raise ", "raised"),
    _sig("fatal", "severity", "fatal", "critical", "panic", "abort", "emerg"),
    _sig("warning", "severity", "warn"),
    _sig("failed_word", "severity", "fail", "unable to", "could not", "cannot", "can't", "couldn't"),
    _sig("ping_ok", "healthy", literals=("/ping",), regex=r"/ping[^\n]*\b200\b"),
    _sig("invocation_ok", "healthy", literals=("/invocations", "/predictions", "/generate", "/v1/"),
         regex=r"(?:/invocations|/predictions|/generate|/v1/)[^\n]*\b200\b"),
    _sig("status_failed", "status", "endpointstatus: failed", "status: failed"),
)

SIGNAL_NAMES: tuple[str, ...] = tuple(s.name for s in SIGNALS)

# A line with any of these is part of a failure, not traffic or start-up chatter; a
# window with none of them (and no metric anomaly or Failed status) holds no failure.
# Broad families such as `model_data` ("loading s3://.../model.tar.gz") or
# `startup` ("listening on 8080") stay features only: they are normal on their own.
EPISODE_SIGNALS = frozenset({
    "host_oom", "sigkill", "gpu_oom", "jvm_oom", "disk_full", "fd_threads", "http_5xx", "http_415",
    "traceback", "py_exception", "error_word", "glog_error", "exception_word", "fatal", "import_error",
    "handler_contract", "user_code_error", "json_serial", "status_failed",
})


# Signals that a line of ordinary traffic carries ("GET /ping ... 200", "took 12 ms"):
# a line with only these says nothing about a failure.
TRAFFIC_SIGNALS = frozenset({"ping_ok", "invocation_ok", "health_check", "latency_words"})


@dataclass(frozen=True)
class ScanResult:
    """Which signals fired, how often, and on which events."""

    counts: dict[str, int]
    event_hits: dict[int, tuple[str, ...]]  # event index -> signal names (events with any hit only)


def scan(messages: list[str]) -> ScanResult:
    """Match every signal over a window of log messages in one pass per present signal."""
    if not messages:
        return ScanResult({}, {})
    text = "\n".join(messages).lower()
    starts: list[int] = []
    pos = 0
    for m in messages:
        starts.append(pos)
        pos += len(m) + 1
    counts: dict[str, int] = {}
    hits: dict[int, list[str]] = {}
    for sig in SIGNALS:
        if not any(lit in text for lit in sig.literals):
            continue
        n = 0
        last_event = -1
        for match in sig.regex.finditer(text):
            event = bisect.bisect_right(starts, match.start()) - 1
            n += 1
            if event != last_event:
                hits.setdefault(event, []).append(sig.name)
                last_event = event
        if n:
            counts[sig.name] = n
    return ScanResult(counts, {k: tuple(v) for k, v in hits.items()})
