"""The window scanner's shortcuts never change what it finds.

`classify` reads an hour of a busy endpoint at once, so the scanner takes
shortcuts there: the window is cleaned and searched piece by piece, one piece
searched on a thread while the next is cleaned, colour codes and JSON are
only peeled off the lines that have them, the shape of the text (lengths,
multi-line events) comes from the same pass, and an episode's result is cut
from its window's. Each shortcut must give exactly what the plain way gives,
or `classify` and `batch` would disagree on the same episode.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier import features, signals
from classifier.incident import incident_from_dict
from classifier.logtext import message_texts
from classifier.signals import ScanResult, scan
from training.generator import generate, generate_healthy

FUZZ = settings(max_examples=int(os.environ.get("SMTRIAGE_FUZZ_EXAMPLES", "250")) // 2, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

FIELDS = ("counts", "events", "signals", "lengths", "multiline")

pieces_of_log = st.sampled_from([
    "", "\n", "\x00", "{", "{\"level\": \"ERROR\", \"message\": \"CUDA out of memory\"}", "#033[2m", "#033[0m",
    "\x1b[31m", "\x1b[0m", "µs", "█", "\ud800", "Killed", "killed process 4242", "GET /ping HTTP/1.1\" 200",
    "POST /invocations HTTP/1.1\" 500 ", "Traceback (most recent call last):", "\ne0", "worker died", "  File ",
])
messages = st.lists(st.lists(st.one_of(pieces_of_log, st.text(max_size=12)), max_size=6).map("".join),
                    min_size=1, max_size=30)


def same(a: ScanResult, b: ScanResult) -> bool:
    return all(np.array_equal(getattr(a, f), getattr(b, f)) for f in FIELDS)


def busy_window_texts() -> list[str]:
    """Generated failure and healthy windows run together into one long hour, as `classify` would fetch it."""
    records = list(generate(40, seed=3)) + list(generate_healthy(20, seed=3))
    texts: list[str] = []
    for r in records:
        texts += message_texts([e.message for e in incident_from_dict(r).logs])
    texts += ["Traceback (most recent call last):\n  File \"/opt/ml/code/inference.py\", line 3\nKeyError: 'x'",
              "ingest 12 µs █ done", "CUDA out of memory. Tried to allocate 2.00 GiB"]
    return texts


def cut_into(n_pieces: int):
    """A `_piece_bounds` that cuts every window into `n_pieces` runs of events (the last may be short)."""
    def bounds(messages):
        step = max(1, -(-len(messages) // n_pieces))
        return [(lo, min(lo + step, len(messages))) for lo in range(0, len(messages), step)] or [(0, 0)]
    return bounds


@pytest.mark.parametrize("pieces", [2, 3, 13, 997])  # 997: many cuts, some between the lines of one traceback
def test_a_busy_hour_searched_piece_by_piece_finds_exactly_what_one_pass_finds(monkeypatch, pieces):
    texts = busy_window_texts()
    monkeypatch.setattr(signals, "_piece_bounds", cut_into(1))
    one_pass = scan(texts)
    monkeypatch.setattr(signals, "_piece_bounds", cut_into(pieces))
    in_pieces = scan(texts)
    assert len(one_pass.events) > 100 and one_pass.count("ping_line") > 0 and len(one_pass.multiline) > 0
    assert same(one_pass, in_pieces)


def test_only_a_large_window_is_cut_into_pieces(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    line = "x" * 199
    assert signals._piece_bounds([line] * 1000) == [(0, 1000)]  # 200 kB: not worth a thread
    hour = [line] * 100_000  # 20 MB: an hour of a busy endpoint
    bounds = signals._piece_bounds(hour)
    assert len(bounds) > 2 and bounds[0][0] == 0 and bounds[-1][1] == len(hour)
    assert all(hi == lo for (_, hi), (lo, _) in zip(bounds, bounds[1:]))  # contiguous: no event lost or read twice
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert signals._piece_bounds(hour) == [(0, len(hour))]  # one core: nothing to overlap with


@FUZZ
@given(raw=messages, reason=st.lists(st.sampled_from(["FailureReason: #033[1mCUDA out of memory", "FailureReason: {}"]),
                                     max_size=1), pieces=st.integers(1, 8))
def test_cleaning_while_searching_gives_what_cleaning_then_searching_gives(raw, reason, pieces):
    """`classify` cleans each piece of an hour while the piece before it is searched; the tail (FailureReason) stays as it is."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signals, "_piece_bounds", cut_into(pieces))
        texts, result = signals.scan_messages(raw, reason)
        assert texts == message_texts(raw) + reason
        patch.setattr(signals, "_piece_bounds", cut_into(1))
        assert same(result, scan(texts))


@FUZZ
@given(texts=messages)
def test_the_shape_of_the_text_comes_from_the_same_pass(texts):
    result = scan(texts)
    assert result.lengths.tolist() == [len(t) for t in texts]
    assert result.multiline.tolist() == [i for i, t in enumerate(texts) if "\n" in t]


@FUZZ
@given(raw=messages)
def test_a_line_reads_the_same_whatever_else_is_in_its_window(raw):
    """Colour codes and JSON are peeled off only where a glance at the window finds them."""
    assert message_texts(raw) == [message_texts([m])[0] for m in raw]


@FUZZ
@given(texts=messages, data=st.data())
def test_an_episode_cut_from_a_scanned_window_is_what_scanning_it_afresh_finds(texts, data):
    keep = sorted(data.draw(st.sets(st.integers(0, len(texts) - 1), min_size=1)))
    kept = [texts[i] for i in keep]
    assert same(scan(texts).restrict(np.array(keep), kept), scan(kept))


@FUZZ
@given(text=st.text(alphabet=st.sampled_from("ab_z09 .-\n"), max_size=60) | messages.map("\n".join))
def test_words_are_the_words_the_schema_names(text):
    """Tokens come from a faster spelling of the schema's word pattern; both find the same words."""
    low = text.lower()
    assert features._TOKEN.findall(low) == re.findall(features.TOKEN_PATTERN, low)
