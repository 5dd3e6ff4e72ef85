"""Incident -> fixed-width feature row.

Four blocks, each meant to carry over to stacks the training data never saw:
named signal counts (signals.py), log-shape statistics, metric-window statistics
(vectorised over all incidents at once with numpy, no Python loop per window)
and endpoint context; plus hashed unigrams and bigrams of the lines that carry
signals, which learn each stack's own phrasing.  The schema (every column's
name, the signal patterns, the hash width) is hashed into `schema_hash`, which
the model manifest records so a model never scores columns it was not fitted on.
"""

from __future__ import annotations

import hashlib
import math
import re
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter, countOf

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from . import instances
from .incident import Incident
from .logtext import message_texts
from .signals import EPISODE_SIGNALS, SIGNALS, ScanResult, scan, scan_messages

FEATURE_SCHEMA_VERSION = 3

UTILIZATION_METRICS = ("CPUUtilization", "MemoryUtilization", "DiskUtilization", "GPUUtilization", "GPUMemoryUtilization")
COUNT_METRICS = ("Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "InvocationModelErrors")
LATENCY_METRICS = ("ModelLatency", "OverheadLatency", "ModelSetupTime")
METRICS = UTILIZATION_METRICS + COUNT_METRICS + LATENCY_METRICS

_UTIL_STATS = ("present", "max", "mean", "last", "frac_high", "rise", "slope")
_COUNT_STATS = ("present", "log_sum", "frac_nonzero", "log_peak", "late_share")
_LATENCY_STATS = ("present", "log_max", "log_median", "spike")
_DERIVED = ("rate_5xx", "rate_4xx", "rate_model_errors", "traffic_drop")

_STATUS = ("failed", "in_service", "transitional", "rolled_back", "missing")
_CONTEXT = (
    *(f"status_{s}" for s in _STATUS),
    "has_failure_reason", "instance_known", "instance_gpu", "instance_log_gpus", "instance_log_memory",
    "instance_log_vcpus", "instance_log_count", "image_gpu", "image_cpu", "image_neuron",
    "gpu_image_on_cpu_instance", "cpu_image_on_gpu_instance",
)
_LOG_SHAPE = ("has_logs", "log_events", "log_streams", "frac_timestamped", "frac_error_events", "frac_signal_events",
              "log_longest_event", "multiline_events")

# A word: two letters or underscores, then any word characters. The schema hashes this spelling;
# words are found with the same pattern spelled out and possessive (nothing follows it to backtrack
# for), which Python's regex engine runs ~1.3x faster.
TOKEN_PATTERN = r"[a-z_]{2,}[a-z0-9_]*"
_TOKEN = re.compile(r"[a-z_][a-z_][a-z0-9_]*+")
_MAX_TOKEN = 40
# Hashing every line of a 100k-event window would cost more than fetching it;
# the lines that carry signals say what the window is about.
_MAX_TOKEN_EVENTS = 200
_METRIC_CLIP = 1e6


def dense_feature_names() -> list[str]:
    names = [f"sig:{s.name}:log_count" for s in SIGNALS] + [f"sig:{s.name}:present" for s in SIGNALS]
    names += [f"log:{n}" for n in _LOG_SHAPE]
    for m in UTILIZATION_METRICS:
        names += [f"metric:{m}:{s}" for s in _UTIL_STATS]
    for m in COUNT_METRICS:
        names += [f"metric:{m}:{s}" for s in _COUNT_STATS]
    for m in LATENCY_METRICS:
        names += [f"metric:{m}:{s}" for s in _LATENCY_STATS]
    names += [f"metric:{d}" for d in _DERIVED]
    names += [f"ctx:{c}" for c in _CONTEXT]
    return names


def schema_hash(n_hash_bits: int) -> str:
    """Changes whenever a column's meaning could change: names, patterns, hash width, version."""
    h = hashlib.sha256()
    h.update(f"v{FEATURE_SCHEMA_VERSION};bits={n_hash_bits};".encode())
    for s in SIGNALS:
        h.update(f"{s.name}|{s.family}|{s.counted_only}|{'/'.join(s.literals)}\n".encode())
    h.update("\n".join(dense_feature_names()).encode())
    h.update(TOKEN_PATTERN.encode())
    return h.hexdigest()


# ---------------------------------------------------------------- text

def event_texts(incident: Incident) -> list[str]:
    """The texts the scanner reads: every log message, plus the endpoint's FailureReason."""
    return message_texts(list(map(attrgetter("message"), incident.logs))) + _reason_texts(incident)


def _reason_texts(incident: Incident) -> list[str]:
    """The FailureReason as the last event, as it is: it is not a log line to unwrap."""
    reason = incident.context.failure_reason
    return ["FailureReason: " + reason] if reason else []


@dataclass(frozen=True)
class TextView:
    """An incident's event texts (its logs, then its FailureReason) and what the scanner found on them.

    Made once per window: episodes, features and evidence all read the same
    view, and an episode's view is cut from its window's, never scanned again.
    """

    texts: list[str]
    result: ScanResult
    n_logs: int

    def logs_subset(self, keep: Sequence[int]) -> TextView:
        """The view of an incident holding the logs `keep` (sorted, distinct) of this one (and the same FailureReason)."""
        if len(keep) == self.n_logs:  # all of them: an hour's window that is one episode
            return self
        index = np.asarray(keep, dtype=np.int64)
        if len(self.texts) > self.n_logs:  # the FailureReason event stays last
            index = np.append(index, self.n_logs)
        texts = [self.texts[i] for i in index.tolist()]
        return TextView(texts, self.result.restrict(index, texts), len(keep))


def text_view(incident: Incident) -> TextView:
    """The view of `event_texts(incident)`, cleaned and searched in one pass (`scan_messages`)."""
    texts, result = scan_messages(list(map(attrgetter("message"), incident.logs)), _reason_texts(incident))
    return TextView(texts, result, len(incident.logs))


def salient_events(result: ScanResult, n_events: int) -> np.ndarray:
    """Events that carry a located signal, in order; past the cap, failure lines first (the first and last ones)."""
    picked = result.events_with()
    picked = picked[picked < n_events]
    if len(picked) <= _MAX_TOKEN_EVENTS:
        return picked
    failing = result.events_with(EPISODE_SIGNALS)
    failing = failing[failing < n_events]
    if len(failing) >= _MAX_TOKEN_EVENTS:
        half = _MAX_TOKEN_EVENTS // 2
        return np.concatenate([failing[:half], failing[-half:]])
    keep = np.zeros(len(picked), dtype=bool)
    keep[np.searchsorted(picked, failing)] = True  # failing events are picked events; both sorted
    keep[np.flatnonzero(~keep)[: _MAX_TOKEN_EVENTS - len(failing)]] = True  # then the first others
    return picked[keep]


class _WordCodes(dict):
    """crc32 of a word (stable across processes, unlike hash()), remembered.

    The same few thousand words recur in every window, so a batch or a long
    window hashes each once; forgetting everything past a bound keeps a
    stream of unique words (request ids, hex addresses) from growing it.
    """

    def __missing__(self, word: str) -> int:
        if len(self) >= _REMEMBERED_WORDS:
            self.clear()
        code = self[word] = zlib.crc32(word[:_MAX_TOKEN].encode())  # _TOKEN words are ASCII
        return code


_REMEMBERED_WORDS = 200_000
_WORD_CODES = _WordCodes()


def _word_hashes(text: str) -> np.ndarray:
    """crc32 of each word of `text` in order."""
    words = _TOKEN.findall(text.lower())
    return np.fromiter(map(_WORD_CODES.__getitem__, words), dtype=np.uint64, count=len(words))


def hashed_tokens(text: str, extra: Sequence[str], n_hash_bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and weights of the unigrams and bigrams of `text` plus the `extra` tokens.

    Bigrams are hashed from their words' hashes with numpy, not built as strings;
    weights are log1p of the counts, L2-normalised.
    """
    words = _word_hashes(text)
    bigrams = (words[:-1] * np.uint64(0x9E3779B1) ^ words[1:]) if len(words) > 1 else words[:0]
    extras = np.fromiter((zlib.crc32(t.encode()) for t in extra), dtype=np.uint64, count=len(extra))
    codes = np.concatenate([words, bigrams, extras]) & np.uint64((1 << n_hash_bits) - 1)
    if not len(codes):
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    cols, counts = np.unique(codes.astype(np.int64), return_counts=True)
    weights = np.log1p(counts)
    return cols, weights / np.linalg.norm(weights)


def image_tokens(image: str | None) -> list[str]:
    if not image:
        return []
    return ["img:" + w for w in _TOKEN.findall(image.lower().rsplit("/", 1)[-1])]


# ---------------------------------------------------------------- dense blocks

def _signal_block(result: ScanResult) -> np.ndarray:
    counts = result.counts.astype(np.float64)
    return np.concatenate([np.log1p(counts), (counts > 0).astype(np.float64)])


def _log_shape_block(incident: Incident, result: ScanResult) -> np.ndarray:
    logs = incident.logs
    n = len(logs)
    if n == 0:
        return np.zeros(len(_LOG_SHAPE))
    error_events = int((result.events_with(EPISODE_SIGNALS) < n).sum())
    signal_events = int((result.events_with() < n).sum())
    streams = len(set(map(attrgetter("stream"), logs)) - {None})
    # a datetime is never false: all() runs in C where counting Nones calls datetime.__eq__ per event
    timestamped = n if all(map(attrgetter("timestamp"), logs)) else n - countOf(map(attrgetter("timestamp"), logs), None)
    longest = int(result.lengths[:n].max())
    multiline = int((result.multiline < n).sum())
    return np.array([
        1.0, math.log1p(n), math.log1p(streams), timestamped / n,
        error_events / n, signal_events / n, math.log1p(longest), math.log1p(multiline),
    ])


def _padded(incidents: Sequence[Incident], name: str) -> np.ndarray:
    """(n_incidents, longest window) float array of one metric, NaN where absent."""
    series = [inc.metrics.get(name) for inc in incidents]
    width = max((len(s.values) for s in series if s is not None), default=0)
    out = np.full((len(incidents), max(width, 1)), np.nan)
    for i, s in enumerate(series):
        if s is not None and s.values:
            out[i, : len(s.values)] = s.values
    return out


def _row_stats(values: np.ndarray) -> dict[str, np.ndarray]:
    """NaN-aware statistics of each row, all vectorised."""
    valid = ~np.isnan(values)
    count = valid.sum(axis=1)
    present = count > 0
    zeros = np.where(valid, values, 0.0)
    idx = np.arange(values.shape[1], dtype=np.float64)[None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mx = np.where(present, np.nanmax(np.where(valid, values, -np.inf), axis=1), 0.0)
        total = zeros.sum(axis=1)
        mean = np.where(present, total / np.maximum(count, 1), 0.0)
        # first and last valid values
        first_idx = np.where(present, np.argmax(valid, axis=1), 0)
        last_idx = np.where(present, values.shape[1] - 1 - np.argmax(valid[:, ::-1], axis=1), 0)
        rows = np.arange(values.shape[0])
        first = np.where(present, values[rows, first_idx], 0.0)
        last = np.where(present, values[rows, last_idx], 0.0)
        # least-squares slope over the window, scaled to the whole window's change
        xm = np.where(valid, idx, 0.0).sum(axis=1) / np.maximum(count, 1)
        dx = np.where(valid, idx - xm[:, None], 0.0)
        dy = np.where(valid, values - mean[:, None], 0.0)
        denom = (dx * dx).sum(axis=1)
        slope = np.where(denom > 0, (dx * dy).sum(axis=1) / np.where(denom > 0, denom, 1.0), 0.0)
        span = np.maximum(count - 1, 0)
        # totals of each row's own first and last thirds (rows differ in length; padding is not data)
        length = last_idx - first_idx + 1
        third = np.maximum(1, length // 3)[:, None]
        early = np.where(idx < first_idx[:, None] + third, zeros, 0.0).sum(axis=1)
        late = np.where(idx > last_idx[:, None] - third, zeros, 0.0).sum(axis=1)
    return {"valid": valid, "count": count, "present": present, "max": mx, "mean": mean,
            "first": first, "last": last, "slope_total": slope * span, "total": total, "early": early, "late": late}


def _row_median(values: np.ndarray) -> np.ndarray:
    """Median of each row's valid values (0 for an empty row): one sort, NaN last, instead of np.nanmedian's
    masked-array path, which took most of the metric block's time."""
    count = (~np.isnan(values)).sum(axis=1)
    ordered = np.sort(values, axis=1)
    rows = np.arange(values.shape[0])
    lo, hi = np.maximum((count - 1) // 2, 0), np.maximum(count // 2, 0)
    with np.errstate(over="ignore"):  # two datapoints near 1.8e308 sum to inf; metric_block clips it
        return np.where(count > 0, (ordered[rows, lo] + ordered[rows, hi]) / 2, 0.0)


def _capacity(incidents: Sequence[Incident], name: str, observed_max: np.ndarray) -> np.ndarray:
    """Full scale of a utilization metric: 100 per vCPU / per GPU where the type is known."""
    caps = np.empty(len(incidents))
    for i, inc in enumerate(incidents):
        it = instances.lookup(inc.context.instance_type)
        if name in ("MemoryUtilization", "DiskUtilization"):
            caps[i] = 100.0
        elif name == "CPUUtilization" and it is not None:
            caps[i] = 100.0 * it.vcpus
        elif name.startswith("GPU") and it is not None and it.gpus:
            caps[i] = 100.0 * it.gpus
        else:  # unknown type: the smallest whole number of devices that fits the data
            caps[i] = 100.0 * max(1.0, math.ceil(observed_max[i] / 100.0 - 1e-9))
    return caps


def metric_block(incidents: Sequence[Incident]) -> np.ndarray:
    cols: list[np.ndarray] = []
    sums: dict[str, np.ndarray] = {}
    for name in UTILIZATION_METRICS:
        raw = _padded(incidents, name)
        st = _row_stats(raw)
        cap = _capacity(incidents, name, st["max"])
        scaled = raw / cap[:, None]
        s = _row_stats(scaled)
        high = np.where(s["valid"], scaled >= 0.9, False).sum(axis=1) / np.maximum(s["count"], 1)
        cols += [s["present"].astype(float), s["max"], s["mean"], s["last"], high, s["max"] - s["first"], s["slope_total"]]
    for name in COUNT_METRICS:
        raw = _padded(incidents, name)
        s = _row_stats(np.where(raw < 0, np.nan, raw))
        nonzero = np.where(s["valid"], np.nan_to_num(raw) > 0, False).sum(axis=1) / np.maximum(s["count"], 1)
        late_share = np.where(s["total"] > 0, s["late"] / np.where(s["total"] > 0, s["total"], 1.0), 0.0)
        cols += [s["present"].astype(float), np.log1p(s["total"]), nonzero, np.log1p(np.maximum(s["max"], 0)), late_share]
        sums[name] = s["total"]
        if name == "Invocations":
            sums["_inv_first"] = s["early"]
            sums["_inv_late"] = s["late"]
    for name in LATENCY_METRICS:
        raw = _padded(incidents, name)
        clean = np.where(raw < 0, np.nan, raw)
        s = _row_stats(clean)
        mx = np.maximum(s["max"], 0)
        med = _row_median(clean)
        cols += [s["present"].astype(float), np.log10(mx + 1) / 7, np.log10(med + 1) / 7,
                 np.where(s["present"], np.log1p(mx / (med + 1.0)), 0.0)]
    inv = np.maximum(sums["Invocations"], 1.0)
    cols += [
        np.clip(sums["Invocation5XXErrors"] / inv, 0, 1),
        np.clip(sums["Invocation4XXErrors"] / inv, 0, 1),
        np.clip(sums["InvocationModelErrors"] / inv, 0, 1),
        np.where(sums["_inv_first"] > 0, np.clip(1 - sums["_inv_late"] / np.maximum(sums["_inv_first"], 1e-9), -1, 1), 0.0),
    ]
    block = np.column_stack(cols) if incidents else np.zeros((0, len(cols)))
    # clipped so that absurd datapoints (1e300) cannot overflow the float32 matrix; real windows are far inside
    return np.clip(np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0), -_METRIC_CLIP, _METRIC_CLIP)


def _context_block(incident: Incident) -> np.ndarray:
    ctx = incident.context
    status = (ctx.status or "").strip().lower()
    onehot = [
        status == "failed",
        status == "inservice",
        status in {"creating", "updating", "systemupdating"},
        status in {"rollingback", "updaterollbackfailed", "outofservice", "deleting"},
        not status,
    ]
    it = instances.lookup(ctx.instance_type)
    gpu_instance = instances.is_gpu_name(ctx.instance_type)
    image = (ctx.image or "").lower()
    image_gpu = bool(re.search(r"gpu|cu1\d\d|cuda|tgi|lmi|tensorrt", image))
    image_cpu = "cpu" in image
    image_neuron = "neuron" in image or "inf2" in image
    known_instance = it is not None or gpu_instance or bool(ctx.instance_type)
    return np.array([
        *map(float, onehot),
        float(bool(ctx.failure_reason)), float(it is not None), float(gpu_instance),
        math.log2(1 + it.gpus) if it else 0.0, math.log2(it.memory_gib) / 11 if it else 0.0,
        math.log2(it.vcpus) / 8 if it else 0.0, math.log1p(ctx.instance_count or 0),
        float(image_gpu), float(image_cpu), float(image_neuron),
        float(image_gpu and known_instance and not gpu_instance and not image_neuron),
        float(image_cpu and gpu_instance),
    ])


# ---------------------------------------------------------------- estimator

class IncidentFeaturizer(TransformerMixin, BaseEstimator):
    """Stateless transformer from Incident objects to a sparse float32 matrix.

    Stateless (like HashingVectorizer) so a model can be retrained on new data
    without refitting a vocabulary; `fit` only records the schema it produced,
    which the model manifest checks against the running code.
    """

    def __init__(self, n_hash_bits: int = 14):
        self.n_hash_bits = n_hash_bits

    def fit(self, X: Sequence[Incident], y: object = None) -> IncidentFeaturizer:
        self.schema_hash_ = schema_hash(self.n_hash_bits)
        self.n_dense_ = len(dense_feature_names())
        self.n_features_out_ = self.n_dense_ + (1 << self.n_hash_bits)
        return self

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        names = dense_feature_names() + [f"hash:{i}" for i in range(1 << self.n_hash_bits)]
        return np.asarray(names, dtype=object)

    def line_rows(self, lines: Sequence[str]) -> sp.csr_matrix:
        """Each line as a one-event window, signal and token columns only (the rest zero).

        What a line would contribute on its own: the evidence ranking scores
        every candidate line with it, far cheaper than featurizing whole windows.
        """
        result = scan(lines)
        n_sig = len(SIGNALS)
        # one event per line: a present signal has count 1 -> log1p(1) and present 1
        sig_rows = result.events
        sig_cols = np.concatenate([result.signals, result.signals + n_sig])
        sig_vals = np.concatenate([np.full(len(sig_rows), math.log1p(1.0)), np.ones(len(sig_rows))])
        rows, cols, vals = [np.concatenate([sig_rows, sig_rows])], [sig_cols], [sig_vals]
        n_dense = len(dense_feature_names())
        for i, line in enumerate(lines):
            c, v = hashed_tokens(line, (), self.n_hash_bits)
            rows.append(np.full(len(c), i))
            cols.append(c + n_dense)
            vals.append(v)
        return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(len(lines), n_dense + (1 << self.n_hash_bits)), dtype=np.float32)

    def transform(self, X: Sequence[Incident]) -> sp.csr_matrix:
        incidents = list(X)
        return self.transform_views(incidents, [text_view(inc) for inc in incidents])

    def transform_views(self, incidents: Sequence[Incident], views: Sequence[TextView]) -> sp.csr_matrix:
        """`transform` for incidents whose text views are already made."""
        texts = [v.texts for v in views]
        scans = [v.result for v in views]
        dense = np.hstack([
            np.vstack([_signal_block(r) for r in scans]) if incidents else np.zeros((0, 2 * len(SIGNALS))),
            np.vstack([_log_shape_block(inc, r) for inc, r in zip(incidents, scans)])
            if incidents else np.zeros((0, len(_LOG_SHAPE))),
            metric_block(incidents),
            np.vstack([_context_block(inc) for inc in incidents]) if incidents else np.zeros((0, len(_CONTEXT))),
        ])
        indptr = [0]
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for inc, t, result in zip(incidents, texts, scans):
            # each distinct line once: a traceback repeated 300 times says no more than once
            salient = "\n".join(dict.fromkeys([t[j] for j in salient_events(result, len(t)).tolist()]))
            c, v = hashed_tokens(salient, image_tokens(inc.context.image), self.n_hash_bits)
            cols.append(c)
            vals.append(v)
            indptr.append(indptr[-1] + len(c))
        width = 1 << self.n_hash_bits
        hashed = sp.csr_matrix((np.concatenate(vals) if vals else np.zeros(0),
                                np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64), indptr),
                               shape=(len(incidents), width), dtype=np.float32)
        return sp.hstack([sp.csr_matrix(dense.astype(np.float32)), hashed], format="csr")
