"""Lines, their kinds and their words: the units the line scorer reads.

A window of an hour holds a few kinds of line repeated thousands of times:
the same health check with another timestamp, client address and byte
count. Lines are grouped into kinds first, cheaply, and each kind is read
once, from its first line: its words, and the signals found on its lines.

Two lines are of one kind when they differ only in their digits and in the
letters a-f (what changes between two timestamps, ports, request ids and
hashes) and carry the same signals. The signals keep `HTTP/1.1" 200` and
`HTTP/1.1" 500` apart, and exit code 137 from exit code 0. Lines are
grouped by one `bytes.translate` and a dict, not a regular expression per
line, so an hour of a busy endpoint costs milliseconds, not seconds.

A word is a run of letters between non-word characters: what varies from
one occurrence of a line to the next (a timestamp's "T01", a request id's
"e89b", a port) holds digits and is no word, so the words of a kind are the
same whichever of its lines is read, and the same whether the line was
pasted bare or logged with a timestamp.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .signals import SIGNALS, scan

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"\b[a-z_]{2,}\b")
_KIND = bytes.maketrans(b"0123456789bcdefABCDEF", b"aaaaaaaaaaaaaaaAAAAAA")
MAX_LINE = 2000  # characters of a line that are read: a 1 MB line says what its start says


def physical_lines(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every non-blank line of every text (a traceback logged as one event is many lines), and its text."""
    joined = "\n".join(texts)
    if "\r" not in joined and joined.count("\n") == len(texts) - 1:  # the usual window: one line per event
        owner = [i for i, t in enumerate(texts) if t and not t.isspace()]
        return [texts[i][:MAX_LINE] for i in owner], np.asarray(owner, dtype=np.int64)
    lines: list[str] = []
    owners: list[int] = []
    for i, text in enumerate(texts):
        for line in text.splitlines():
            if line and not line.isspace():
                lines.append(line[:MAX_LINE])
                owners.append(i)
    return lines, np.asarray(owners, dtype=np.int64)


def words_of(texts: Sequence[str]) -> list[list[str]]:
    """The words of each text: lowercase runs of two or more letters, camelCase split ("OutOfMemoryError" -> out of
    memory error). Numbers are no words: what a status or exit code says is in the signals.

    The texts are free of line breaks (lines are), so they are split and lowered in one go.
    """
    if not texts:
        return []
    return [_WORD.findall(t) for t in _CAMEL.sub(" ", "\n".join(texts)).lower().split("\n")]


@dataclass(frozen=True)
class LineTable:
    """The lines of some texts, grouped into kinds, with each kind's template and signals."""

    lines: list[str]
    owner: np.ndarray  # line -> the text it came from
    kind: np.ndarray  # line -> its kind
    first: np.ndarray  # kind -> its first line
    firsts: list[str]  # per kind, its first line: what is read of the kind
    keys: list[bytes]  # per kind, what its lines have in common (the same in any window)
    signal_rows: np.ndarray  # (kind, signal) pairs, sorted
    signal_cols: np.ndarray

    @property
    def n_kinds(self) -> int:
        return len(self.firsts)

    def signals_of(self, kind: int) -> list[int]:
        lo, hi = np.searchsorted(self.signal_rows, [kind, kind + 1])
        return self.signal_cols[lo:hi].tolist()


def line_table(texts: Sequence[str]) -> LineTable:
    lines, owner = physical_lines(texts)
    hits = scan(lines)
    # bytes.translate runs at memory speed where str.translate looks every character up in a dict
    keys = "\n".join(lines).encode("utf-8", "replace").translate(_KIND).split(b"\n") if lines else []
    # a line's signals are part of its kind: their set, as a bit mask (fewer than 64 signals), ends its key
    mask = np.zeros(len(lines), dtype=np.uint64)
    np.bitwise_or.at(mask, hits.texts, np.left_shift(np.uint64(1), hits.signals.astype(np.uint64)))
    for line_no in np.flatnonzero(mask).tolist():
        keys[line_no] += b"\x00" + int(mask[line_no]).to_bytes(8, "little")
    index: dict[bytes, int] = {}
    kind = np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)
    first = np.full(len(index), -1, dtype=np.int64)
    first[kind[::-1]] = np.arange(len(kind) - 1, -1, -1)  # the last write per kind is its first line
    line_kind = kind[hits.texts]
    pairs = np.unique(line_kind * len(SIGNALS) + hits.signals)
    firsts = first.tolist()
    return LineTable(
        lines,
        owner,
        kind,
        first,
        [lines[i] for i in firsts],
        [keys[i] for i in firsts],
        pairs // len(SIGNALS),
        pairs % len(SIGNALS),
    )
