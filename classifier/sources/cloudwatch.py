"""Read an endpoint's window from AWS: DescribeEndpoint, CloudWatch Logs, CloudWatch metrics.

Real boto3 calls only (tests run them against moto). Retries are botocore's
own standard mode with a bounded number of attempts; every AWS failure a user
can fix is translated into an error from `classifier.errors` with one line
saying what to do.
"""

from __future__ import annotations

import collections
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import botocore.exceptions as bex
from botocore.config import Config

from ..errors import AccessDenied, AwsAuthError, AwsUnavailable, NotFound, SmtriageError
from ..incident import Context, Incident, LogEvent, MetricSeries
from ..text.clean import message_texts
from ..text.signals import LIKELY_FAILURE, scan
from .hosting import Hosting, metrics_for, variant_hosting

LOG_GROUP_PREFIX = "/aws/sagemaker/Endpoints/"
DEFAULT_MAX_EVENTS = 200_000
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "LimitExceededException",
    "SlowDown",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "InternalFailure",
    "InternalServerError",
}


_XML_ERROR = re.compile(r"<Code>([^<]*)</Code>\s*<Message>([^<]*)</Message>", re.S)
RETRY_MODES = ("standard", "adaptive")

# Called as hook(service_name, client) on every client this module creates, after
# the client exists and before any call. Empty in normal use. Tests attach
# botocore's own machinery here (a `botocore.stub.Stubber`, or a `before-send`
# handler answering with an HTTP error response) to produce AWS faults moto cannot
# — throttling, expired tokens, read timeouts — while the real client, its retry
# mode and its error parsing do everything else.
CLIENT_HOOKS: list[Callable[[str, Any], None]] = []


@dataclass(frozen=True)
class AwsOptions:
    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    max_attempts: int = 8
    retry_mode: str = "standard"
    read_timeout: float = 15.0
    connect_timeout: float = 5.0
    timeout: float = 180.0  # for reading the whole window: a server that trickles or cycles cannot hold a user longer


@dataclass
class Variant:
    name: str
    instance_type: str | None = None
    instance_count: int | None = None
    image: str | None = None
    hosting: Hosting | None = None


@dataclass
class EndpointInfo:
    name: str
    status: str | None
    failure_reason: str | None
    variants: list[Variant]


@dataclass
class Window:
    """What was read for one endpoint, and what could not be read (said to the user, not hidden)."""

    incidents: list[Incident]
    notes: list[str] = field(default_factory=list)
    events_read: int = 0  # log events read from CloudWatch, including those not kept (see --max-events)
    partial: bool = False  # some of the window could not be read: a note says what


MAX_PAGES = 2_000  # FilterLogEvents pages read per stream (20 million events at AWS's page size)
TORN_RETRIES = 2  # a page that arrives without its events list is asked for again this many times


# ---------------------------------------------------------------- clients and errors


def _make_clients(opts: AwsOptions) -> tuple[Any, Any, Any]:
    if opts.retry_mode not in RETRY_MODES:
        raise SmtriageError(f"retry mode {opts.retry_mode!r} is not one of {', '.join(RETRY_MODES)}")
    config = Config(
        retries={"mode": opts.retry_mode, "total_max_attempts": opts.max_attempts},
        connect_timeout=opts.connect_timeout,
        read_timeout=opts.read_timeout,
        max_pool_connections=32,
        user_agent_extra="smtriage",
    )
    try:
        # AWS_REGION is the SDKs' and the AWS CLI v2's name, and wins over AWS_DEFAULT_REGION there; botocore
        # reads only the latter
        region = opts.region or os.environ.get("AWS_REGION") or None
        session = boto3.Session(profile_name=opts.profile, region_name=region)
    except bex.ProfileNotFound:
        raise AwsAuthError(
            f"AWS profile {opts.profile!r} not found in ~/.aws/config or ~/.aws/credentials; "
            "check --profile or run `aws configure --profile NAME`"
        ) from None
    if session.region_name is None:
        raise AwsAuthError(
            "no AWS region: pass --region (e.g. --region us-east-1), set AWS_REGION or AWS_DEFAULT_REGION, or "
            "give the profile a region (`aws configure set region us-east-1`)"
        )
    kw = {"config": config, "endpoint_url": opts.endpoint_url}
    try:
        clients = tuple(session.client(name, **kw) for name in ("sagemaker", "logs", "cloudwatch"))
    except ValueError as exc:  # botocore rejects a malformed endpoint URL this way
        raise AwsUnavailable(f"cannot use endpoint URL {opts.endpoint_url!r}: {exc}") from None
    for hook in CLIENT_HOOKS:
        for name, client in zip(("sagemaker", "logs", "cloudwatch"), clients):
            hook(name, client)
    return clients


def translate(exc: Exception, what: str) -> SmtriageError:
    """Map a botocore failure to an error that says what to do; `what` names the call."""
    if isinstance(exc, (bex.NoCredentialsError, bex.PartialCredentialsError)):
        return AwsAuthError(
            "no AWS credentials found: run `aws configure` or `aws sso login`, set AWS_PROFILE, "
            "or export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(exc, bex.TokenRetrievalError | bex.SSOTokenLoadError | bex.UnauthorizedSSOTokenError):
        return AwsAuthError(f"AWS SSO session is not valid: run `aws sso login` ({exc})")
    if isinstance(exc, bex.ReadTimeoutError | bex.ConnectTimeoutError):
        return AwsUnavailable(
            f"{what}: AWS did not answer in time, on every attempt ({exc}); check the network "
            "and try again, or raise --max-attempts"
        )
    if isinstance(exc, bex.EndpointConnectionError | bex.ConnectionClosedError):
        return AwsUnavailable(
            f"{what}: could not connect to AWS ({exc}); check the network, --region and --endpoint-url"
        )
    if isinstance(exc, bex.ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", ""))
        message = str(err.get("Message", "")).strip()
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        embedded = _XML_ERROR.search(message)  # an XML error body where JSON was expected
        if embedded:
            code, message = embedded.group(1), embedded.group(2)
        if status == 403 and code not in _EXPIRED:
            code = code if code in _DENIED else "AccessDenied"
        if code in _EXPIRED:
            return AwsAuthError(
                f"{what}: AWS credentials have expired ({code}); refresh them (`aws sso login`, or "
                "new session credentials) and try again"
            )
        if code in _DENIED:
            return AccessDenied(f"{what}: access denied ({code}: {message}); the identity needs this permission")
        if code in _THROTTLED or (isinstance(status, int) and status >= 500):
            meta = exc.response.get("ResponseMetadata", {})
            attempts = int(meta.get("RetryAttempts") or 0) + 1
            gave_up = (
                f" on all {attempts} attempts"
                if meta.get("MaxAttemptsReached")
                else f" on {attempts} attempt(s), and the client's retry budget is spent"
                if meta.get("RetryQuotaReached")
                else ""
            )
            said = f": {message}" if message else ""
            return AwsUnavailable(
                f"{what}: AWS throttled or failed the request{gave_up} ({code}{said}); wait a "
                "minute and run again, or raise --max-attempts"
            )
        return SmtriageError(f"{what}: AWS error {code}: {message}")
    return SmtriageError(f"{what}: {type(exc).__name__}: {exc}")


@contextmanager
def _aws(what: str) -> Iterator[None]:
    try:
        yield
    except (bex.BotoCoreError, bex.ClientError) as exc:
        raise translate(exc, what) from None


def _code(exc: bex.ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


# ---------------------------------------------------------------- endpoint description


def describe_endpoint(sagemaker: Any, endpoint: str) -> EndpointInfo:
    """Status, FailureReason and, per variant, instance type, count and image."""
    try:
        desc = sagemaker.describe_endpoint(EndpointName=endpoint)
    except bex.ClientError as exc:
        if _code(exc) == "ValidationException" and "could not find" in str(exc).lower():
            region = getattr(sagemaker.meta, "region_name", None) or "this region"
            raise NotFound(
                f"endpoint {endpoint!r} not found in {region} for this account; check the name, --region "
                f"and --profile (`aws sagemaker list-endpoints --region {region}`)"
            ) from None
        raise translate(exc, "DescribeEndpoint") from None
    except bex.BotoCoreError as exc:
        raise translate(exc, "DescribeEndpoint") from None
    variants = {
        v["VariantName"]: Variant(
            v["VariantName"], instance_count=v.get("CurrentInstanceCount"), image=_deployed_image(v)
        )
        for v in desc.get("ProductionVariants", [])
    }
    config_name = desc.get("EndpointConfigName")
    config: dict[str, Any] = {}
    if config_name:
        try:
            config = sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        except bex.ClientError:
            pass  # the config may be deleted or denied; the endpoint status still stands
    for pv in config.get("ProductionVariants", []):
        v = variants.setdefault(pv["VariantName"], Variant(pv["VariantName"]))
        v.instance_type = pv.get("InstanceType") or v.instance_type
        v.instance_count = v.instance_count or pv.get("InitialInstanceCount")
        model = _describe_model(sagemaker, pv["ModelName"]) if pv.get("ModelName") else None
        if v.image is None and model:
            container: dict[str, Any] = model.get("PrimaryContainer") or next(iter(model.get("Containers") or []), {})
            v.image = container.get("Image")
        v.hosting = variant_hosting(desc, config, pv, model)
    for v in variants.values():
        v.hosting = v.hosting or variant_hosting(desc, config, None, None)
    return EndpointInfo(endpoint, desc.get("EndpointStatus"), desc.get("FailureReason"), list(variants.values()))


def _deployed_image(variant: dict[str, Any]) -> str | None:
    images = variant.get("DeployedImages") or []
    return (images[0].get("SpecifiedImage") or images[0].get("ResolvedImage")) if images else None


def _describe_model(sagemaker: Any, model_name: str) -> dict[str, Any] | None:
    try:
        return dict(sagemaker.describe_model(ModelName=model_name))
    except bex.ClientError:
        return None


# ---------------------------------------------------------------- logs


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def list_streams(logs: Any, group: str, start: datetime, end: datetime) -> list[str]:
    """Streams that may hold events in the window (all instances, every variant)."""
    names = []
    paginator = logs.get_paginator("describe_log_streams")
    for page in paginator.paginate(logGroupName=group):
        for s in page.get("logStreams", []):
            first = s.get("firstEventTimestamp")
            last = s.get("lastIngestionTime") or s.get("lastEventTimestamp")
            # lastEventTimestamp lags by up to an hour in AWS; only drop streams clearly outside the window
            if first is not None and first > _ms(end):
                continue
            if last is not None and last < _ms(start - timedelta(hours=1)):
                continue
            names.append(s["logStreamName"])
    return names


def failure_lines(events: list[LogEvent]) -> list[LogEvent]:
    """The events among `events` that carry a failure signal (those an episode is built around)."""
    if not events:
        return []
    found = scan(message_texts([e.message for e in events])).texts_with(LIKELY_FAILURE)
    return [events[i] for i in found.tolist()]


class CappedEvents:
    """At most `cap` events of one stream, in order: the latest ones, plus failure lines from before them.

    A stream longer than the cap loses its oldest events, except that events
    carrying a failure signal are kept aside (up to a fifth of the cap: the
    first and the latest of them), so an OOM early in a long window is not
    traded for the healthy traffic that followed it. Memory stays within the
    cap plus one page whatever the stream's length; only events pushed out of
    the window are scanned, so a stream under the cap costs nothing extra.
    """

    def __init__(self, cap: int):
        self.cap = cap
        self.recent: collections.deque[LogEvent] = collections.deque()
        reserve = cap // 5
        self._first_cap = reserve // 2
        self.first: list[LogEvent] = []
        self.last: collections.deque[LogEvent] = collections.deque(maxlen=reserve - self._first_cap)
        self.total = 0

    @property
    def kept_failures(self) -> int:
        return len(self.first) + len(self.last)

    def extend(self, events: list[LogEvent]) -> None:
        self.total += len(events)
        self.recent.extend(events)
        if len(self.recent) > self.cap:
            self._evict(len(self.recent) - self.cap)

    def _evict(self, n: int) -> None:
        gone = [self.recent.popleft() for _ in range(n)]
        for e in failure_lines(gone) if self.last.maxlen else ():
            if len(self.first) < self._first_cap:
                self.first.append(e)
            else:
                self.last.append(e)

    def events(self) -> list[LogEvent]:
        while len(self.recent) + self.kept_failures > self.cap:
            self._evict(len(self.recent) + self.kept_failures - self.cap)
        return [*self.first, *self.last, *self.recent]


@dataclass
class StreamRead:
    events: list[LogEvent]
    total: int  # events read, kept or not
    rescued: int  # of the kept, earlier failure lines
    gap: str | None = None  # why the stream was not read to its end, if it was not


def _page(logs: Any, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """One FilterLogEvents page; None when it keeps arriving without its events list (a torn reply)."""
    for _ in range(1 + TORN_RETRIES):
        page = logs.filter_log_events(**kwargs)
        if isinstance(page.get("events"), list):
            return page
    return None


def read_stream(
    logs: Any,
    group: str,
    stream: str,
    start: datetime,
    end: datetime,
    *,
    page_size: int = 10_000,
    max_events: int = DEFAULT_MAX_EVENTS,
    stop: threading.Event | None = None,
) -> StreamRead:
    """Every event of one stream in the window, page by page, following nextToken to the end.

    Keeps at most `max_events` (see `CappedEvents`: the latest, plus earlier
    failure lines), so memory stays bounded however long the stream is. A
    stream is not read past a torn page, a token seen before (a server that
    cycles), MAX_PAGES pages, its disappearance, or `stop`: the result then
    says why (`gap`), so the verdict can say what it did not see.
    """
    kept = CappedEvents(max_events)
    kwargs: dict[str, Any] = {
        "logGroupName": group,
        "logStreamNames": [stream],
        "startTime": _ms(start),
        "endTime": _ms(end),
        "limit": page_size,
    }
    seen: set[str] = set()
    gap = None
    for _ in range(MAX_PAGES):
        if stop is not None and stop.is_set():
            gap = "stopped before its end"
            break
        try:
            page = _page(logs, kwargs)
        except bex.ClientError as exc:
            if _code(exc) != "ResourceNotFoundException":
                raise
            gap = "disappeared while it was read (an instance replaced or scaled in)"
            break
        if page is None:
            gap = f"FilterLogEvents kept answering with an incomplete page ({1 + TORN_RETRIES} tries)"
            break
        batch = []
        for ev in page["events"]:
            ts = ev.get("timestamp")
            name = ev.get("logStreamName", stream)
            batch.append(
                LogEvent(
                    message=str(ev.get("message", "")).rstrip("\n"),
                    timestamp=datetime.fromtimestamp(ts / 1000, tz=UTC) if ts is not None else None,
                    # the one name object of the stream, not a copy per event parsed from each
                    # response: a busy hour would hold 100,000 copies, each hashed when streams are counted
                    stream=stream if name == stream else name,
                )
            )
        kept.extend(batch)
        token = page.get("nextToken")
        if not token:
            break
        if token in seen:
            gap = "FilterLogEvents repeated a page token it had given before (the server cycles)"
            break
        seen.add(token)
        kwargs["nextToken"] = token
    else:
        gap = f"had more than {MAX_PAGES:,} pages"
    return StreamRead(kept.events(), kept.total, kept.kept_failures, gap)


def _concurrently(fn: Callable[[str], Any], items: list[str], workers: int) -> Iterator[Any]:
    """`fn` of each item on up to `workers` daemon threads, results as they come; the first error is raised.

    Daemon threads, not a ThreadPoolExecutor: a read abandoned at the deadline
    (a server that trickles a byte every few seconds) must not keep the
    process from exiting, and an executor's threads are joined at exit.
    """
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for item in items:
        todo.put(item)
    done: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()

    def work() -> None:
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((True, fn(item)))
            except BaseException as exc:  # handed to the caller's thread, which raises it
                done.put((False, exc))

    for _ in range(min(workers, len(items))):
        threading.Thread(target=work, daemon=True, name="smtriage-read").start()
    for _ in items:
        ok, value = done.get()
        if not ok:
            raise value
        yield value


@dataclass
class LogRead:
    streams: dict[str, list[LogEvent]]
    notes: list[str]
    events_read: int = 0
    partial: bool = False


def read_logs(
    logs: Any,
    endpoint: str,
    start: datetime,
    end: datetime,
    *,
    page_size: int = 10_000,
    max_events: int = DEFAULT_MAX_EVENTS,
    workers: int = 8,
    progress: Callable[[int], None] | None = None,
    endpoint_known: bool = True,
    stop: threading.Event | None = None,
    variant: str | None = None,
) -> LogRead:
    """Events per stream (of `variant` alone, if named), streams read concurrently; the notes say what was
    capped or not read."""
    group = LOG_GROUP_PREFIX + endpoint
    try:
        streams = [s for s in list_streams(logs, group, start, end) if variant is None or _variant_of(s) == variant]
    except bex.ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            maybe = "" if endpoint_known else "the endpoint name is wrong, or "
            raise NotFound(
                f"log group {group} does not exist: {maybe}the endpoint has never written logs (its "
                "container did not start, or the execution role lacks logs:CreateLogStream / "
                "logs:PutLogEvents)"
            ) from None
        raise translate(exc, "DescribeLogStreams") from None
    except bex.BotoCoreError as exc:
        raise translate(exc, "DescribeLogStreams") from None
    per_stream = max(1, max_events // max(1, len(streams)))
    lock = threading.Lock()
    stop = stop or threading.Event()

    def one(stream: str) -> tuple[str, StreamRead]:
        if stop.is_set():  # another stream already failed: do not start this one
            return stream, StreamRead([], 0, 0, "not read")
        try:
            with _aws("FilterLogEvents"):
                got = read_stream(
                    logs, group, stream, start, end, page_size=page_size, max_events=per_stream, stop=stop
                )
        except BaseException:
            stop.set()
            raise
        if progress:
            with lock:
                progress(got.total)
        return stream, got

    out: dict[str, list[LogEvent]] = {}
    gaps: list[str] = []
    read = kept = rescued_all = capped = 0
    try:
        for stream, got in _concurrently(one, streams, workers):
            out[stream] = got.events
            read += got.total
            kept += len(got.events)
            rescued_all += got.rescued
            capped += got.total > len(got.events)
            if got.gap:
                gaps.append(f"stream {stream} {got.gap}")
    except BaseException:
        # the first failing stream decides: streams not started are dropped, so the user hears now
        # (after at most the calls in flight), not after every stream has retried to the end
        stop.set()
        raise
    out = {stream: out[stream] for stream in streams if stream in out}
    notes = []
    if capped:
        earlier = f", plus {rescued_all:,} earlier failure line(s)" if rescued_all else ""
        notes.append(
            f"read {read:,} log events in {len(streams)} stream(s); {capped} stream(s) had more than "
            f"{per_stream:,}, so kept {kept:,}: the latest of each stream{earlier} (--max-events "
            f"{max_events:,}; raise it to keep more)"
        )
    if gaps:
        shown = "; ".join(sorted(gaps)[:5]) + (f"; and {len(gaps) - 5} more" if len(gaps) > 5 else "")
        notes.append(f"the logs were not read in full: {shown}")
    return LogRead(out, notes, read, partial=bool(gaps))


# ---------------------------------------------------------------- metrics


@dataclass
class MetricRead:
    series: dict[str, MetricSeries]
    missing: list[str]  # metrics GetMetricData did not return in full, each with its status


def read_metrics(
    cloudwatch: Any,
    endpoint: str,
    variant: str,
    start: datetime,
    end: datetime,
    period: int = 60,
    hosting: str | None = None,
) -> MetricRead:
    """Every SageMaker metric the variant's hosting kind publishes, in one GetMetricData paginated call.

    A query answered with a status other than Complete (InternalError,
    Forbidden, or PartialData on the last page) is said to be missing.
    """
    wanted = metrics_for(hosting)
    queries = []
    ids: dict[str, str] = {}
    for i, (name, q) in enumerate(wanted.items()):
        qid = f"m{i}"
        ids[qid] = name
        dims = [{"Name": "EndpointName", "Value": endpoint}]
        if q.per_variant:
            dims.append({"Name": "VariantName", "Value": variant})
        queries.append(
            {
                "Id": qid,
                "MetricStat": {
                    "Metric": {"Namespace": q.namespace, "MetricName": name, "Dimensions": dims},
                    "Period": period,
                    "Stat": q.stat,
                },
                "ReturnData": True,
            }
        )
    points: dict[str, dict[datetime, float]] = collections.defaultdict(dict)
    status: dict[str, str] = {}
    paginator = cloudwatch.get_paginator("get_metric_data")
    for page in paginator.paginate(
        MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"
    ):
        results = page.get("MetricDataResults")
        if not isinstance(results, list):
            return MetricRead({}, ["every metric (GetMetricData answered with an incomplete page)"])
        for result in results:
            metric = ids.get(result.get("Id"))
            if metric is None:
                continue
            status[metric] = str(result.get("StatusCode", "Complete"))
            for t, v in zip(result.get("Timestamps", []), result.get("Values", [])):
                points[metric][t.astimezone(UTC)] = float(v)
    missing = [
        f"{name} ({status.get(name, 'not returned')})" for name in wanted if status.get(name, "missing") != "Complete"
    ]
    return MetricRead(
        {name: MetricSeries(tuple(sorted(p)), tuple(p[t] for t in sorted(p))) for name, p in points.items() if p},
        missing,
    )


# ---------------------------------------------------------------- the window


def _kind(variant: Variant) -> str | None:
    return variant.hosting.kind if variant.hosting else None


def _variant_of(stream: str) -> str:
    return stream.split("/", 1)[0]


class Deadline(AwsUnavailable):
    """The window could not be read within the time allowed (`--timeout`)."""


def fetch_window(
    endpoint: str,
    start: datetime,
    end: datetime,
    opts: AwsOptions = AwsOptions(),
    *,
    max_events: int = DEFAULT_MAX_EVENTS,
    page_size: int = 10_000,
    progress: Callable[[int], None] | None = None,
    variant: str | None = None,
) -> Window:
    """One incident per production variant (or of `variant` alone): its logs (all instances), metrics and context.

    Access denied on one source (DescribeEndpoint, the logs, or the metrics)
    is not fatal: the window is read from the others and a note says what is
    missing. Only when neither logs nor metrics can be read is it an error.
    The whole read gets `opts.timeout` seconds; past them it stops and raises
    `Deadline`, saying how much had been read.
    """
    if start >= end:
        raise SmtriageError(f"window start {start.isoformat()} is not before its end {end.isoformat()}")
    stop = threading.Event()
    seen = [0]

    def counted(n: int) -> None:
        seen[0] += n
        if progress:
            progress(n)

    result: list[tuple[bool, Any]] = []
    finished = threading.Event()

    def run() -> None:
        try:
            result.append(
                (
                    True,
                    _read_window(
                        endpoint,
                        start,
                        end,
                        opts,
                        max_events=max_events,
                        page_size=page_size,
                        progress=counted,
                        stop=stop,
                        variant=variant,
                    ),
                )
            )
        except BaseException as exc:
            result.append((False, exc))
        finished.set()

    threading.Thread(target=run, daemon=True, name="smtriage-window").start()
    if not finished.wait(opts.timeout):
        stop.set()
        raise Deadline(
            f"reading {endpoint!r} took longer than {opts.timeout:g} s (--timeout) and was stopped after "
            f"{seen[0]:,} log events; AWS (or --endpoint-url) answers too slowly: try again, narrow the "
            "window, or raise --timeout"
        )
    ok, value = result[0]
    if not ok:
        raise value
    return value


def _read_window(
    endpoint: str,
    start: datetime,
    end: datetime,
    opts: AwsOptions,
    *,
    max_events: int,
    page_size: int,
    progress: Callable[[int], None],
    stop: threading.Event,
    variant: str | None = None,
) -> Window:
    sagemaker, logs, cloudwatch = _make_clients(opts)
    denied: dict[str, AccessDenied] = {}
    try:
        info = describe_endpoint(sagemaker, endpoint)
    except AccessDenied as exc:
        info, denied["status"] = EndpointInfo(endpoint, None, None, []), exc
    if variant is not None and info.variants and variant not in {v.name for v in info.variants}:
        raise NotFound(
            f"endpoint {endpoint!r} has no production variant {variant!r}; its variants are "
            + ", ".join(v.name for v in info.variants)
        )
    notes: list[str] = []
    events_read = 0
    partial = False
    try:
        read = read_logs(
            logs,
            endpoint,
            start,
            end,
            page_size=page_size,
            max_events=max_events,
            progress=progress,
            endpoint_known="status" not in denied,
            stop=stop,
            variant=variant,
        )
        streams, events_read, partial = read.streams, read.events_read, read.partial
        notes += read.notes
    except AccessDenied as exc:
        streams, denied["logs"] = {}, exc
    except NotFound:
        if not info.failure_reason:
            raise
        # a model that could not be downloaded, a role or a quota: the endpoint failed before its container
        # logged anything, and its FailureReason is the evidence
        streams = {}
        notes.append(
            f"no container logs (log group {LOG_GROUP_PREFIX + endpoint} does not exist): classified from the "
            "endpoint's status and FailureReason alone"
        )
    variants = (
        info.variants
        or [Variant(name) for name in sorted({_variant_of(s) for s in streams})]
        or [Variant(variant or "AllTraffic")]
    )
    if variant is not None:
        variants = [v for v in variants if v.name == variant] or [Variant(variant)]
    incidents = []
    for v in variants:
        events = sorted(
            (e for s, evs in streams.items() if _variant_of(s) == v.name for e in evs),
            key=lambda e: (e.timestamp or start, e.stream or ""),
        )
        metrics: dict[str, MetricSeries] = {}
        if "metrics" not in denied:
            try:
                got = read_metrics(cloudwatch, endpoint, v.name, start, end, hosting=_kind(v))
                metrics = got.series
                if got.missing:
                    partial = True
                    notes.append(f"variant {v.name}: metrics not read in full: {', '.join(got.missing)}")
            except bex.ClientError as exc:
                err = translate(exc, "GetMetricData")
                if not isinstance(err, AccessDenied):
                    raise err from None
                denied["metrics"] = err
            except bex.BotoCoreError as exc:
                raise translate(exc, "GetMetricData") from None
        incidents.append(
            Incident(
                id=f"{endpoint}/{v.name}-{start:%Y-%m-%dT%H:%MZ}",
                endpoint=endpoint,
                variant=v.name,
                start=start,
                end=end,
                logs=events,
                metrics=metrics,
                context=Context(
                    status=info.status,
                    failure_reason=info.failure_reason,
                    instance_type=v.instance_type,
                    instance_count=v.instance_count,
                    image=v.image,
                    hosting=_kind(v),
                    memory_size_mb=v.hosting.memory_size_mb if v.hosting else None,
                    max_concurrency=v.hosting.max_concurrency if v.hosting else None,
                ),
            )
        )
    if "logs" in denied and "metrics" in denied:
        calls = [str(e).split(":", 1)[0] for e in denied.values()]
        raise AccessDenied(
            f"access denied on {', '.join(calls)} for {endpoint!r}, so neither its logs nor its "
            "metrics can be read; the identity needs logs:DescribeLogStreams and logs:FilterLogEvents "
            "and/or cloudwatch:GetMetricData (and sagemaker:DescribeEndpoint for the status)"
        )
    if denied:
        left = [name for name in ("logs", "metrics", "status") if name not in denied]
        for what, refusal in denied.items():
            notes.append(f"{what} not read ({refusal}); classifying from {' and '.join(left)} only")
    return Window(incidents, notes, events_read, partial)


@dataclass(frozen=True)
class CloudWatchSource:
    """An endpoint's window as CloudWatch and DescribeEndpoint hold it: the product's `WindowSource`."""

    opts: AwsOptions = AwsOptions()
    max_events: int = DEFAULT_MAX_EVENTS
    progress: Callable[[int], None] | None = None
    variant: str | None = None  # one production variant's logs and metrics, not every variant's

    def read(self, endpoint: str, start: datetime, end: datetime) -> Window:
        return fetch_window(
            endpoint, start, end, self.opts, max_events=self.max_events, progress=self.progress, variant=self.variant
        )


def failed_endpoints(opts: AwsOptions = AwsOptions()) -> list[tuple[str, datetime]]:
    """(name, last modified) of every endpoint whose status is Failed, newest first."""
    sagemaker, _, _ = _make_clients(opts)
    out = []
    with _aws("ListEndpoints"):
        for page in sagemaker.get_paginator("list_endpoints").paginate(StatusEquals="Failed"):
            for ep in page.get("Endpoints", []):
                out.append((ep["EndpointName"], ep.get("LastModifiedTime") or ep.get("CreationTime")))
    return sorted(out, key=lambda x: x[1], reverse=True)
