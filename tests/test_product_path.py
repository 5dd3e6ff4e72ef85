"""Real reports served as live endpoints on moto, diagnosed by `smtriage classify` exactly as a user types it.

Each case's lines arrive in one burst amid 30 minutes of its stack's healthy
traffic, on an endpoint whose status and FailureReason are set where the
report gives them (`training.live`). This is the measure that counts: the
product path on real text, not a score on generated records.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from classifier.incident import LABELS, NO_FAILURE, load_incidents
from classifier.triage import triage_window
from tests.conftest import DEV_CASES
from training import realcases
from training.live import as_window, classify_live, summary


@pytest.fixture(scope="module")
def dev_results():
    if not DEV_CASES.is_file():
        pytest.skip(f"the shared check set is not beside the repository ({DEV_CASES})")
    cases, _ = load_incidents([DEV_CASES])
    return classify_live(cases)


def test_real_failures_of_the_check_set_get_a_verdict_through_aws(dev_results):
    missed = [r.case.id for r in dev_results if r.predicted == NO_FAILURE]
    assert len(missed) <= len(dev_results) / 20, f"'no failure found' for real failures: {missed}"


def test_the_check_set_through_aws_names_the_causes(dev_results):
    s = summary(dev_results)
    assert s["macro_f1_best_guess"] >= 0.85, s


def test_classify_through_moto_answers_what_the_library_answers(model):
    """The AWS round trip (PutLogEvents, FilterLogEvents pages, DescribeEndpoint, the CLI's JSON) loses nothing."""
    sample = [c for c in realcases.load() if c.label in LABELS][::15] + [
        c for c in realcases.load() if c.label == NO_FAILURE
    ][::10]
    results = classify_live(sample)
    for r in results:
        window = as_window(r.case, datetime(2026, 11, 2, 4, tzinfo=UTC), minutes=30, name="ep")
        found = triage_window(model, window)
        expected = max(found, key=lambda p: p[1].confidence)[1].best_guess if found else NO_FAILURE
        assert r.best_guess == expected, r.case.id
    assert {r.truth for r in results} >= {NO_FAILURE, *LABELS}
