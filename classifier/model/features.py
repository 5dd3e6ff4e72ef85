"""Incident -> fixed-width feature row, read through a learned line scorer.

Every line of an incident is first scored by a logistic regression on its own
words and signals: how likely it is to be part of a failure (`reading`). The
incident is then described by its *salient* lines only, those the scorer
picks out, each kind of line once, weighted by its score:

- the scores themselves (how strong the strongest lines are, how many there are);
- hashed words and word pairs of the salient lines, which learn each stack's phrasing;
- named signals (`text.signals`) on the salient lines;
- statistics of each metric window, scaled to the instance (`capacity`);
- the endpoint's context (status; an image built for GPUs on a CPU instance, or the reverse).

Nothing counts the lines around a failure: thirty minutes or six hours of
health checks add kinds of line the scorer rates near zero, which neither
enter the salient set nor move a feature. The schema (every column's name,
the signal phrases, the hash widths) is hashed into `schema_hash`, which the
model manifest records, so a model never scores columns it was not fitted on.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from .. import capacity
from ..incident import LABELS, NO_FAILURE, Incident
from ..text.clean import message_texts
from ..text.lines import LineTable, line_table, words_of
from ..text.signals import SIGNALS

FEATURE_SCHEMA_VERSION = 4

COUNT_METRICS = ("Invocations", "Invocation4XXErrors", "Invocation5XXErrors", "InvocationModelErrors")
LATENCY_METRICS = ("ModelLatency", "OverheadLatency", "ModelSetupTime")
METRICS = capacity.UTILIZATION_METRICS + COUNT_METRICS + LATENCY_METRICS

_SCORE = ("top", "top_logit", "n_salient", "n_strong")
_CAUSE = tuple(f"{label}:{stat}" for label in LABELS for stat in ("mean", "max"))
_UTIL_STATS = ("present", "max", "mean", "last", "frac_high", "rise", "calm")
_COUNT_STATS = ("present", "log_sum", "frac_nonzero", "log_peak", "late_share")
_LATENCY_STATS = ("present", "log_max", "log_median", "spike")
_DERIVED = ("rate_5xx", "rate_4xx", "rate_model_errors", "traffic_drop", "saturated", "calm")
# Only what says something about a cause. Whether a status, an instance type or an image is known at all
# says only where a record came from (an export has them, a pasted report has not), so it is no feature.
_CONTEXT = (
    "status_failed",
    "status_transitional",
    "status_rolled_back",
    "gpu_image_on_cpu_instance",
    "cpu_image_on_gpu_instance",
)

# The lines' vote for resource exhaustion, read against the instance: a worker timing out on an endpoint
# pinned at 99% memory is a different story from the same line on an idle one, and a linear model sees
# that only through the product.
_WHEN = ("exhaustion_vote_saturated", "exhaustion_vote_calm")

SALIENT = 0.5  # a kind of line scored at least this is part of what the incident is about
MIN_SALIENT = 3  # ... and the strongest few always are, so a failure the scorer doubts is still read,
FLOOR = 0.1  # ... unless they score below this: a health check says nothing, however many surround a failure
MAX_SALIENT = 64
STRONG = 0.8
_MAX_WORD = 40
_METRIC_CLIP = 1e6


def dense_feature_names() -> list[str]:
    names = [f"score:{n}" for n in _SCORE] + [f"cause:{n}" for n in _CAUSE] + [f"sig:{s.name}" for s in SIGNALS]
    for m in capacity.UTILIZATION_METRICS:
        names += [f"metric:{m}:{s}" for s in _UTIL_STATS]
    for m in COUNT_METRICS:
        names += [f"metric:{m}:{s}" for s in _COUNT_STATS]
    for m in LATENCY_METRICS:
        names += [f"metric:{m}:{s}" for s in _LATENCY_STATS]
    names += [f"metric:{d}" for d in _DERIVED]
    names += [f"ctx:{c}" for c in _CONTEXT]
    names += [f"when:{w}" for w in _WHEN]
    return names


def schema_hash(n_hash_bits: int, line_hash_bits: int) -> str:
    """Changes whenever a column's meaning could change: names, phrases, hash widths, version."""
    h = hashlib.sha256()
    h.update(f"v{FEATURE_SCHEMA_VERSION};bits={n_hash_bits};line_bits={line_hash_bits};".encode())
    for s in SIGNALS:
        h.update(f"{s.name}|{s.family}|{'/'.join(s.literals)}\n".encode())
    h.update("\n".join(dense_feature_names()).encode())
    return h.hexdigest()


# ---------------------------------------------------------------- text


def event_texts(incident: Incident) -> list[str]:
    """What is read: every log message as plain text, then the endpoint's FailureReason."""
    texts = message_texts(list(map(attrgetter("message"), incident.logs)))
    reason = incident.context.failure_reason
    return texts + (["FailureReason: " + reason] if reason else [])


@functools.lru_cache(maxsize=200_000)
def _word_code(word: str) -> int:
    return zlib.crc32(word[:_MAX_WORD].encode())


_PAIR = np.uint64(0x9E3779B1)


def _codes_of(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """crc32 of each word of each text, then of each pair of neighbouring words: (codes, the text of each)."""
    per_text = words_of(texts)
    lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
    flat = [w for ws in per_text for w in ws]
    codes = np.fromiter(map(_word_code, flat), dtype=np.uint64, count=len(flat))
    owner = np.repeat(np.arange(len(per_text)), lengths)
    same = owner[:-1] == owner[1:]  # neighbours within one text make a pair
    pairs = (codes[:-1] * _PAIR ^ codes[1:])[same]
    return np.concatenate([codes, pairs]), np.concatenate([owner, owner[:-1][same]])


def kind_rows(
    table: LineTable, n_hash_bits: int, words_of: tuple[np.ndarray, np.ndarray] | None = None
) -> sp.csr_matrix:
    """What the line scorer reads of each kind of line: its words and pairs (log counts, L2-normalised), then its
    signals (1 each). `words_of` is `_codes_of(table.firsts)`, when already made."""
    width = 1 << n_hash_bits
    n = table.n_kinds
    codes, owner = words_of if words_of is not None else _codes_of(table.firsts)
    flat = (codes & np.uint64(width - 1)).astype(np.int64)
    pairs, counts = np.unique(owner * width + flat, return_counts=True)
    rows, cols = pairs // width, pairs % width
    vals = np.log1p(counts)
    norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
    vals = vals / norms[rows]
    rows = np.concatenate([rows, table.signal_rows])
    cols = np.concatenate([cols, table.signal_cols + width])
    vals = np.concatenate([vals, np.ones(len(table.signal_rows))])
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, width + len(SIGNALS)), dtype=np.float64)


def _present(values: np.ndarray, n: int) -> np.ndarray:
    """The distinct values, sorted, of an array of integers below `n` (`np.unique` without the sort)."""
    return np.flatnonzero(np.bincount(values, minlength=n))


@dataclass(frozen=True)
class Reading:
    """An incident's texts, their lines grouped into kinds, and each kind's failure score.

    Made once per window; an episode's reading is cut from its window's
    (`restrict`), never scored again.
    """

    texts: list[str]
    n_logs: int
    table: LineTable
    kind_score: np.ndarray
    kind_cause: np.ndarray  # per kind, the probability of each cause (LABELS order) were it a failure line
    words: tuple[np.ndarray, np.ndarray]  # the hashes of every kind's words and word pairs, and the kind of each
    lines: np.ndarray  # the lines of the table that belong to this reading
    events: np.ndarray | None = None  # the window's log events this reading keeps (None: all of them)

    def log_index(self, text: int) -> int | None:
        """Where the window's text `text` is among this reading's log events; None for the FailureReason."""
        if text >= self.n_logs:
            return None
        return text if self.events is None else int(np.searchsorted(self.events, text))

    @cached_property
    def kinds(self) -> np.ndarray:
        return _present(self.table.kind[self.lines], self.table.n_kinds)

    @cached_property
    def event_score(self) -> np.ndarray:
        """Per text, the score of its most failure-like line (0 for a text with no line)."""
        out = np.zeros(len(self.texts))
        np.maximum.at(out, self.table.owner[self.lines], self.kind_score[self.table.kind[self.lines]])
        return out

    def salient(self) -> np.ndarray:
        """The kinds this reading is about, strongest first."""
        kinds = self.kinds
        order = kinds[np.argsort(-self.kind_score[kinds], kind="stable")]
        scores = self.kind_score[order]
        keep = max(min(MIN_SALIENT, int((scores >= FLOOR).sum())), int((scores >= SALIENT).sum()))
        return order[: min(keep, MAX_SALIENT)]

    def own_texts(self, last: int | None = None) -> list[str]:
        """The texts of this reading's own events in order (an episode's, not its whole window's), or their `last`."""
        owners = _present(self.table.owner[self.lines], len(self.texts))
        return [self.texts[i] for i in (owners if last is None else owners[-last:]).tolist()]

    def first_line(self, kind: int) -> int:
        """This reading's first line of a kind."""
        own = self.lines[self.table.kind[self.lines] == kind]
        return int(own[0])

    def restrict(self, events: np.ndarray) -> Reading:
        """The reading of the log events `events` only (sorted), the FailureReason kept."""
        keep = np.zeros(len(self.texts), dtype=bool)
        keep[events] = True
        keep = keep[self.table.owner]
        if len(self.texts) > self.n_logs:
            keep |= self.table.owner >= self.n_logs
        return Reading(
            self.texts,
            self.n_logs,
            self.table,
            self.kind_score,
            self.kind_cause,
            self.words,
            np.flatnonzero(keep),
            events,
        )


# ---------------------------------------------------------------- dense blocks


def _score_block(reading: Reading, salient: np.ndarray) -> np.ndarray:
    """How strongly the strongest line reads as a failure (also as log-odds: 0.93 and 0.999 differ), and how many do."""
    s = reading.kind_score[salient]
    top = float(s[0]) if len(s) else 0.0
    logit = math.log(max(top, 1e-4) / max(1 - top, 1e-4)) / math.log(1e4)
    scale = math.log1p(MAX_SALIENT)
    return np.array(
        [top, logit, math.log1p(int((s >= SALIENT).sum())) / scale, math.log1p(int((s >= STRONG).sum())) / scale]
    )


def _cause_block(reading: Reading, salient: np.ndarray) -> np.ndarray:
    """What the salient lines say of the cause: the score-weighted mean and the strongest vote for each."""
    s = reading.kind_score[salient]
    p = reading.kind_cause[salient]
    if not len(s) or s.sum() <= 0:
        return np.zeros(len(_CAUSE))
    mean = (s[:, None] * p).sum(axis=0) / s.sum()
    top = (s[:, None] * p).max(axis=0)
    return np.column_stack([mean, top]).ravel()


def _signal_block(reading: Reading, salient: np.ndarray) -> np.ndarray:
    """Per signal, the score of the strongest salient kind carrying it."""
    out = np.zeros(len(SIGNALS))
    table = reading.table
    on = np.isin(table.signal_rows, salient)
    np.maximum.at(out, table.signal_cols[on], reading.kind_score[table.signal_rows[on]])
    return out


def _clean(series) -> np.ndarray:
    values = np.asarray(series.values if series is not None else (), dtype=np.float64)
    return values[np.isfinite(values)]


def metric_block(incident: Incident) -> np.ndarray:
    """Statistics of each metric window; absent metrics are zeros with `present` 0."""
    cols: list[float] = []
    itype = incident.context.instance_type
    peaks: list[float] = []
    calm: list[float] = []
    for name in capacity.UTILIZATION_METRICS:
        raw = _clean(incident.metrics.get(name))
        if not raw.size:
            cols += [0.0] * len(_UTIL_STATS)
            continue
        v = raw / capacity.full_scale(name, itype, float(raw.max()))
        high = float((v >= capacity.SATURATED).mean())
        if name != "GPUUtilization":  # a busy GPU is a GPU doing its job
            peaks.append(float(v.max()))
            calm.append(float(v.max() < 0.6))
        cols += [1.0, float(v.max()), float(v.mean()), float(v[-1]), high, float(v.max() - v[0]), float(v.max() < 0.6)]
    sums: dict[str, float] = {}
    early_late = (0.0, 0.0)
    for name in COUNT_METRICS:
        raw = _clean(incident.metrics.get(name))
        raw = raw[raw >= 0]
        if not raw.size:
            cols += [0.0] * len(_COUNT_STATS)
            sums[name] = 0.0
            continue
        total = float(raw.sum())
        third = max(1, raw.size // 3)
        late = float(raw[-third:].sum())
        cols += [
            1.0,
            math.log1p(total),
            float((raw > 0).mean()),
            math.log1p(float(raw.max())),
            late / total if total > 0 else 0.0,
        ]
        sums[name] = total
        if name == "Invocations":
            early_late = (float(raw[:third].sum()), late)
    for name in LATENCY_METRICS:
        raw = _clean(incident.metrics.get(name))
        raw = raw[raw >= 0]
        if not raw.size:
            cols += [0.0] * len(_LATENCY_STATS)
            continue
        mx, med = float(raw.max()), float(np.median(raw))
        cols += [1.0, math.log10(mx + 1) / 7, math.log10(med + 1) / 7, math.log1p(mx / (med + 1.0))]
    inv = max(sums["Invocations"], 1.0)
    early, late = early_late
    cols += [
        min(1.0, sums["Invocation5XXErrors"] / inv),
        min(1.0, sums["Invocation4XXErrors"] / inv),
        min(1.0, sums["InvocationModelErrors"] / inv),
        float(np.clip(1 - late / early, -1, 1)) if early > 0 else 0.0,
        float(max(peaks) >= capacity.SATURATED) if peaks else 0.0,
        float(all(calm)) if calm else 0.0,
    ]
    block = np.asarray(cols, dtype=np.float64)
    # clipped so that absurd datapoints (1e300) cannot overflow the float32 matrix; real windows are far inside
    return np.clip(np.nan_to_num(block, nan=0.0, posinf=0.0, neginf=0.0), -_METRIC_CLIP, _METRIC_CLIP)


_METRIC_NAMES = [n for n in dense_feature_names() if n.startswith("metric:")]
_METRIC_SATURATED = _METRIC_NAMES.index("metric:saturated")
_METRIC_CALM = _METRIC_NAMES.index("metric:calm")

_GPU_IMAGE = re.compile(r"gpu|cu1\d\d|cuda|tgi|lmi|tensorrt")


def context_block(incident: Incident) -> np.ndarray:
    ctx = incident.context
    status = (ctx.status or "").strip().lower()
    gpu_instance = capacity.is_gpu_name(ctx.instance_type)
    image = (ctx.image or "").lower()
    image_gpu = bool(_GPU_IMAGE.search(image))
    image_cpu = "cpu" in image
    image_neuron = "neuron" in image or "inf2" in image
    return np.array(
        [
            status == "failed",
            status in {"creating", "updating", "systemupdating"},
            status in {"rollingback", "updaterollbackfailed", "outofservice", "deleting"},
            image_gpu and bool(ctx.instance_type) and not gpu_instance and not image_neuron,
            image_cpu and gpu_instance,
        ],
        dtype=np.float64,
    )


# ---------------------------------------------------------------- estimator


def _kind_targets(incident: Incident, n_texts: int, table: LineTable, label: str, healthy: set[bytes]) -> np.ndarray:
    """1 for each kind of line that is part of the incident's failure, 0 for the healthy ones, NaN for a line of
    a real report that is neither seen on a healthy endpoint nor says anything of a failure (the start-up and
    request lines a report quotes around its failure)."""
    if label == NO_FAILURE:
        return np.zeros(table.n_kinds)
    marked = (incident.source or {}).get("failure_lines")
    if not isinstance(marked, list):  # a real report: what a healthy endpoint also writes is not the failure
        telling = np.zeros(table.n_kinds, dtype=bool)
        telling[table.signal_rows[~_UNTELLING[table.signal_cols]]] = True
        return np.array([0.0 if k in healthy else 1.0 if t else math.nan for k, t in zip(table.keys, telling.tolist())])
    failing = np.zeros(n_texts, dtype=bool)
    failing[[i for i in marked if isinstance(i, int) and 0 <= i < len(incident.logs)]] = True
    failing[len(incident.logs) :] = True  # the FailureReason
    target = np.zeros(table.n_kinds)
    np.maximum.at(target, table.kind, failing[table.owner].astype(float))
    return target


# signals that a healthy start-up writes as often as a failure does: alone they do not make a line a failure line
_UNTELLING = np.array([s.family in ("startup", "gpu_info") or s.name == "warning" for s in SIGNALS])


def _fold(group: str, cv: int) -> int:
    return zlib.crc32(group.encode()) % cv


class IncidentFeaturizer(TransformerMixin, BaseEstimator):
    """Incidents -> sparse float32 rows, through a line scorer learned in `fit`.

    `fit` learns which kinds of line belong to failures from the labelled
    incidents: every line of a `no_failure` incident is healthy; in a
    failure, the lines the generator marks as the failure's (`source.failure_lines`),
    or, in a real report, every line not also seen in a healthy incident.
    A report quotes much more than its failure (the start-up, the requests
    before it), so a line of a report that carries no sign of a failure
    counts at `quoted_line_weight` of one that does: otherwise every
    start-up line a report quotes would be learned as a failure line, and
    healthy start-ups would look like failures.
    The cause model learns from the failure lines of incidents whose lines
    show their cause; an incident marked `source.cause_in_logs: false` (a
    real report known only from its thread, a generated story whose metrics
    alone tell the cause) still teaches which lines are failure lines.
    `fit_transform` gives each training incident the scores of a line model
    that did not see it (cross-fitting, as scikit-learn's TargetEncoder
    does), so the classifier after it learns from the scores it will meet on
    new incidents, not from memorised ones.
    """

    def __init__(
        self,
        n_hash_bits: int = 14,
        line_hash_bits: int = 16,
        line_C: float = 0.5,
        cv: int = 5,
        quoted_line_weight: float = 0.3,
    ):
        self.n_hash_bits = n_hash_bits
        self.line_hash_bits = line_hash_bits
        self.line_C = line_C
        self.cv = cv
        self.quoted_line_weight = quoted_line_weight

    # -- fitting -----------------------------------------------------------
    def _prepare(self, incidents: Sequence[Incident]) -> list[tuple[list[str], LineTable, tuple, sp.csr_matrix]]:
        """Each incident's texts, line table, kinds' words and kind rows: made once, used by every fold."""
        return [self._parts(inc) for inc in incidents]

    def _parts(self, incident: Incident) -> tuple[list[str], LineTable, tuple, sp.csr_matrix]:
        texts = event_texts(incident)
        table = line_table(texts)
        words_of = _codes_of(table.firsts)
        return texts, table, words_of, kind_rows(table, self.line_hash_bits, words_of)

    def _fit_lines(
        self, incidents: Sequence[Incident], prepared, y: Sequence[str], weights: np.ndarray, index: np.ndarray
    ):
        """The line scorer, fitted on the incidents `index`: one row per kind of line of each, its target
        (1 = part of the failure) and its weight.

        Each incident weighs in all as it does to the classifier, spread over its
        kinds (a square root, so a long window still says more than a two-line paste).
        """
        from sklearn.linear_model import LogisticRegression

        healthy = {k for i in index.tolist() if y[i] == NO_FAILURE for k in prepared[i][1].keys}
        rows, targets, w, causes = [], [], [], []
        for i in index.tolist():
            texts, table, _, X = prepared[i]
            if not table.n_kinds:
                continue
            rows.append(X)
            teaches_cause = y[i] in LABELS and (incidents[i].source or {}).get("cause_in_logs", True) is not False
            causes.append(np.full(table.n_kinds, LABELS.index(y[i]) if teaches_cause else -1))
            targets.append(_kind_targets(incidents[i], len(texts), table, y[i], healthy))
            w.append(np.full(table.n_kinds, weights[i] / math.sqrt(table.n_kinds)))
        target = np.concatenate(targets) if targets else np.zeros(0)
        X, weight = sp.vstack(rows, format="csr"), np.concatenate(w)
        quoted = np.isnan(target)  # counted as failure lines, at `quoted_line_weight` of a line that says so
        target[quoted] = 1.0
        weight[quoted] *= self.quoted_line_weight
        used = np.flatnonzero(weight > 0)
        X, target, weight = X[used], target[used], weight[used]
        if len(np.unique(target)) < 2:
            raise ValueError("the line scorer needs both failing and healthy lines to learn from")
        lines = LogisticRegression(C=self.line_C, max_iter=3000, class_weight="balanced")
        lines.fit(X, target, sample_weight=weight)
        # the cause each failure line points to, learned from the failure lines of each cause
        cause_of = np.concatenate(causes)[used]
        failing = (target > 0) & (cause_of >= 0)
        causes_model = LogisticRegression(C=self.line_C, max_iter=3000, class_weight="balanced")
        causes_model.fit(X[failing], cause_of[failing], sample_weight=weight[failing])
        return lines, causes_model

    def _finish_fit(self, models) -> None:
        self.line_model_, self.cause_model_ = models
        self.schema_hash_ = schema_hash(self.n_hash_bits, self.line_hash_bits)
        self.n_dense_ = len(dense_feature_names())
        self.n_features_out_ = self.n_dense_ + (1 << self.n_hash_bits)

    def fit(self, X: Sequence[Incident], y: Sequence[str], sample_weight=None, groups=None) -> IncidentFeaturizer:
        incidents = list(X)
        w = np.ones(len(incidents)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        prepared = self._prepare(incidents)
        self._finish_fit(self._fit_lines(incidents, prepared, list(y), w, np.arange(len(incidents))))
        return self

    def fit_transform(
        self, X: Sequence[Incident], y: Sequence[str] | None = None, sample_weight=None, groups=None, **fit_params
    ) -> sp.csr_matrix:
        """`fit`, and each incident's features from a line model fitted without its group (cross-fitting)."""
        incidents = list(X)
        labels = list(y) if y is not None else []
        w = np.ones(len(incidents)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        names = [str(g) for g in groups] if groups is not None else [str(inc.id) for inc in incidents]
        folds = np.array([_fold(g, self.cv) for g in names])
        prepared = self._prepare(incidents)
        readings: list[Reading | None] = [None] * len(incidents)
        for f in range(self.cv):
            inside = np.flatnonzero(folds == f)
            if not len(inside):
                continue
            model = self._fit_lines(incidents, prepared, labels, w, np.flatnonzero(folds != f))
            for i in inside.tolist():
                readings[i] = self._reading(incidents[i], prepared[i], model)
        self._finish_fit(self._fit_lines(incidents, prepared, labels, w, np.arange(len(incidents))))
        return self.transform_readings(incidents, readings)  # type: ignore[arg-type]  # every fold filled its own

    # -- reading -----------------------------------------------------------
    def _reading(self, incident: Incident, prepared, models) -> Reading:
        texts, table, words_of, X = prepared
        lines, causes = models
        if table.n_kinds:
            scores, cause = lines.predict_proba(X)[:, 1], causes.predict_proba(X)
        else:
            scores, cause = np.zeros(0), np.zeros((0, len(LABELS)))
        return Reading(texts, len(incident.logs), table, scores, cause, words_of, np.arange(len(table.lines)))

    def read(self, incident: Incident) -> Reading:
        """The incident's lines, scored by the fitted line model."""
        return self._reading(incident, self._parts(incident), (self.line_model_, self.cause_model_))

    def line_scores(self, lines: Sequence[str]) -> np.ndarray:
        """The failure score of each line on its own."""
        table = line_table(list(lines))
        out = np.zeros(len(lines))
        if table.n_kinds:
            scores = self.line_model_.predict_proba(kind_rows(table, self.line_hash_bits))[:, 1]
            np.maximum.at(out, table.owner, scores[table.kind])
        return out

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        names = dense_feature_names() + [f"hash:{i}" for i in range(1 << self.n_hash_bits)]
        return np.asarray(names, dtype=object)

    def transform(self, X: Sequence[Incident]) -> sp.csr_matrix:
        incidents = list(X)
        return self.transform_readings(incidents, [self.read(inc) for inc in incidents])

    def word_counts(self, reading: Reading, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of the hashed words of `kinds`, each kind's counts weighted by its score."""
        codes, owner = reading.words
        on = np.isin(owner, kinds)
        if not on.any():
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        cols, inverse = np.unique(
            (codes[on] & np.uint64((1 << self.n_hash_bits) - 1)).astype(np.int64), return_inverse=True
        )
        return cols, np.bincount(inverse, weights=reading.kind_score[owner[on]])

    def text_row(self, reading: Reading, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`word_counts`, L2-normalised: the hashed columns of the row."""
        cols, vals = self.word_counts(reading, kinds)
        norm = np.linalg.norm(vals)
        return cols, vals / norm if norm > 0 else vals

    def transform_readings(self, incidents: Sequence[Incident], readings: Sequence[Reading]) -> sp.csr_matrix:
        """`transform` for incidents whose readings are already made (an episode cut from its window)."""
        dense_rows, indptr, cols, vals = [], [0], [], []
        for inc, reading in zip(incidents, readings):
            salient = reading.salient()
            cause, metrics = _cause_block(reading, salient), metric_block(inc)
            vote = cause[_CAUSE.index("resource_exhaustion:max")]
            saturated, calm = metrics[_METRIC_SATURATED], metrics[_METRIC_CALM]
            dense_rows.append(
                np.concatenate(
                    [
                        _score_block(reading, salient),
                        cause,
                        _signal_block(reading, salient),
                        metrics,
                        context_block(inc),
                        [vote * saturated, vote * calm],
                    ]
                )
            )
            c, v = self.text_row(reading, salient)
            cols.append(c)
            vals.append(v)
            indptr.append(indptr[-1] + len(c))
        n_dense = len(dense_feature_names())
        dense = np.vstack(dense_rows) if dense_rows else np.zeros((0, n_dense))
        hashed = sp.csr_matrix(
            (
                np.concatenate(vals) if vals else np.zeros(0),
                np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64),
                indptr,
            ),
            shape=(len(incidents), 1 << self.n_hash_bits),
            dtype=np.float32,
        )
        return sp.hstack([sp.csr_matrix(dense.astype(np.float32)), hashed], format="csr")
