"""A failure reads the same whether it arrives alone or amid hours of healthy health checks.

Every real case is served in one burst with no traffic around it, then amid
30 minutes and 6 hours of its stack's own health-check and request lines
(`training.traffic`), and triaged as `classify` triages a CloudWatch window.
The answer (the best guess, or "no failure found") may change for at most
1 in 20 of them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from classifier.incident import NO_FAILURE, load_incidents
from classifier.triage import triage_window
from tests.conftest import DEV_CASES
from training import realcases
from training.live import as_window

END = datetime(2026, 11, 2, 4, 0, tzinfo=UTC)
DURATIONS = (30, 6 * 60)


def cases():
    """The shared check set when it is beside the repository, else the repository's own real failures."""
    if DEV_CASES.is_file():
        return load_incidents([DEV_CASES])[0]
    return [c for c in realcases.load() if c.label != NO_FAILURE][::4]


def answer(model, case, minutes: float) -> str:
    found = triage_window(model, as_window(case, END, minutes=minutes, burst_at=0.6))
    return max(found, key=lambda pair: pair[1].confidence)[1].best_guess if found else NO_FAILURE


@pytest.fixture(scope="module")
def answers(model):
    return {case.id: [answer(model, case, m) for m in (0, *DURATIONS)] for case in cases()}


def test_hours_of_healthy_traffic_change_at_most_one_verdict_in_twenty(answers):
    flips = [(cid, got) for cid, got in answers.items() for later in got[1:] if later != got[0]]
    pairs = len(answers) * len(DURATIONS)
    assert len(answers) >= 20
    assert len(flips) <= pairs / 20, flips


def test_a_failure_is_found_however_much_traffic_surrounds_it(answers):
    missed = [(cid, got) for cid, got in answers.items() if NO_FAILURE in got[1:] and got[0] != NO_FAILURE]
    assert len(missed) <= len(answers) / 20, missed
