"""A source that was not read in full is said to be so, and a slow or cycling server cannot hold the user.

Faults moto cannot produce come from botocore's own `before-send` machinery
(`tests.awsfaults`): a reply that arrives with a 200 and a torn body, a metric
query answered InternalError, a stream that vanishes while it is read, pages
whose tokens cycle. A real socket server plays one that trickles a byte at a
time.
"""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from typer.testing import CliRunner

from classifier.cli import app
from tests.awsfaults import Fault, error_response, inject, json_response
from tests.conftest import seed

runner = CliRunner()


class _Torn:
    """A 200 reply whose JSON body was cut off: botocore parses it to an empty dict."""

    def __call__(self, request):
        from botocore.awsrequest import AWSResponse

        from tests.awsfaults import _Body

        return AWSResponse(
            request.url,
            200,
            {"Content-Type": "application/x-amz-json-1.1"},
            _Body(b'{"events": [{"timestamp": 1, "message": "Tracebac'),
        )


def classify_json(endpoint: str, *args: str):
    result = runner.invoke(app, ["classify", endpoint, "--since", "1h", "-o", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), " ".join(result.stderr.split())


def test_a_torn_log_page_is_never_read_as_the_end_of_the_stream(moto_aws, samples, client_hooks):
    seed(moto_aws, samples["sentiment-hf-staging"])
    inject(client_hooks, Fault("logs", "FilterLogEvents", _Torn()))
    verdicts, notes = classify_json("sentiment-hf-staging")
    assert "the logs were not read in full" in notes and "incomplete page" in notes
    assert all(v["partial"] and v["label"] == "uncertain" for v in verdicts), verdicts


def test_with_the_logs_torn_no_failure_found_says_it_is_about_what_was_read(moto_aws, samples, client_hooks):
    seed(moto_aws, samples["churn-xgb-prod"])
    inject(client_hooks, Fault("logs", "FilterLogEvents", _Torn()))
    verdicts, notes = classify_json("churn-xgb-prod")
    assert verdicts == []
    assert "no failure found in what could be read of" in notes


def test_a_metric_query_that_failed_is_named_and_the_verdict_says_so(moto_aws, samples, client_hooks):
    seed(moto_aws, samples["fraud-detector-prod"])

    def failed_queries(request):
        queries = json.loads(request.body)["MetricDataQueries"] if request.body else []
        return json_response(
            request,
            {
                "MetricDataResults": [
                    {"Id": q["Id"], "Label": "x", "Timestamps": [], "Values": [], "StatusCode": "InternalError"}
                    for q in queries
                ]
            },
        )

    # GetMetricData speaks the JSON protocol in this botocore; the fault answers in it
    inject(client_hooks, Fault("cloudwatch", "GetMetricData", failed_queries))
    verdicts, notes = classify_json("fraud-detector-prod")
    assert "metrics not read in full" in notes and "MemoryUtilization (InternalError)" in notes
    assert verdicts and all(v["partial"] for v in verdicts)


def test_a_stream_that_vanishes_while_it_is_read_is_named_and_the_rest_is_read(moto_aws, samples, client_hooks):
    inc = seed(moto_aws, samples["fraud-detector-prod"])
    gone = error_response("ResourceNotFoundException", "The specified log stream does not exist.")
    inject(client_hooks, Fault("logs", "FilterLogEvents", gone))
    verdicts, notes = classify_json("fraud-detector-prod")
    stream = inc.logs[0].stream
    assert f"stream {stream} disappeared while it was read" in notes
    assert verdicts, "the metrics still show the failure"


def test_pages_whose_tokens_cycle_are_read_once(moto_aws, samples, client_hooks):
    inc = seed(moto_aws, samples["recsys-ranker"])
    streams = {e.stream for e in inc.logs}
    fault = Fault(
        "logs",
        "FilterLogEvents",
        lambda request: json_response(
            request,
            {
                "events": [{"timestamp": int(time.time() * 1000), "message": "GET /ping 200", "eventId": "1"}],
                "nextToken": "the-same-token",
                "searchedLogStreams": [],
            },
        ),
    )
    inject(client_hooks, fault)
    verdicts, notes = classify_json("recsys-ranker")
    assert "repeated a page token" in notes
    assert fault.calls == 2 * len(streams)  # per stream: the first page, the one repeating its token, no more


@pytest.fixture
def trickling_server():
    """An HTTP server that sends its reply one byte every half second, forever: never silent, never done."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    stop = threading.Event()

    def serve(conn):
        try:
            conn.recv(65536)
            for (
                byte
            ) in b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100000\r\n\r\n{":
                conn.sendall(bytes([byte]))
                if stop.wait(0.5):
                    return
            while not stop.wait(0.5):
                conn.sendall(b" ")
        except OSError:
            pass

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    stop.set()
    sock.close()


def test_a_server_that_trickles_forever_is_given_up_at_the_deadline(trickling_server):
    started = time.monotonic()
    result = runner.invoke(app, ["classify", "any-endpoint", "--endpoint-url", trickling_server, "--timeout", "3"])
    took = time.monotonic() - started
    assert result.exit_code == 6, result.output
    assert "took longer than 3 s (--timeout)" in result.stderr
    assert took < 10
