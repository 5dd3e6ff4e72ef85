"""Lines, their kinds and their words: the units the line scorer reads.

A window of an hour holds a few kinds of line repeated thousands of times:
the same health check with another timestamp, client address and byte
count. Lines are grouped into kinds first, cheaply, and each kind is read
once: its *template* (times, dates, addresses, hex ids and long numbers
replaced by a placeholder word) gives its words, and the signals found on
its lines give the rest.

Two lines are of one kind when they differ only in their digits and in the
letters a-f (what changes between two timestamps, ports, request ids and
hashes) and carry the same signals. The signals keep `HTTP/1.1" 200` and
`HTTP/1.1" 500` apart, and exit code 137 from exit code 0. Lines are
grouped by one `str.translate` and a dict, not a regular expression per
line, so an hour of a busy endpoint costs milliseconds, not seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .signals import SIGNALS, scan

# Each pass replaces one kind of varying text; earlier passes take what later ones would cut apart
# (a timestamp before its digits, an address before its dotted numbers).
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?(?: ?(?:Z|UTC|[+-]\d\d:?\d\d))?)?"), " zzts "),
    (re.compile(r"\d\d?/[A-Z][a-z]{2}/\d{4}(?::\d\d:\d\d:\d\d)?(?: [+-]\d{4})?"), " zzts "),
    (re.compile(r"\d\d?:\d\d:\d\d(?:[.,]\d+)?"), " zzts "),
    (re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?"), " zzip "),
    (re.compile(r"0x[0-9a-fA-F]+|\b(?=[0-9a-f-]*\d)(?=[0-9a-f-]*[a-f])[0-9a-f]{6,}(?:-[0-9a-f]{4,})*\b"), " zzhex "),
    (re.compile(r"(?<![Hh][Tt][Tt][Pp]/)\b\d+(?:\.\d+)+|\d{4,}"), " zznum "),
)
_SPACES = re.compile(r"[ \t]{2,}")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"[a-z_][a-z0-9_]+")
_KIND = str.maketrans("0123456789bcdefABCDEF", "aaaaaaaaaaaaaaaAAAAAA")
MAX_LINE = 2000  # characters of a line that are read: a 1 MB line says what its start says


def physical_lines(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every non-blank line of every text (a traceback logged as one event is many lines), and its text."""
    lines: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        if "\n" not in text and "\r" not in text:
            if text and not text.isspace():
                lines.append(text[:MAX_LINE])
                owner.append(i)
            continue
        for line in text.splitlines():
            if line and not line.isspace():
                lines.append(line[:MAX_LINE])
                owner.append(i)
    return lines, np.asarray(owner, dtype=np.int64)


def template(line: str) -> str:
    """What stays of a line from one occurrence to the next."""
    for pattern, placeholder in _MASKS:
        line = pattern.sub(placeholder, line)
    return _SPACES.sub(" ", line).strip()


def words(text: str) -> list[str]:
    """Lowercase words of two or more characters, camelCase split ("OutOfMemoryError" -> out of memory error).

    Bare numbers are not words: what a status or exit code says is in the signals.
    """
    return _WORD.findall(_CAMEL.sub(" ", text).lower())


@dataclass(frozen=True)
class LineTable:
    """The lines of some texts, grouped into kinds, with each kind's template and signals."""

    lines: list[str]
    owner: np.ndarray  # line -> the text it came from
    kind: np.ndarray  # line -> its kind
    first: np.ndarray  # kind -> its first line
    templates: list[str]  # per kind
    signal_rows: np.ndarray  # (kind, signal) pairs, sorted
    signal_cols: np.ndarray

    @property
    def n_kinds(self) -> int:
        return len(self.templates)

    def signals_of(self, kind: int) -> list[int]:
        lo, hi = np.searchsorted(self.signal_rows, [kind, kind + 1])
        return self.signal_cols[lo:hi].tolist()


def line_table(texts: Sequence[str]) -> LineTable:
    lines, owner = physical_lines(texts)
    hits = scan(lines)
    keys = "\n".join(lines).translate(_KIND).split("\n") if lines else []
    if len(hits.texts):  # a line's signals are part of its kind
        for line_no, names in _signal_names(hits).items():
            keys[line_no] += "\x00" + names
    index: dict[str, int] = {}
    kind = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys))
    first = np.full(len(index), -1, dtype=np.int64)
    first[kind[::-1]] = np.arange(len(kind) - 1, -1, -1)  # the last write per kind is its first line
    line_kind = kind[hits.texts]
    pairs = np.unique(line_kind * len(SIGNALS) + hits.signals)
    return LineTable(lines, owner, kind, first, [template(lines[i]) for i in first.tolist()],
                     pairs // len(SIGNALS), pairs % len(SIGNALS))


def _signal_names(hits) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    for t, s in zip(hits.texts.tolist(), hits.signals.tolist()):
        out.setdefault(t, []).append(str(s))
    return {t: ",".join(v) for t, v in out.items()}
