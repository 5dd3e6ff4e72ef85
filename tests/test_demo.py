"""`smtriage demo`: a new user sees the whole AWS path work without an account."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from classifier.cli import app

runner = CliRunner()


def test_the_demo_diagnoses_every_sample_endpoint_through_a_local_moto_server():
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())  # as read, whatever the width wrapped
    assert "9 of 9 sample endpoints diagnosed as their story says" in out
    assert "through boto3 → moto at http://127.0.0.1:" in out
    assert "no failure found" in out  # the healthy endpoint
    for verdict in ("resource exhaustion", "configuration error", "model bug"):
        assert verdict in out


def test_the_demo_speaks_json_for_scripts():
    result = runner.invoke(app, ["demo", "--output", "json"])
    assert result.exit_code == 0
    verdicts = json.loads(result.stdout)
    assert sorted(v["endpoint"] for v in verdicts) == [
        "catalog-mme",
        "docs-embed-async",
        "forecast-batch-v2",
        "fraud-detector-prod",
        "llm-chat-tgi",
        "recsys-ranker",
        "sentiment-hf-staging",
        "thumbnails-serverless",
    ]
