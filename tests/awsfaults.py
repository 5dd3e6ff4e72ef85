"""AWS faults that moto cannot produce, made with botocore's own machinery (never the network).

`classifier.sources.cloudwatch.CLIENT_HOOKS` hands every client smtriage
creates to the hooks a test installs. Two kinds of hook are used:

* `Fault`: a `before-send` handler for one operation. botocore emits
  `before-send` right before the HTTP request would leave; a handler that
  returns a response makes botocore skip the socket. The response is a real
  HTTP error (status, headers, JSON body) that botocore's own parser turns
  into a `ClientError` and botocore's own retry handler (standard or adaptive
  mode, the client's max attempts) decides to retry or not. A handler that
  raises `ReadTimeoutError` looks like a socket that never answered. Once a
  Fault has answered `times` calls it returns None and moto answers.
* `botocore.stub.Stubber`: canned responses at `before-call`, above the
  retry loop. Right for errors that are never retried (an expired token);
  useless for throttling, whose whole point is botocore's retries.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError

from classifier.sources import cloudwatch

Hook = Callable[[str, Any], None]


class _Body(io.BytesIO):
    """What botocore reads an HTTP body through (`raw.stream()`)."""

    def stream(self, **_: Any):
        data = self.read()
        if data:
            yield data


def json_response(
    request: Any, body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> AWSResponse:
    """An HTTP response in the AWS JSON 1.1 protocol (SageMaker, CloudWatch Logs)."""
    return AWSResponse(
        request.url,
        status,
        {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "fault-injected", **(headers or {})},
        _Body(json.dumps(body).encode()),
    )


def error_response(code: str, message: str, status: int = 400) -> Callable[[Any], AWSResponse]:
    return lambda request: json_response(request, {"__type": code, "message": message}, status)


THROTTLED = error_response("ThrottlingException", "Rate exceeded")


def read_timeout(request: Any) -> AWSResponse:
    raise ReadTimeoutError(endpoint_url=request.url)


class Fault:
    """Answer the first `times` calls of one operation (all of them if None), then let moto answer."""

    def __init__(self, service: str, operation: str, answer: Callable[[Any], AWSResponse], times: int | None = None):
        self.service, self.operation, self.answer, self.times = service, operation, answer, times
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, request: Any, **_: Any) -> AWSResponse | None:
        with self._lock:
            self.calls += 1
            n = self.calls
        if self.times is None or n <= self.times:
            return self.answer(request)
        return None

    def attach(self, service: str, client: Any) -> None:
        if service == self.service:
            event = f"before-send.{client.meta.service_model.service_id.hyphenize()}.{self.operation}"
            client.meta.events.register_first(event, self)


def install_client_hooks(monkeypatch: pytest.MonkeyPatch) -> list[Hook]:
    """Hooks applied to every boto3 client smtriage creates during the test (fixture `client_hooks`)."""
    hooks: list[Hook] = []
    monkeypatch.setattr(cloudwatch, "CLIENT_HOOKS", hooks)
    return hooks


def inject(hooks: list[Hook], *faults: Fault) -> None:
    hooks.extend(f.attach for f in faults)


class _RecordingTime:
    """Stands in for the `time` module inside botocore.endpoint: records retry delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.delays.append(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def record_backoff(monkeypatch: pytest.MonkeyPatch) -> _RecordingTime:
    """botocore computes its backoff as usual; the test records each delay instead of waiting it out (fixture
    `backoff`)."""
    recorder = _RecordingTime()
    monkeypatch.setattr(botocore.endpoint, "time", recorder)
    return recorder


def iam_user(policy: dict[str, Any] | None) -> tuple[str, str]:
    """A moto IAM user with only `policy`; returns its access key."""
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="oncall")
    if policy:
        iam.put_user_policy(UserName="oncall", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="oncall")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def allow(*actions: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}


# moto checks CloudWatch actions under the endpoint prefix "monitoring"; AWS calls them "cloudwatch:..."
SAGEMAKER = ("sagemaker:Describe*",)
LOGS = ("logs:DescribeLogStreams", "logs:FilterLogEvents")
METRICS = ("cloudwatch:GetMetricData", "monitoring:GetMetricData")
