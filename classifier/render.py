"""Verdicts for people (rich tables) and for scripts (JSON).

Log text is untrusted: it reaches the terminal only as `rich.text.Text` (never
parsed as markup) after every control character is made visible (`\\x1b`), so
a log line cannot move the cursor, retitle the window or plant a link.
JSON output keeps the text exact: `json_text` escapes every control, bidi and
separator character as \\uXXXX, which a JSON reader turns back into the original.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC
from typing import TYPE_CHECKING

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from . import capacity
from .incident import (
    NO_FAILURE,
    UNCERTAIN,
    Evidence,
    Incident,
    MetricSeries,
    Verdict,
    format_time,
    json_text,
    percent,
)
from .text.clean import inert, redacted

if TYPE_CHECKING:
    from .live import EndpointReport

_BACKTICKS = re.compile(r"`+")

_BARS = "▁▂▃▄▅▆▇█"
_COLOURS = {
    "resource_exhaustion": "magenta",
    "configuration_error": "yellow",
    "model_bug": "red",
    UNCERTAIN: "cyan",
    NO_FAILURE: "green",
}


def shown(text: str) -> str:
    """Any text of outside origin as it may be printed: credentials in URLs left out, controls made visible."""
    return inert(redacted(text))


def sparkline(values: Sequence[float], top: float | None = None, width: int = 40) -> str:
    """Unicode bars; `top` fixes the scale (100% for utilization) so a flat 12% does not look full."""
    vals = [v for v in values if not math.isnan(v)]
    if not vals:
        return ""
    if len(vals) > width:  # keep peaks visible when squeezing: max per bucket
        step = len(vals) / width
        vals = [max(vals[int(i * step) : max(int((i + 1) * step), int(i * step) + 1)]) for i in range(width)]
    hi = top if top is not None else max(vals)
    lo = 0.0 if top is not None else min(0.0, min(vals))  # from zero: a flat 300 requests a minute is not nothing
    span = (hi / 2 - lo / 2) or 0.5  # halves: hi - lo of two huge values would overflow to inf

    def level(v: float) -> int:
        frac = min(1.0, max(0.0, (v / 2 - lo / 2) / span))
        return int(frac * (len(_BARS) - 1) + 0.5)

    return "".join(_BARS[level(v)] for v in vals)


def _metric_scale(name: str, series: MetricSeries, incident: Incident | None) -> float | None:
    if not name.endswith("Utilization"):
        return None
    finite = [v for v in series.values if not math.isnan(v)]
    return capacity.full_scale(name, incident.context.instance_type if incident else None, max(finite, default=0.0))


def _counts_errors(metric: str | None) -> bool:
    return any(word in (metric or "") for word in ("5XX", "4XX", "Error", "Failure"))


def label_text(verdict: Verdict) -> Text:
    name = verdict.label.replace("_", " ")
    text = Text(name, style=f"bold {_COLOURS.get(verdict.label, 'white')}")
    if verdict.label == UNCERTAIN:
        text.append(f" (best guess: {verdict.best_guess.replace('_', ' ')})", style="cyan")
    return text


def _evidence_prefix(e: Evidence, several_streams: bool) -> tuple[str, str, str]:
    """What goes before an evidence line in every rendering: when it was logged, which instance said it (when
    several did), and its kind when it is not a log line."""
    at = f"{format_time(e.timestamp)[11:19]} " if e.timestamp is not None else ""
    who = f"{inert(e.stream.rsplit('/', 1)[-1])} " if e.stream and several_streams else ""
    tag = "" if e.kind == "log" else f"[{e.kind}] "
    return at, who, tag


def hosting_text(kind: str, incident: Incident | None) -> str:
    """The hosting kind, with a serverless variant's size: what the advice asks to change."""
    ctx = incident.context if incident else None
    if kind == "serverless" and ctx and ctx.memory_size_mb:
        concurrency = f", MaxConcurrency {ctx.max_concurrency}" if ctx.max_concurrency else ""
        return f"serverless (MemorySizeInMB {ctx.memory_size_mb}{concurrency})"
    return kind


def _streams(verdict: Verdict) -> list[str]:
    return sorted({e.stream for e in verdict.evidence if e.stream})


def verdict_panel(verdict: Verdict, incident: Incident | None = None) -> Panel:
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    where = " / ".join(x for x in (verdict.endpoint, verdict.variant) if x)
    if where:
        head.add_row("endpoint", Text(inert(where)))
    if verdict.hosting:
        head.add_row("hosting", hosting_text(verdict.hosting, incident))
    if verdict.start or verdict.end:
        head.add_row("window", f"{format_time(verdict.start) or '?'} → {format_time(verdict.end) or '?'}")
    head.add_row("verdict", label_text(verdict))
    head.add_row("confidence", percent(verdict.confidence))
    probs = Text()
    for name, p in sorted(verdict.probabilities.items(), key=lambda kv: -kv[1]):
        probs.append(f"{name.replace('_', ' ')} {percent(p)}   ", style=_COLOURS.get(name, ""))
    head.add_row("probabilities", probs)

    streams = _streams(verdict)
    if len(streams) == 1:
        head.add_row("log stream", Text(inert(streams[0])))

    ev = Table(box=box.SIMPLE_HEAD, show_edge=False, expand=True, pad_edge=False)
    ev.add_column("weight", justify="right", width=6, no_wrap=True)
    ev.add_column("evidence", ratio=1, overflow="fold")
    for e in verdict.evidence:
        at, who, tag = _evidence_prefix(e, len(streams) > 1)
        line = Text.assemble((at, "dim"), (who, "cyan"), (tag, "bold blue"), inert(e.text))
        if e.kind == "metric" and incident is not None and e.metric in incident.metrics:
            series: MetricSeries = incident.metrics[e.metric]
            bars = sparkline(series.values, _metric_scale(e.metric, series, incident))
            line.append("\n" + bars, style="red" if _counts_errors(e.metric) else "green")
        ev.add_row(f"{e.weight:.2f}", line)

    advice = Text("next step: ", style="bold green")
    advice.append(inert(verdict.remediation))
    title = Text(inert(verdict.id or "incident"), style="bold")
    return Panel(
        Group(head, ev, advice), title=title, title_align="left", border_style=_COLOURS.get(verdict.label, "white")
    )


def _same_story(v: Verdict) -> tuple:
    """What makes two episodes the same to a reader: the verdict, the advice, and the lines behind them."""
    lines = tuple(e.text for e in v.evidence if e.kind != "metric")
    return v.label, v.best_guess, v.remediation, lines


def print_verdicts(
    console: Console, verdicts: Sequence[Verdict], incidents: Sequence[Incident | None] | None = None
) -> None:
    """One panel per episode; episodes that tell the same story are one panel that says how often and when."""
    groups: dict[tuple, list[int]] = {}
    for i, v in enumerate(verdicts):
        groups.setdefault(_same_story(v), []).append(i)
    for members in groups.values():
        first = verdicts[members[0]]
        panel = verdict_panel(first, incidents[members[0]] if incidents else None)
        if len(members) > 1:
            starts = [f"{start.astimezone(UTC):%H:%M}" for i in members if (start := verdicts[i].start) is not None]
            when = f": {', '.join(starts[:6])}{' …' if len(starts) > 6 else ''}" if starts else ""
            panel.subtitle = Text(f"the same episode {len(members)} times{when}", style="bold")
            panel.subtitle_align = "left"
        console.print(panel)


def data_text(obj: object, fmt: str = "json") -> str:
    """Data for scripts, as JSON or YAML. Both escape what a terminal would obey (YAML spells every non-ASCII
    character as an escape, since PyYAML would pass bidi controls through), and both read back exactly."""
    if fmt == "yaml":
        import yaml

        return yaml.safe_dump(obj, sort_keys=False, allow_unicode=False, width=100).rstrip("\n")
    return json_text(obj, indent=2)


def verdicts_json(verdicts: Sequence[Verdict], fmt: str = "json") -> str:
    """The verdict records, the same as `batch` writes: a list, empty when no failure was found."""
    return data_text([v.to_dict() for v in verdicts], fmt)


def batch_summary(summary, output) -> Table:
    """Counts per label, mean confidence, uncertain and bad records, for the end of a batch."""
    table = Table(title="batch summary", box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("")
    table.add_column("incidents", justify="right")
    for label, n in sorted(summary.labels.items(), key=lambda kv: -kv[1]):
        table.add_row(Text(label.replace("_", " "), style=_COLOURS.get(label, "")), f"{n:,}")
    table.add_section()
    table.add_row("scored now", f"{summary.scored:,}")
    table.add_row("mean confidence", f"{summary.mean_confidence:.1%}" if summary.scored else "-")
    table.add_row("uncertain", f"{summary.labels.get(UNCERTAIN, 0):,}")
    table.add_row(Text("bad records", style="red" if summary.bad else ""), f"{summary.bad:,}")
    if summary.bad_before:
        table.add_row(Text("bad records listed before the resume", style="red"), f"{summary.bad_before:,}")
    if summary.unlisted:
        table.add_row(Text("bad records not listed (over the errors file's cap)", style="red"), f"{summary.unlisted:,}")
    if summary.skipped:
        table.add_row("already done before resume", f"{summary.skipped:,}")
    table.caption = Text(
        inert(f"verdicts: {output}" + (f" · bad records: {summary.errors_path}" if summary.any_bad else ""))
    )
    return table


def sources_table(by_source: dict) -> Table:
    """The same scores for each source of incidents: the team's own apart from real public and generated ones."""
    table = Table(title="by source of the incidents", box=box.SIMPLE_HEAD, title_justify="left")
    for col in ("source", "incidents", "accuracy", "macro-F1", "ECE"):
        table.add_column(col, justify="left" if col == "source" else "right")
    for name, s in by_source.items():
        table.add_row(name, f"{s.n:,}", f"{s.accuracy:.1%}", f"{s.macro_f1:.3f}", f"{s.ece:.3f}")
    return table


def scores_tables(scores, title: str) -> list[Table]:
    """The evaluation report: headline numbers, per-label scores, confusion matrix."""
    from .incident import OUTCOMES

    head = Table(title=Text(shown(title)), box=box.SIMPLE_HEAD, title_justify="left")
    head.add_column("metric")
    head.add_column("value", justify="right")
    for name, value in (
        ("incidents", f"{scores.n:,}"),
        ("accuracy", f"{scores.accuracy:.1%}"),
        ("macro-F1", f"{scores.macro_f1:.3f}"),
        ("ECE (10 bins)", f"{scores.ece:.3f}"),
        ("uncertain threshold", f"{scores.threshold:.2f}"),
        ("coverage (not uncertain)", f"{scores.coverage:.1%}"),
        ("accuracy when not uncertain", f"{scores.accuracy_when_confident:.1%}"),
    ):
        head.add_row(name, value)
    per = Table(box=box.SIMPLE_HEAD)
    for col in ("label", "precision", "recall", "F1", "support"):
        per.add_column(col, justify="left" if col == "label" else "right")
    for label in OUTCOMES:
        p = scores.per_label[label]
        per.add_row(label, f"{p['precision']:.3f}", f"{p['recall']:.3f}", f"{p['f1']:.3f}", str(p["support"]))
    conf = Table(title="confusion (rows: true, columns: predicted)", box=box.SIMPLE_HEAD, title_justify="left")
    conf.add_column("")
    for label in OUTCOMES:
        conf.add_column(label.replace("_", " "), justify="right")
    for label, row in zip(OUTCOMES, scores.confusion):
        conf.add_row(label.replace("_", " "), *(str(v) for v in row))
    return [head, per, conf]


def _fenced(lines: Sequence[str]) -> list[str]:
    """A code block no line of log text can close early: the fence is longer than any run of backticks in it."""
    longest = max((len(run) for line in lines for run in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *lines, fence]


def report_markdown(report: EndpointReport) -> str:
    """An incident summary to paste into a ticket: the window, each verdict, its evidence and the next step."""
    window = f"{format_time(report.start)} → {format_time(report.end)}"
    out = [f"## smtriage: {inert(report.endpoint)}", "", f"Window {window}, {report.events_read:,} log events read."]
    out += [f"- note: {inert(n)}" for n in report.notes]
    if not report.findings:
        out += ["", "**No failure found**" + (" in what could be read." if report.partial else ".")]
    for k, (_, v) in enumerate(report.findings, 1):
        when = f"{format_time(v.start)} → {format_time(v.end)}" if v.start and v.end else ""
        guess = f" (best guess: {v.best_guess.replace('_', ' ')})" if v.label == UNCERTAIN else ""
        out += [
            "",
            f"### {k}. {v.label.replace('_', ' ')}{guess}, confidence {percent(v.confidence)}",
            "",
            f"{inert(v.variant or '')} {when}".strip(),
            "",
            f"**Next step:** {inert(v.remediation)}",
            "",
            "Evidence, strongest first:",
            "",
        ]
        several = len(_streams(v)) > 1
        out += _fenced(["".join(_evidence_prefix(e, several)) + inert(e.text) for e in v.evidence])
        out += ["", f"Model {inert(v.model_version)}."]
    return "\n".join(out) + "\n"
