"""Lines, their kinds and their words: the units the line scorer reads.

A window of an hour holds a few kinds of line repeated thousands of times:
the same health check with another timestamp, client address and byte
count. Lines are grouped into kinds first, cheaply, and each kind is read
once, from its first line: its words, and the signals found on its lines.

Two lines are of one kind when they differ only in their digits and in the
letters a-f (what changes between two timestamps, ports, request ids and
hashes), or in characters Latin-1 lacks (which hold no word and no signal),
and carry the same signals. The signals keep `HTTP/1.1" 200` and
`HTTP/1.1" 500` apart, and exit code 137 from exit code 0. Lines are
grouped by one `bytes.translate` and a dict, not a regular expression per
line, and the signals are searched for once per shape, then checked on
each line only where a phrase could be (`signals.scan_shapes`), so an hour
of a busy endpoint costs milliseconds, not seconds.

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
from itertools import compress

import numpy as np

from .signals import SIGNALS, as_bytes, scan_shapes

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WORD = re.compile(r"\b[a-z_]{2,}\b")
_KIND = bytes.maketrans(b"0123456789bcdefABCDEF", b"aaaaaaaaaaaaaaaAAAAAA")
MAX_LINE = 2000  # characters of a line that are read: a 1 MB line says what its start says


def physical_lines(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Every non-blank line of every text (a traceback logged as one event is many lines), and its text."""
    joined = "\n".join(texts)
    if "\r" not in joined and joined.count("\n") == len(texts) - 1:  # the usual window: one line per event
        filled = np.fromiter(map(bool, map(str.strip, texts)), dtype=bool, count=len(texts))
        lines = list(compress(texts, filled))
        if max(map(len, lines), default=0) > MAX_LINE:
            lines = [line[:MAX_LINE] for line in lines]
        return lines, np.flatnonzero(filled)
    lines = []
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
    encoded = as_bytes(lines)
    # bytes.translate runs at memory speed where str.translate looks every character up in a dict
    blurred = encoded[1:].translate(_KIND).split(b"\n") if lines else []
    shapes: dict[bytes, int] = {}
    shape_of = np.fromiter((shapes.setdefault(k, len(shapes)) for k in blurred), dtype=np.int64, count=len(lines))
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    hits = scan_shapes(encoded.lower(), lengths, shape_of, [k.lower() for k in shapes], _KIND)
    # a line's signals are part of its kind: their set, as a bit mask (fewer than 64 signals)
    mask = np.zeros(len(lines), dtype=np.uint64)
    np.bitwise_or.at(mask, hits.texts, np.left_shift(np.uint64(1), hits.signals.astype(np.uint64)))
    pair = np.stack([shape_of.astype(np.uint64), mask], axis=1)
    _, first, kind = np.unique(pair.view("V16").ravel(), return_index=True, return_inverse=True)
    by_appearance = np.argsort(first)  # kinds numbered in the order their first lines come
    kind = np.argsort(by_appearance)[kind.ravel()]
    first = first[by_appearance]
    shape_keys = list(shapes)
    firsts = first.tolist()
    keys = [
        shape_keys[shape_of[i]] + (b"\x00" + int(mask[i]).to_bytes(8, "little") if mask[i] else b"") for i in firsts
    ]
    pairs = np.unique(kind[hits.texts] * len(SIGNALS) + hits.signals)
    return LineTable(
        lines,
        owner,
        kind,
        first,
        [lines[i] for i in firsts],
        keys,
        pairs // len(SIGNALS),
        pairs % len(SIGNALS),
    )
