"""Shared fixtures: the shipped model, realistic sample incidents, and AWS through moto only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from classifier.demo import REGION, seed_endpoint, shift
from classifier.incident import Incident, load_incidents
from classifier.model import TriageModel, default_model_dir, load

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples" / "incidents.jsonl"
DEV_CASES = ROOT.parent / "shared" / "realcases" / "dev.jsonl"


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test may reach a real AWS account: fake credentials, empty config files, fixed region."""
    empty = tmp_path_factory.mktemp("aws") / "empty"
    empty.write_text("")
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def model() -> TriageModel:
    return load(default_model_dir())


@pytest.fixture(scope="session")
def samples() -> dict[str, Incident]:
    incidents, _ = load_incidents([SAMPLES])
    return {inc.endpoint: inc for inc in incidents}  # type: ignore[misc]


def recent(incident: Incident, end_ago: timedelta = timedelta(minutes=3)) -> Incident:
    """The incident moved so that it ends `end_ago` before now."""
    now = datetime.now(UTC).replace(microsecond=0)
    return shift(incident, now - end_ago - incident.end)  # type: ignore[operator]


def aws_clients(endpoint_url: str | None = None) -> dict[str, object]:
    return {
        s: boto3.client(s, region_name=REGION, endpoint_url=endpoint_url) for s in ("sagemaker", "logs", "cloudwatch")
    }


@pytest.fixture
def moto_aws() -> Iterator[dict[str, object]]:
    """In-process moto: every boto3 client created inside the test talks to it."""
    from moto import mock_aws

    with mock_aws():
        yield aws_clients()


@pytest.fixture
def moto_server_url() -> Iterator[str]:
    """A real, empty moto server on a free loopback port (for subprocesses and --endpoint-url)."""
    from classifier.demo import moto_server

    with moto_server() as url:
        yield url


def seed(clients: dict[str, object], incident: Incident, **changes: object) -> Incident:
    """Create the incident's endpoint in moto (recent timestamps) and return the seeded incident."""
    inc = recent(replace(incident, **changes) if changes else incident)
    seed_endpoint(clients, inc)  # type: ignore[arg-type]
    return inc


@pytest.fixture
def env_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(k, raising=False)
    assert "AWS_ACCESS_KEY_ID" not in os.environ


@pytest.fixture
def client_hooks(monkeypatch: pytest.MonkeyPatch) -> list:
    """Hooks run on every boto3 client smtriage creates (see tests/awsfaults.py: throttling, timeouts, Stubber)."""
    from tests.awsfaults import install_client_hooks

    return install_client_hooks(monkeypatch)


@pytest.fixture
def backoff(monkeypatch: pytest.MonkeyPatch):
    """botocore's retry delays, recorded instead of slept (see tests/awsfaults.py)."""
    from tests.awsfaults import record_backoff

    return record_backoff(monkeypatch)
