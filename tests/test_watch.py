"""`smtriage watch`: an on-call engineer follows an endpoint and sees each new failure once."""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from classifier.incident import Incident
from classifier.live import follow
from classifier.sources.cloudwatch import Window
from tests.conftest import aws_clients, seed


class Replay:
    """The endpoint as CloudWatch would show it at each moment: the lines logged up to then."""

    def __init__(self, incident: Incident) -> None:
        self.incident = incident

    def read(self, endpoint: str, start: datetime, end: datetime) -> Window:
        logs = [e for e in self.incident.logs if e.timestamp and start <= e.timestamp <= end]
        metrics = {
            name: replace(s, timestamps=tuple(t for t in s.timestamps if t and t <= end))
            for name, s in self.incident.metrics.items()
        }
        metrics = {
            name: replace(s, values=self.incident.metrics[name].values[: len(s.timestamps)])
            for name, s in metrics.items()
        }
        return Window([replace(self.incident, start=start, end=end, logs=logs, metrics=metrics)], [], len(logs))


def test_a_failure_that_starts_while_watching_is_reported_once(model, samples):
    oom = samples["fraud-detector-prod"]  # healthy traffic, then workers OOM-killed from 03:23
    polls = iter([oom.start + timedelta(minutes=m) for m in (15, 26, 28, 30)])
    reports = follow(
        model,
        Replay(oom),
        "fraud-detector-prod",
        timedelta(minutes=15),
        clock=lambda: next(polls),
        sleep=lambda s: None,
    )
    found = [[v.best_guess for _, v in next(reports).findings] for _ in range(4)]
    assert found == [[], ["resource_exhaustion"], [], []]


def watching(moto_server_url: str, endpoint: str, *options: str):
    """`smtriage watch ENDPOINT` typed in a pseudo-terminal, polling every second over the last hour."""
    pexpect = pytest.importorskip("pexpect")
    smtriage = shutil.which("smtriage", path=str(Path(sys.executable).parent)) or "smtriage"
    aws = ["--endpoint-url", moto_server_url, "--region", "us-east-1"]
    args = ["watch", endpoint, *aws, "--since", "1h", "--interval", "1", *options]
    return pexpect, pexpect.spawn(smtriage, args, encoding="utf-8", timeout=120, dimensions=(40, 120))


def test_watch_in_a_terminal_prints_the_failure_once_and_stops_on_ctrl_c(moto_server_url, samples):
    seed(aws_clients(moto_server_url), samples["fraud-detector-prod"])
    pexpect, child = watching(moto_server_url, "fraud-detector-prod")
    child.expect("watching fraud-detector-prod")
    child.expect("resource exhaustion")
    child.expect("next step")
    after_first = child.before
    child.expect(pexpect.TIMEOUT, timeout=4)  # a few more polls: nothing new to say
    assert "resource exhaustion" not in child.before + after_first[after_first.find("next step") :]
    child.sendintr()
    child.expect("stopped after")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_watch_speaks_json_lines_for_scripts(moto_server_url, samples):
    seed(aws_clients(moto_server_url), samples["recsys-ranker"])
    pexpect, child = watching(moto_server_url, "recsys-ranker", "-o", "json")
    child.expect(r"\{.*\}\r\n")
    verdict = json.loads(child.after.strip())
    assert verdict["best_guess"] == "model_bug" and verdict["endpoint"] == "recsys-ranker"
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
