"""When Python's cyclic garbage collector runs while smtriage reads and scores a window.

An hour of a busy endpoint is 100,000 events: reading it allocates a few
container objects per event (botocore's parsed dicts, a `LogEvent`) and
scoring it tens of thousands more, almost none of them in reference cycles.
With CPython's default thresholds (a young collection every 700 allocations,
full collections as the heap grows) the collector walks the events again and
again: measured, a quarter of the client's time fetching such a window from
a local moto server, and 50-80 ms spikes in the middle of scoring it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# Reading: young collections every this many allocations. botocore does leave
# reference cycles behind (about 2,800 objects per request), so the collector
# keeps running, just rarely enough that the garbage it waits for stays a few MB.
READING_THRESHOLD = 100_000


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection at all: for scoring, which is bounded and leaves no cycles worth collecting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def rare() -> Iterator[None]:
    """Young collections every READING_THRESHOLD allocations instead of 700: for reading a window page by page."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(thresholds[0], READING_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
