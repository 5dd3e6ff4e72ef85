"""`smtriage`: parse arguments, call plain functions, print.

Only typer and rich load at start-up; scikit-learn, numpy and boto3 load
inside the command that needs them, so `smtriage --help` is instant.
Everything printed for scripts goes to stdout; progress and messages go to
stderr, so `--output json` can be piped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

if TYPE_CHECKING:  # the CLI imports what a command needs inside it: `smtriage --help` stays fast
    from .errors import SmtriageError
    from .live import EndpointReport
    from .model import TriageModel

M = TypeVar("M")
W = TypeVar("W")

app = typer.Typer(
    name="smtriage",
    help=(
        "Tell why an Amazon SageMaker endpoint failed: resource exhaustion, configuration error "
        "or model bug, with a calibrated confidence, the evidence and what to do next.\n\n"
        "\b\nTry it without an AWS account:  smtriage demo\n"
        "On a live endpoint:             smtriage classify my-endpoint --since 2h"
    ),
    # plain click help: rich-formatted help would import rich's markdown machinery and triple start-up time
    rich_markup_mode=None,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        print(f"smtriage {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Tell why an Amazon SageMaker endpoint failed."""


class _LazyConsole:
    """A rich Console made on first use: `smtriage --help` never pays for importing rich."""

    def __init__(self, **options: object):
        self._options = options
        self._console = None

    def get(self):
        """The Console itself, for what needs the object (a progress display enters it as a context)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def __getattr__(self, name: str):
        return getattr(self.get(), name)


out = _LazyConsole(soft_wrap=False)
err = _LazyConsole(stderr=True)


class Output(str, Enum):
    table = "table"
    json = "json"
    yaml = "yaml"

    @property
    def for_scripts(self) -> bool:
        return self is not Output.table


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
_DURATION = re.compile(r"^(?:\s*\d+(?:\.\d+)?\s*[smhdw])+\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DEFAULT_SINCE = "1h"


def is_duration(text: str) -> bool:
    return bool(_DURATION.match(text.lower()))


def parse_duration(text: str, option: str = "--since") -> timedelta:
    """90s, 30m, 2h, 1d, 1w, or several at once: 2h30m."""
    if not is_duration(text):
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 30m, 2h, 1d or 2h30m", param_hint=option)
    return sum((timedelta(**{_UNITS[unit]: float(n)}) for n, unit in _DURATION_PART.findall(text.lower())), timedelta())


def parse_when(text: str, option: str, now: datetime) -> datetime:
    """An ISO-8601 time (UTC if no zone), `now`, or a duration meaning that long ago (as `aws logs tail` reads)."""
    text = text.strip()
    if text.lower() == "now":
        return now
    if is_duration(text):
        return now - parse_duration(text, option)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a time: give ISO-8601 such as 2026-11-02T03:00Z, or how long ago, such as 2h",
            param_hint=option,
        ) from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def resolve_window(since: str | None, start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """The window to read: --since (a length ending at --end, or a time) or --start, not both; default the last hour."""
    if since and start:
        raise typer.BadParameter("give --since or --start, not both: --since is a window length, --start its start")
    now = datetime.now(UTC)
    t_end = parse_when(end, "--end", now) if end else now
    if start:
        t_start = parse_when(start, "--start", now)
    elif since and not is_duration(since):
        try:
            t_start = parse_when(since, "--since", now)
        except typer.BadParameter:
            raise typer.BadParameter(
                f"{since!r} is not a duration like 90s, 30m, 2h, 1d or 2h30m, nor a time such as 2026-11-02T03:00Z",
                param_hint="--since",
            ) from None
    else:
        t_start = t_end - parse_duration(since or DEFAULT_SINCE)
    if t_start >= t_end:
        raise typer.BadParameter(
            f"the window starts ({t_start:%Y-%m-%dT%H:%MZ}) after it ends ({t_end:%Y-%m-%dT%H:%MZ})"
        )
    return t_start, t_end


def fail(exc: BaseException, debug: bool) -> NoReturn:
    """One line for the user; the traceback only when asked for. Both are shown inert: an AWS message or a
    record's text can hold terminal controls, and a URL can hold credentials."""
    import traceback

    from rich.text import Text

    from .errors import EXIT_UNEXPECTED
    from .render import shown

    if isinstance(exc, BrokenPipeError):  # `| head` has read what it wanted: stop quietly, as a shell tool does
        _quiet_stdout()
        raise typer.Exit(EXIT_BROKEN_PIPE)
    if debug:
        err.print(Text(shown("".join(traceback.format_exception(exc)))), highlight=False, soft_wrap=True)
    code = getattr(exc, "exit_code", EXIT_UNEXPECTED)
    message = str(exc) if code != EXIT_UNEXPECTED or str(exc) else type(exc).__name__
    err.print(Text.assemble(("error:", "bold red"), " ", shown(message)), highlight=False, soft_wrap=True)
    raise typer.Exit(code)


EXIT_BROKEN_PIPE = 141  # what a shell reports for a tool stopped by SIGPIPE


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not raise again."""
    import os
    import sys

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def _usage(exc: typer.BadParameter) -> Exception:
    from .errors import UsageError

    return UsageError(str(exc))


def say(prefix: str, text: str, style: str = "yellow") -> None:
    """A note on stderr; `text` may hold log or record content, so it is shown inert. It is wrapped at word
    boundaries on a terminal, and kept on one line in a pipe or file, where a script greps it."""
    from rich.text import Text

    from .render import shown

    err.print(Text.assemble((shown(prefix), style), " ", shown(text)), highlight=False, soft_wrap=not err.is_terminal)


def _aws_options(
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    max_attempts: int,
    retry_mode: RetryMode,
    timeout: float,
):
    from .sources.cloudwatch import AwsOptions

    return AwsOptions(
        region=region,
        profile=profile,
        endpoint_url=endpoint_url,
        max_attempts=max_attempts,
        retry_mode=retry_mode.value,
        timeout=timeout,
    )


def load_model(path: Path | None) -> TriageModel:
    from .model import default_model_dir, load

    return load(path or default_model_dir())


def read_while_loading(load: Callable[[], M], read: Callable[[], W]) -> tuple[M, W]:
    """The model loads on a thread while the window is read.

    Importing scikit-learn and skops and checking the model file take about as
    long as reading an hour of a busy endpoint, and the read mostly waits on the
    network. A model that cannot be loaded is the error reported, as when it is
    loaded first.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        loading = pool.submit(load)
        try:
            window = read()
        except Exception:
            loading.result()
            raise
        return loading.result(), window


# ---------------------------------------------------------------- options shared by AWS commands

RegionOpt = Annotated[
    str | None, typer.Option("--region", help="AWS region, e.g. us-east-1 (default: from your AWS config).")
]
ProfileOpt = Annotated[
    str | None, typer.Option("--profile", help="Named profile from ~/.aws/config (default: the usual boto3 chain).")
]
EndpointUrlOpt = Annotated[
    str | None, typer.Option("--endpoint-url", help="Send every AWS call here instead (a local emulator such as moto).")
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="Window length ending now (or at --end): 90s, 30m, 2h, 1d, 2h30m; or the time it starts. Default 1h.",
    ),
]
StartOpt = Annotated[
    str | None,
    typer.Option("--start", help="Window start: ISO-8601 (UTC if no zone), or how long ago (2h)."),
]
EndOpt = Annotated[str | None, typer.Option("--end", help="Window end: ISO-8601, how long ago, or now (default).")]
ModelOpt = Annotated[
    Path | None,
    typer.Option("--model", help="Model directory (manifest.json + model.skops); default: the shipped model."),
]
OutputOpt = Annotated[
    Output,
    typer.Option("--output", "-o", help="table for people, json or yaml for scripts (stdout holds only the data)."),
]


class Report(str, Enum):
    table = "table"
    json = "json"
    yaml = "yaml"
    markdown = "markdown"

    @property
    def for_scripts(self) -> bool:
        return self in (Report.json, Report.yaml)


ReportOpt = Annotated[
    Report,
    typer.Option(
        "--output",
        "-o",
        help="table for people, json or yaml for scripts (stdout holds only the data), markdown to paste into a ticket.",
    ),
]
MaxEventsOpt = Annotated[
    int,
    typer.Option("--max-events", min=1, help="Keep at most this many log events (the latest, split across streams)."),
]
AttemptsOpt = Annotated[
    int,
    typer.Option(
        "--max-attempts",
        min=1,
        max=20,
        help="Attempts per AWS call, retries included (botocore retries with exponential backoff).",
    ),
]
TimeoutOpt = Annotated[
    float,
    typer.Option(
        "--timeout",
        min=1.0,
        help="Seconds allowed for reading the whole window; past them it stops (exit 6) and says how much it read.",
    ),
]


class RetryMode(str, Enum):
    standard = "standard"
    adaptive = "adaptive"


RetryModeOpt = Annotated[
    RetryMode,
    typer.Option(
        "--retry-mode",
        help="botocore retry mode: standard, or adaptive (also slows the client down while AWS throttles).",
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]
VariantOpt = Annotated[
    str | None,
    typer.Option(
        "--variant",
        metavar="NAME",
        help="Read one production variant only (its log streams and metrics), e.g. a canary. Default: every variant.",
    ),
]
# `-o/--output` names an output format in every command; a file is `--out`. The old `--output FILE` still works.
LegacyOutOpt = Annotated[str | None, typer.Option("--output", hidden=True, show_default=False)]


def out_path(given: str | None, legacy: str | None) -> str | None:
    """The file to write, from --out or from the old `--out FILE` (with a note on the new name)."""
    from .errors import UsageError

    if legacy is None:
        return given
    if given is not None:
        raise UsageError("give --out only: --out FILE is the old name of --out FILE")
    say("note:", "--output FILE is now --out FILE (-o/--output names an output format)")
    return legacy


def _shown(text: str) -> str:
    """Untrusted text (an endpoint name from the command line or from AWS) for a markup string."""
    from rich.markup import escape

    from .render import shown

    return escape(shown(text))


def _print_json(text: str) -> None:
    """JSON for scripts, exactly as produced: no markup, no highlighting, no :emoji: codes, no wrapping."""
    out.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True)


def _print_report(report, output: Report) -> None:
    from .incident import format_time
    from .render import print_verdicts, report_markdown, verdicts_json

    if output is Report.markdown:
        _print_json(report_markdown(report).rstrip("\n"))
        return
    for note in report.notes:
        say("note:", note)
    verdicts = [v for _, v in report.findings]
    if output.for_scripts:
        _print_json(verdicts_json(verdicts, output.value))
    elif verdicts:
        print_verdicts(out.get(), verdicts, [inc for inc, _ in report.findings])
    if not verdicts:
        window = f"{format_time(report.start)} → {format_time(report.end)}"
        where = "what could be read of " if report.partial else ""
        (err if output.for_scripts else out).print(
            f"[green]no failure found[/] in {where}{window} for {_shown(report.endpoint)} ({report.events_read:,} "
            "log events read)",
            highlight=False,
        )


@app.command(short_help="Diagnose a live endpoint from CloudWatch: one verdict per failure.")
def classify(
    endpoints: Annotated[
        list[str] | None,
        typer.Argument(help="SageMaker endpoint names (or --all-failed).", metavar="ENDPOINT", show_default=False),
    ] = None,
    all_failed: Annotated[
        bool,
        typer.Option(
            "--all-failed", help="Every endpoint whose status is Failed, each read from --since before it failed."
        ),
    ] = False,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    model: ModelOpt = None,
    output: ReportOpt = Report.table,
    max_events: MaxEventsOpt = 200_000,
    max_attempts: AttemptsOpt = 8,
    retry_mode: RetryModeOpt = RetryMode.standard,
    timeout: TimeoutOpt = 180.0,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            metavar="LABELS",
            help="Exit 9 when a verdict (or an uncertain verdict's best guess) is one of these, comma-separated: "
            "resource_exhaustion, configuration_error, model_bug, or any. For CI and alert hooks.",
        ),
    ] = None,
    variant: VariantOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Diagnose live endpoints from their CloudWatch logs, metrics and status.

    Reads DescribeEndpoint, every log stream of /aws/sagemaker/Endpoints/ENDPOINT
    in the window (all instances) and the AWS/SageMaker and /aws/sagemaker/Endpoints
    metrics, splits the window into failure episodes and prints one verdict per
    episode. Credentials come from the usual boto3 chain (env, profile, SSO, role).
    With several endpoints, one that cannot be read is named and the others are
    still diagnosed.

    Examples:

    
      smtriage classify fraud-detector-prod --since 2h
      smtriage classify fraud-detector-prod --start 2026-11-02T03:00Z --end 2026-11-02T04:00Z -o json
      smtriage classify fraud-detector-prod --since 15m --fail-on any    # exit 9 on any failure
      smtriage classify --all-failed --since 2h                          # every Failed endpoint

    Exit codes: 0 done (also when no failure is found), 2 bad arguments, 3 no or
    expired credentials, 4 access denied, 5 endpoint or log group not found,
    6 AWS unavailable or throttled, 7 model refused, 9 a --fail-on verdict found.
    With several endpoints, the code of the first that could not be read.
    """
    try:
        if bool(endpoints) == all_failed:
            raise typer.BadParameter("name one or more ENDPOINTs, or pass --all-failed")
        if variant and all_failed:
            raise typer.BadParameter("--variant narrows named ENDPOINTs; it does not go with --all-failed")
        if all_failed and (start or end or (since and not is_duration(since))):
            raise typer.BadParameter(
                "--all-failed reads each endpoint around when it failed: give --since as how long before "
                "(e.g. 2h), not a start or end"
            )
        t_start, t_end = resolve_window(since, start, end)
        failing = fail_on_labels(fail_on)
    except typer.BadParameter as exc:
        fail(_usage(exc), debug)
    try:
        opts = _aws_options(region, profile, endpoint_url, max_attempts, retry_mode, timeout)
        if all_failed:
            from .export import failed_windows

            targets = failed_windows(opts, parse_duration(since or DEFAULT_SINCE))
        else:
            targets = [(name, t_start, t_end) for name in endpoints or []]
        reports, unread = _classify_each(
            targets, opts, model, max_events, alone=len(targets) == 1 and not all_failed, variant=variant
        )
    except Exception as exc:  # every known failure carries its own message and exit code
        fail(exc, debug)
    if len(targets) == 1 and not all_failed:
        _print_report(reports[0], output)
    else:
        _print_reports(reports, output, all_failed)
    for name, refusal in unread:
        say("error:", f"{name}: {refusal}", style="bold red")
    if unread:
        raise typer.Exit(unread[0][1].exit_code)
    found = sorted({v.best_guess for r in reports for _, v in r.findings} & failing)
    if found:
        from .errors import EXIT_FOUND

        say("fail-on:", f"{', '.join(found)} found; exit {EXIT_FOUND}")
        raise typer.Exit(EXIT_FOUND)


def _classify_each(
    targets: list[tuple[str, datetime, datetime]],
    opts,
    model_dir: Path | None,
    max_events: int,
    *,
    alone: bool,
    variant: str | None = None,
) -> tuple[list[EndpointReport], list[tuple[str, SmtriageError]]]:
    """A report per endpoint that could be read, and why each other one could not. The model is loaded once,
    while the first window is read; a refused model stops everything, one unreadable endpoint does not."""
    from .errors import ModelError, SmtriageError
    from .live import report as report_of
    from .sources.cloudwatch import CloudWatchSource

    triage_model: TriageModel | None = None
    reports: list[EndpointReport] = []
    unread: list[tuple[str, SmtriageError]] = []
    for name, t0, t1 in targets:
        try:
            with err.status(f"Reading CloudWatch for {_shown(name)}…") as status:
                seen = 0

                def progress(n: int, name: str = name) -> None:
                    nonlocal seen
                    seen += n
                    status.update(f"Reading CloudWatch for {_shown(name)}… {seen:,} log events")

                read = functools.partial(CloudWatchSource(opts, max_events, progress, variant).read, name, t0, t1)
                if triage_model is None:
                    loaded, window = read_while_loading(lambda: load_model(model_dir), read)
                else:
                    loaded, window = triage_model, read()
                triage_model = loaded
            reports.append(report_of(loaded, name, t0, t1, window))
        except SmtriageError as exc:
            if alone or isinstance(exc, ModelError):
                raise
            unread.append((name, exc))
    return reports, unread


def _print_reports(reports, output: Report, all_failed: bool) -> None:
    """Several endpoints: JSON is one list of every verdict, markdown one summary after another, a table per
    endpoint under its name."""
    from .render import report_markdown, verdicts_json

    if all_failed and not reports:
        err.print("no endpoint has status Failed", highlight=False)
    if output.for_scripts:
        for r in reports:
            for note in r.notes:
                say(f"{r.endpoint}:", note)
        _print_json(verdicts_json([v for r in reports for _, v in r.findings], output.value))
        return
    if output is Report.markdown:
        _print_json("\n".join(report_markdown(r) for r in reports).rstrip("\n"))
        return
    for r in reports:
        out.get().rule(_shown(r.endpoint))
        _print_report(r, output)


def fail_on_labels(text: str | None) -> set[str]:
    """The causes `--fail-on` names; `any` is every cause."""
    from .incident import LABELS

    if not text:
        return set()
    named = {w.strip() for w in text.split(",") if w.strip()}
    if "any" in named:
        return set(LABELS)
    unknown = sorted(named - set(LABELS))
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} is not a cause: give {', '.join(LABELS)} or any", param_hint="--fail-on"
        )
    return named


@app.command(short_help="Follow an endpoint: each new failure episode's verdict, once.")
def watch(
    endpoint: Annotated[str, typer.Argument(help="SageMaker endpoint name.", metavar="ENDPOINT")],
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    since: Annotated[str, typer.Option("--since", help="How far back each poll reads: 90s, 30m, 2h, 2h30m.")] = "15m",
    interval: Annotated[float, typer.Option("--interval", min=1.0, help="Seconds between polls.")] = 60.0,
    model: ModelOpt = None,
    output: Annotated[
        Output,
        typer.Option(
            "--output",
            "-o",
            help="table for people, json (one verdict per line) or yaml (one document per verdict) for scripts.",
        ),
    ] = Output.table,
    max_events: MaxEventsOpt = 200_000,
    max_attempts: AttemptsOpt = 8,
    retry_mode: RetryModeOpt = RetryMode.standard,
    timeout: TimeoutOpt = 180.0,
    debug: DebugOpt = False,
) -> None:
    """Follow a live endpoint, as `aws logs tail --follow` follows its logs.

    Every --interval seconds, reads the last --since of the endpoint (logs,
    metrics, status) and prints the verdict of each failure episode it has not
    printed before. Ctrl-C stops it. An episode longer than --since may be
    printed again once its first lines fall out of the window.

    Examples:

    \x08
      smtriage watch fraud-detector-prod
      smtriage watch fraud-detector-prod --since 30m --interval 30 -o json | jq .label

    Exit codes: 0 stopped with Ctrl-C, 2 bad arguments, 3-7 as classify (the
    first poll that fails stops it).
    """
    try:
        lookback = parse_duration(since)
    except typer.BadParameter as exc:
        fail(_usage(exc), debug)
    polls = printed = 0
    try:
        from .incident import json_text
        from .live import follow
        from .render import data_text, print_verdicts
        from .sources.cloudwatch import CloudWatchSource

        source = CloudWatchSource(
            _aws_options(region, profile, endpoint_url, max_attempts, retry_mode, timeout), max_events
        )
        err.print(f"watching {_shown(endpoint)} every {interval:g}s (the last {since} each time); Ctrl-C stops")
        for polled in follow(load_model(model), source, endpoint, lookback, interval=interval):
            polls += 1
            for note in polled.notes:
                say("note:", note)
            verdicts = [v for _, v in polled.findings]
            printed += len(verdicts)
            if output is Output.json:
                for v in verdicts:
                    _print_json(json_text(v.to_dict()))
            elif output is Output.yaml:  # a stream of YAML documents, one per verdict
                for v in verdicts:
                    _print_json("---\n" + data_text(v.to_dict(), "yaml"))
            elif verdicts:
                print_verdicts(out.get(), verdicts, [inc for inc, _ in polled.findings])
    except KeyboardInterrupt:
        err.print(f"stopped after {polls} poll(s); {printed} episode(s) printed", highlight=False)
        return
    except Exception as exc:
        fail(exc, debug)


@app.command(short_help="The whole AWS path on a local emulator: no account needed.")
def demo(
    output: OutputOpt = Output.table,
    model: ModelOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Run the whole AWS path against a local AWS emulator: no account needed.

    Starts a moto server on a free loopback port, creates SageMaker endpoints,
    their CloudWatch log groups, streams and metrics and their DescribeEndpoint
    status from the bundled sample incidents, then classifies each endpoint
    through exactly the code `smtriage classify` runs (boto3 with --endpoint-url).

    Example:

    
      smtriage demo
    """
    try:
        from .demo import run_demo

        triage_model = load_model(model)
        with err.status("Starting a local AWS emulator (moto) and seeding sample endpoints…"):
            results = run_demo(triage_model)
    except Exception as exc:
        fail(exc, debug)
    from .render import verdicts_json

    if output.for_scripts:
        verdicts = [v for r in results for _, v in r.report.findings]
        _print_json(verdicts_json(verdicts, output.value))
        return
    for r in results:
        out.rule(f"[bold]{r.report.endpoint}[/]  (sample story: {r.expected or 'healthy, no failure'})")
        _print_report(r.report, Report.table)
    right = sum(r.correct for r in results)
    out.print(
        f"\n[bold]{right} of {len(results)}[/] sample endpoints diagnosed as their story says, "
        f"through boto3 → moto at {results[0].endpoint_url if results else '?'}.",
        highlight=False,
    )


@app.command(short_help="Score incident files: streaming, parallel, resumable.")
def batch(
    inputs: Annotated[
        list[str], typer.Argument(help="Incident JSONL files (plain or .gz), or - for stdin.", metavar="FILE")
    ],
    out_file: Annotated[
        str | None, typer.Option("--out", help="Verdicts, one JSON line per incident (.gz to compress). Required.")
    ] = None,
    legacy_output: LegacyOutOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes; -1 = all cores.")] = 1,
    model: ModelOpt = None,
    errors: Annotated[
        Path | None,
        typer.Option(
            "--errors",
            help="Bad records with file, line and reason (default: beside --out, verdicts.jsonl -> verdicts.errors.jsonl).",
        ),
    ] = None,
    review: Annotated[
        Path | None,
        typer.Option(
            "--review", help="Also write the least confident incidents here, lowest first, label empty, ready to label."
        ),
    ] = None,
    review_size: Annotated[int, typer.Option("--review-size", min=1, help="How many incidents --review keeps.")] = 200,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Run on a Dask cluster: tcp://host:8786 (needs smtriage[dask]).")
    ] = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1, help="Incidents per task sent to a worker.")] = 64,
    debug: DebugOpt = False,
) -> None:
    """Score historical incidents: streaming, parallel, resumable.

    Writes one verdict per incident, in input order, each tagged with its input
    file and line. Killed half way (even kill -9)? Rerun the same command: it
    continues after the last complete line, scoring nothing twice. Bad records
    go to the errors file and never stop the batch.

    Examples:

    
      smtriage batch incidents-2026-*.jsonl.gz --out verdicts.jsonl --jobs -1
      smtriage batch incidents.jsonl --out v.jsonl --review to-label.jsonl
      smtriage batch big.jsonl.gz --out v.jsonl.gz --scheduler tcp://10.0.0.5:8786

    Exit codes: 0 all scored, 2 bad arguments or input files (a missing input,
    an output that is an input), 7 model refused, 8 some records were bad (see
    the errors file; the rest were scored).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from .errors import EXIT_BAD_INPUT

    try:
        from .batch import count_records, run_batch
        from .errors import UsageError
        from .incident import check_inputs

        chosen = out_path(out_file, legacy_output)
        if chosen is None:
            raise UsageError("say where the verdicts go: --out FILE")
        output = Path(chosen)
        check_inputs(inputs)
        triage_model = load_model(model)
        show = err.is_terminal
        total = count_records(inputs) if show else None
        columns = [
            TextColumn("scoring"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} incidents/s"),
            TimeRemainingColumn(),
        ]
        with Progress(*columns, console=err.get(), disable=not show, transient=False) as bar:
            task = bar.add_task("batch", total=total, rate="…")

            def advance(n: int) -> None:
                bar.advance(task, n)
                t = bar.tasks[0]
                if t.elapsed:
                    bar.update(task, rate=f"{t.completed / t.elapsed:,.0f}")

            summary = run_batch(
                triage_model,
                inputs,
                output,
                errors=errors,
                jobs=jobs,
                chunk_size=chunk_size,
                review=review,
                review_size=review_size,
                scheduler=scheduler,
                progress=advance,
            )
    except Exception as exc:
        fail(exc, debug)
    from .render import batch_summary

    out.print(batch_summary(summary, output))
    if summary.any_bad:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command(short_help="Save CloudWatch windows as incident records to label.")
def export(
    endpoint: Annotated[
        str | None, typer.Argument(help="SageMaker endpoint name (omit with --all-failed).", metavar="ENDPOINT")
    ] = None,
    out_file: Annotated[str | None, typer.Option("--out", help="JSONL file to write (default: - for stdout).")] = None,
    legacy_output: LegacyOutOpt = None,
    all_failed: Annotated[
        bool, typer.Option("--all-failed", help="Export every endpoint whose status is Failed, around when it failed.")
    ] = False,
    whole_window: Annotated[
        bool, typer.Option("--whole-window", help="One record for the whole window instead of one per failure episode.")
    ] = False,
    model: ModelOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    since: SinceOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    max_events: MaxEventsOpt = 200_000,
    max_attempts: AttemptsOpt = 8,
    retry_mode: RetryModeOpt = RetryMode.standard,
    timeout: TimeoutOpt = 180.0,
    variant: VariantOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Save CloudWatch windows as incident records (label empty), for labeling or sharing without AWS.

    Each failure episode becomes one record, the same unit `classify` scores, so
    `smtriage batch` on the export gives the verdicts `classify` gives.

    Examples:

    
      smtriage export fraud-detector-prod --start 2026-11-02T03:00Z --end 2026-11-02T04:00Z --out incident.jsonl
      smtriage export --all-failed --since 2h --out failed.jsonl

    Exit codes: 0 done (also when the window holds no failure), 2 bad arguments,
    3 no or expired credentials, 4 access denied, 5 endpoint or log group not
    found, 6 AWS unavailable or throttled. On an error the --out file is left as it was.
    """
    from .errors import UsageError

    try:
        if bool(endpoint) == all_failed:
            raise UsageError("name one ENDPOINT or pass --all-failed")
        if variant and all_failed:
            raise UsageError("--variant narrows a named ENDPOINT; it does not go with --all-failed")
        output = out_path(out_file, legacy_output) or "-"
        from .export import export_failed, export_window
        from .incident import incident_to_dict, replace_on_success, write_jsonl

        opts = _aws_options(region, profile, endpoint_url, max_attempts, retry_mode, timeout)
        episode_model = None if whole_window else load_model(model)  # the model finds the failure episodes
        # written beside the file and moved into place only when complete: a failed export leaves it as it was
        with replace_on_success(output) as fh:
            if endpoint:
                t_start, t_end = resolve_window(since, start, end)
                with err.status(f"Reading CloudWatch for {_shown(endpoint)}…"):
                    records, notes = export_window(
                        endpoint,
                        t_start,
                        t_end,
                        opts,
                        model=episode_model,
                        whole_window=whole_window,
                        max_events=max_events,
                        variant=variant,
                    )
                for note in notes:
                    say("note:", note)
                n = write_jsonl((incident_to_dict(r) for r in records), fh)
                err.print(
                    f"exported {n} record(s) from {_shown(endpoint)}"
                    + ("" if n else ": no failure in the window (use --whole-window to export it anyway)"),
                    highlight=False,
                )
            else:
                n = 0
                for name, records, notes in export_failed(
                    opts,
                    parse_duration(since or DEFAULT_SINCE),
                    model=episode_model,
                    whole_window=whole_window,
                    max_events=max_events,
                ):
                    for note in notes:
                        say(f"{name}:", note)
                    n += write_jsonl((incident_to_dict(r) for r in records), fh)
                err.print(f"exported {n} record(s) from failed endpoints", highlight=False)
    except typer.BadParameter as exc:
        fail(_usage(exc), debug)
    except Exception as exc:
        fail(exc, debug)


@app.command(short_help="Write labeled synthetic incidents, to train on or try commands.")
def generate(
    n: Annotated[int, typer.Argument(min=0, help="How many failure incidents.", metavar="N")],
    out_file: Annotated[Path, typer.Option("--out", help="JSONL file to write (.gz to compress, - for stdout).")],
    healthy: Annotated[int, typer.Option("--healthy", min=0, help="Also this many windows without a failure.")] = 0,
    seed: Annotated[int, typer.Option("--seed", help="The same seed writes the same incidents.")] = 0,
    stacks: Annotated[
        str | None, typer.Option("--stacks", help="Only these serving stacks, comma-separated (default: all).")
    ] = None,
    exclude_stacks: Annotated[
        str | None, typer.Option("--exclude-stacks", help="Leave these serving stacks out, comma-separated.")
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Write synthetic labeled incidents: generated CloudWatch windows and pasted snippets of every stack.

    The same generator fills the gaps of the shipped model's real-case corpus.
    A score on generated incidents is a smoke test, not evidence of how a model
    does on real endpoints: measure that on your own labeled incidents.

    Examples:

    \x08
      smtriage generate 2000 --healthy 500 --out synthetic.jsonl
      smtriage generate 300 --stacks tgi,vllm --seed 7 --out llm.jsonl.gz
      smtriage train mine.jsonl synthetic.jsonl --out models/team

    Exit codes: 0 written, 2 bad arguments (an unknown stack), or a file that cannot be written.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    try:
        from training.generate import corpus, csv_list, write_corpus

        from .errors import UsageError

        try:
            records = corpus(n, seed, healthy=healthy, stacks=csv_list(stacks), exclude_stacks=csv_list(exclude_stacks))
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        show = err.is_terminal and str(out_file) != "-"
        with Progress(
            TextColumn("generating"), BarColumn(), MofNCompleteColumn(), console=err.get(), disable=not show
        ) as bar:
            task = bar.add_task("generate", total=n + healthy)
            labels = write_corpus(out_file, records, progress=lambda k: bar.advance(task, k))
    except Exception as exc:
        fail(exc, debug)
    counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(labels.items()))
    err.print(
        f"wrote {sum(labels.values()):,} incidents to {_shown(str(out_file))} ({counts})",
        highlight=False,
        soft_wrap=True,
    )


@app.command(short_help="Train a model on your labeled incidents.")
def train(
    data: Annotated[
        list[Path],
        typer.Argument(
            help="Your labeled incident JSONL files (label: resource_exhaustion, configuration_error, model_bug or no_failure).",
            metavar="FILE",
        ),
    ],
    out_file: Annotated[
        str | None,
        typer.Option("--out", help="Directory for model.skops, manifest.json and MODEL_CARD.md. Required."),
    ] = None,
    legacy_output: LegacyOutOpt = None,
    base: Annotated[
        bool,
        typer.Option(
            "--base/--no-base",
            help="Start from the shipped model's own training set (real public cases and generated incidents); --no-base trains on DATA alone.",
        ),
    ] = True,
    own_weight: Annotated[
        float,
        typer.Option(
            "--own-weight",
            min=0.0,
            help="Weight of each of your incidents, in generated incidents (a real public case weighs 3).",
        ),
    ] = 5.0,
    valid_fraction: Annotated[
        float,
        typer.Option(
            "--valid-fraction",
            min=0.05,
            max=0.5,
            help="Share held out to score the model and choose the uncertain threshold.",
        ),
    ] = 0.2,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the held-out split.")] = 0,
    debug: DebugOpt = False,
) -> None:
    """Train a model on your labeled incidents and write it with its manifest and model card.

    Your incidents are added to the shipped model's own training set (--no-base:
    train on yours alone), weighted --own-weight each. The held-out scores are
    reported for your incidents apart from the rest.

    Examples:

    
      smtriage export my-endpoint --since 1d --out incidents.jsonl     # then fill in each "label"
      smtriage train incidents.jsonl --out models/team
      smtriage classify my-endpoint --model models/team

    Exit codes: 0 trained, 2 bad arguments or input files (missing, no labels,
    too few of an outcome), 8 bad records in your files (nothing trained).
    """
    try:
        from .errors import BadInput, UsageError
        from .incident import load_labeled
        from .model_card import render
        from .train import retrain

        chosen = out_path(out_file, legacy_output)
        if chosen is None:
            raise UsageError("say where the model goes: --out DIRECTORY")
        output = Path(chosen)

        with err.status("Reading labeled incidents…"):
            read = load_labeled(data)
        if read.bad:
            raise BadInput(
                f"{len(read.bad)} bad record(s) in your files, the first: {read.bad[0].reason}; "
                "fix or remove them (nothing was trained)"
            )
        _say_unlabeled(read.unlabeled)
        own = read.incidents
        if not own:
            raise UsageError(f'no labeled incidents in {", ".join(map(str, data))}; fill in each record\'s "label"')
        with err.status("Training…") as status:
            base_set = None
            if base:
                from training.build_default import base_training_set

                status.update("Making the shipped model's training set…")
                base_set = base_training_set()
            trained, manifest = retrain(
                own,
                output,
                base=base_set,
                own_weight=own_weight,
                seed=seed,
                valid_fraction=valid_fraction,
                progress=lambda s: status.update(s),
                card=render,
            )
    except Exception as exc:
        fail(exc, debug)
    for name, v in [("all held-out incidents", trained.validation), *trained.by_source.items()]:
        out.print(
            f"held-out score on {v.n} {name}: accuracy {v.accuracy:.1%}, macro-F1 {v.macro_f1:.3f}, ECE {v.ece:.3f}",
            highlight=False,
        )
    v = trained.validation
    out.print(
        f"uncertain below {manifest.uncertain_threshold:.2f} (coverage {v.coverage:.1%}, accuracy there "
        f"{v.accuracy_when_confident:.1%}); wrote {output}/ (model {manifest.model_version})",
        highlight=False,
    )


@app.command(short_help="Measure a model on labeled incidents.")
def evaluate(
    data: Annotated[list[Path], typer.Argument(help="Labeled incident JSONL files.", metavar="FILE")],
    model: ModelOpt = None,
    plots: Annotated[
        Path | None,
        typer.Option("--plots", help="Write confusion_matrix.png and reliability.png here (needs smtriage[plots])."),
    ] = None,
    output: OutputOpt = Output.table,
    debug: DebugOpt = False,
) -> None:
    """Measure a model on labeled incidents: accuracy, per-label precision/recall/F1, calibration.

    Reports macro-F1, the confusion matrix, expected calibration error (10 bins),
    and the coverage and accuracy of verdicts above the `uncertain` threshold.

    Examples:

    
      smtriage evaluate team-labeled.jsonl
      smtriage evaluate holdout.jsonl --model models/team --plots reports/ --output json

    Exit codes: 0 scored, 2 bad arguments or input files, 7 model refused, 8 some
    records were bad (the rest were scored).
    """
    try:
        from .errors import UsageError
        from .evaluation import score, scores_by_source
        from .incident import labels_of, load_labeled

        triage_model = load_model(model)
        read = load_labeled(data)
        for b in read.bad[:20]:
            say("skipped:", b.reason)
        _say_unlabeled(read.unlabeled)
        incidents = read.incidents
        if not incidents:
            raise UsageError(f"no labeled incidents to evaluate on in {', '.join(map(str, data))}")
        proba = triage_model.predict_proba(incidents)
        truth = labels_of(incidents)
        scores = score(truth, proba, triage_model.uncertain_threshold)
        by_source = scores_by_source(incidents, truth, proba, triage_model.uncertain_threshold)
        if plots is not None:
            from .plots import write_plots

            written = write_plots(scores, truth, proba, plots)
            err.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False)
    except Exception as exc:
        fail(exc, debug)
    if output.for_scripts:
        from .render import data_text

        by = {name: s.to_dict() for name, s in by_source.items()}
        _print_json(data_text({**scores.to_dict(), "by_source": by}, output.value))
    else:
        from .render import scores_tables, sources_table

        for table in scores_tables(scores, title=f"{triage_model.version} on {', '.join(p.name for p in data)}"):
            out.print(table)
        if len(by_source) > 1:
            out.print(sources_table(by_source))
    if read.bad:
        from .errors import EXIT_BAD_INPUT

        say("note:", f"{len(read.bad)} bad record(s) were not scored (the first 20 are listed above)")
        raise typer.Exit(EXIT_BAD_INPUT)


def _say_unlabeled(n: int) -> None:
    if n:
        err.print(f"[yellow]skipped {n} record(s) without a label[/]")


def main() -> None:
    try:
        app(prog_name="smtriage")
    except BrokenPipeError:  # the reader of stdout went away while help or a result was printed
        _quiet_stdout()
        raise SystemExit(EXIT_BROKEN_PIPE) from None


if __name__ == "__main__":
    main()
