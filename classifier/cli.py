"""`smtriage`: parse arguments, call plain functions, print.

Only typer and rich load at start-up; scikit-learn, numpy and boto3 load
inside the command that needs them, so `smtriage --help` is instant.
Everything printed for scripts goes to stdout; progress and messages go to
stderr, so `--output json` can be piped.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    name="smtriage",
    help=(
        "Tell why an Amazon SageMaker endpoint failed: [bold]resource exhaustion[/], [bold]configuration error[/] "
        "or [bold]model bug[/], with a calibrated confidence, the evidence and what to do next.\n\n"
        "Try it without an AWS account:  [cyan]smtriage demo[/]\n\n"
        "On a live endpoint:  [cyan]smtriage classify my-endpoint --since 2h[/]"
    ),
    rich_markup_mode="rich",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

out = Console(soft_wrap=False)
err = Console(stderr=True)


class Output(str, Enum):
    table = "table"
    json = "json"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    m = _DURATION.match(text.lower())
    if not m:
        raise typer.BadParameter(f"{text!r} is not a duration like 90s, 30m, 2h or 1d")
    return timedelta(**{_UNITS[m.group(2)]: float(m.group(1))})


def parse_when(text: str, option: str) -> datetime:
    try:
        t = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO-8601 time such as 2026-11-02T03:00Z", param_hint=option) from None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def resolve_window(since: str, start: str | None, end: str | None) -> tuple[datetime, datetime]:
    now = datetime.now(timezone.utc)
    t_end = parse_when(end, "--end") if end else now
    if start:
        t_start = parse_when(start, "--start")
    else:
        t_start = t_end - parse_duration(since)
    if t_start >= t_end:
        raise typer.BadParameter(f"the window starts ({t_start:%Y-%m-%dT%H:%MZ}) after it ends ({t_end:%Y-%m-%dT%H:%MZ})")
    return t_start, t_end


def fail(exc: BaseException, debug: bool) -> NoReturn:
    """One line for the user; the traceback only when asked for."""
    from .errors import EXIT_UNEXPECTED

    if debug:
        err.print_exception()
    code = getattr(exc, "exit_code", EXIT_UNEXPECTED)
    message = str(exc) if code != EXIT_UNEXPECTED or str(exc) else type(exc).__name__
    from .render import inert

    err.print(f"[bold red]error:[/] {inert(message)}", highlight=False, markup=True)
    raise typer.Exit(code)


def load_model(path: Path | None):
    from .model import default_model_dir, load

    return load(path or default_model_dir())


# ---------------------------------------------------------------- options shared by AWS commands

RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS region, e.g. us-east-1 (default: from your AWS config).")]
ProfileOpt = Annotated[str | None, typer.Option("--profile", help="Named profile from ~/.aws/config (default: the usual boto3 chain).")]
EndpointUrlOpt = Annotated[str | None, typer.Option("--endpoint-url", help="Send every AWS call here instead (a local emulator such as moto).")]
SinceOpt = Annotated[str, typer.Option("--since", help="Window length ending now (or at --end): 90s, 30m, 2h, 1d.")]
StartOpt = Annotated[str | None, typer.Option("--start", help="Window start, ISO-8601 (UTC if no zone).")]
EndOpt = Annotated[str | None, typer.Option("--end", help="Window end, ISO-8601 (default: now).")]
ModelOpt = Annotated[Path | None, typer.Option("--model", help="Model directory (manifest.json + model.skops); default: the shipped model.")]
OutputOpt = Annotated[Output, typer.Option("--output", "-o", help="table for people, json for scripts (stdout holds only JSON).")]
MaxEventsOpt = Annotated[int, typer.Option("--max-events", min=1, help="Keep at most this many log events (the latest, split across streams).")]
AttemptsOpt = Annotated[int, typer.Option("--max-attempts", min=1, max=20, help="Attempts per AWS call, retries included (botocore standard retry mode).")]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]


def _print_report(report, output: Output) -> None:
    from .incident import format_time
    from .render import print_verdicts, verdicts_json

    for note in report.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False)
    verdicts = [v for _, v in report.findings]
    if output is Output.json:
        out.print(verdicts_json(verdicts), markup=False, highlight=False, soft_wrap=True)
    elif verdicts:
        print_verdicts(out, verdicts, [inc for inc, _ in report.findings])
    if not verdicts:
        window = f"{format_time(report.start)} → {format_time(report.end)}"
        (err if output is Output.json else out).print(
            f"[green]no failure found[/] in {window} for {report.endpoint} ({report.events_read:,} log events read)",
            highlight=False)


@app.command()
def classify(
    endpoint: Annotated[str, typer.Argument(help="SageMaker endpoint name.")],
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    endpoint_url: EndpointUrlOpt = None,
    since: SinceOpt = "1h",
    start: StartOpt = None,
    end: EndOpt = None,
    model: ModelOpt = None,
    output: OutputOpt = Output.table,
    max_events: MaxEventsOpt = 200_000,
    max_attempts: AttemptsOpt = 8,
    debug: DebugOpt = False,
) -> None:
    """Diagnose a live endpoint from its CloudWatch logs, metrics and status.

    Reads DescribeEndpoint, every log stream of /aws/sagemaker/Endpoints/ENDPOINT
    in the window (all instances) and the AWS/SageMaker and /aws/sagemaker/Endpoints
    metrics, splits the window into failure episodes and prints one verdict per
    episode. Credentials come from the usual boto3 chain (env, profile, SSO, role).

    Examples:

      smtriage classify fraud-detector-prod --since 2h

      smtriage classify fraud-detector-prod --start 2026-11-02T03:00Z --end 2026-11-02T04:00Z -o json

    Exit codes: 0 done (also when no failure is found), 2 bad arguments, 3 no or
    expired credentials, 4 access denied, 5 endpoint or log group not found,
    6 AWS unavailable or throttled, 7 model refused.
    """
    try:
        t_start, t_end = resolve_window(since, start, end)
    except typer.BadParameter as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    try:
        from .live import classify_endpoint
        from .sources.cloudwatch import AwsOptions

        triage_model = load_model(model)
        opts = AwsOptions(region=region, profile=profile, endpoint_url=endpoint_url, max_attempts=max_attempts)
        with err.status(f"Reading CloudWatch for {endpoint}…") as status:
            seen = 0

            def progress(n: int) -> None:
                nonlocal seen
                seen += n
                status.update(f"Reading CloudWatch for {endpoint}… {seen:,} log events")

            report = classify_endpoint(triage_model, endpoint, t_start, t_end, opts, max_events=max_events,
                                       progress=progress)
    except Exception as exc:  # every known failure carries its own message and exit code
        fail(exc, debug)
    _print_report(report, output)


@app.command()
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

    if output is Output.json:
        verdicts = [v for r in results for _, v in r.report.findings]
        out.print(verdicts_json(verdicts), markup=False, highlight=False, soft_wrap=True)
        return
    for r in results:
        out.rule(f"[bold]{r.report.endpoint}[/]  (sample story: {r.expected or 'healthy, no failure'})")
        _print_report(r.report, output)
    right = sum(r.correct for r in results)
    out.print(f"\n[bold]{right} of {len(results)}[/] sample endpoints diagnosed as their story says, "
              f"through boto3 → moto at {results[0].endpoint_url if results else '?'}.", highlight=False)


def main() -> None:
    app(prog_name="smtriage")


if __name__ == "__main__":
    main()
