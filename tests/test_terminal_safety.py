"""Log text is untrusted: on a terminal it is shown, never obeyed; in JSON it stays exact.

A log line (or an endpoint name, a record id, a FailureReason) can carry ANSI
escape sequences that recolour, clear the screen or move the cursor, OSC 8
hyperlinks that dress a malicious URL as harmless text, carriage returns that
overwrite what came before, bidi overrides that reverse what is read, and
rich markup. Rendered to a string through a terminal-like rich console, none
of it may act; decoded from JSON output, all of it must come back unchanged.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from rich.console import Console
from typer.testing import CliRunner

import classifier.cli as cli
from classifier.cli import app
from classifier.incident import Evidence, Incident, LogEvent, MetricSeries, Verdict
from classifier.render import inert, print_verdicts, verdict_panel, verdicts_json
from tests.conftest import seed

runner = CliRunner()

CSI = "\x1b[31mINJECTED-RED\x1b[0m"
CLEAR = "\x1b[2J\x1b[HINJECTED-CLEAR"
OSC8 = "\x1b]8;;http://evil.example\x1b\\click here\x1b]8;;\x1b\\"
TITLE = "\x1b]0;INJECTED-TITLE\x07"
CR = "harmless\rINJECTED-OVERWRITE"
BIDI = "file\u202etxt.exe"
C1 = "\x9b2JINJECTED-C1"
MARKUP = "[bold red]x[/] [link=http://evil.example]y[/link]"
EMOJI = ":fire:"
SURROGATE = "lone \ud800 surrogate"
PAYLOADS = (CSI, CLEAR, OSC8, TITLE, CR, BIDI, C1, MARKUP, EMOJI, SURROGATE)
_RICH_SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours rich itself writes


def hostile_verdict() -> tuple[Verdict, Incident]:
    t = datetime(2026, 11, 2, 3, 5, tzinfo=UTC)
    evidence = [Evidence("log", p, 1.0 - k / 20, t, f"AllTraffic/{p}") for k, p in enumerate(PAYLOADS)]
    evidence.append(Evidence("metric", "MemoryUtilization peaked at 99%", 0.2, metric="MemoryUtilization"))
    incident = Incident(
        logs=[LogEvent(p, t) for p in PAYLOADS],
        metrics={"MemoryUtilization": MetricSeries((t, t + timedelta(minutes=1)), (40.0, 99.0))},
    )
    verdict = Verdict(
        id=f"ep-{OSC8}",
        label="resource_exhaustion",
        confidence=0.9,
        probabilities={"resource_exhaustion": 0.9, "configuration_error": 0.05, "model_bug": 0.05},
        evidence=evidence,
        remediation=f"do this {MARKUP} then {CSI} and {CR}",
        model_version="test",
        endpoint=f"ep{TITLE}",
        variant=BIDI,
        start=t,
        end=t,
    )
    return verdict, incident


def assert_inert(raw: str) -> str:
    """Whatever the payloads asked for did not happen; returns the visible text (rich's own colours removed)."""
    visible = _RICH_SGR.sub("", raw)
    assert "\x1b" not in visible, repr(visible[visible.index("\x1b") - 40 :][:80])
    for ch in ("\r", "\x07", "\x9b", "\u202e", "\ud800"):
        assert ch not in raw
    assert "\x1b]" not in raw and "\x1b[2J" not in raw and "\x1b[H" not in raw  # no OSC, no clear, no home
    assert "INJECTED-RED" in visible and "\x1b[31mINJECTED-RED" not in raw
    return visible


def render(*renderables) -> str:
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=200)
    for r in renderables:
        console.print(r)
    return console.file.getvalue()


def test_a_verdict_panel_shows_hostile_text_without_obeying_it():
    verdict, incident = hostile_verdict()
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=200)
    print_verdicts(console, [verdict], [incident])
    visible = assert_inert(console.file.getvalue())
    for shown in (
        r"\x1b[31mINJECTED-RED\x1b[0m",
        r"\x1b]8;;http://evil.example\x1b\click here",
        r"\x1b]0;INJECTED-TITLE\x07",
        r"harmless\x0dINJECTED-OVERWRITE",
        r"file\u202etxt.exe",
        r"\x9b2JINJECTED-C1",
        r"lone \ud800 surrogate",
    ):
        assert shown in visible
    # rich markup is text: printed literally, not styled, no link planted
    assert MARKUP in visible
    assert "\x1b[1;31mx" not in console.file.getvalue()
    assert ":fire:" in visible and "🔥" not in visible


def test_each_field_of_the_panel_is_inert_on_its_own():
    verdict, _ = hostile_verdict()
    for field in ("id", "endpoint", "variant", "remediation"):
        for payload in PAYLOADS:
            v = replace(
                verdict,
                evidence=[],
                **{field: f"{payload} INJECTED-RED"} if field != "remediation" else {field: f"{CSI} {payload}"},
            )
            raw = render(verdict_panel(v))
            visible = _RICH_SGR.sub("", raw)
            assert "\x1b" not in visible and "\r" not in raw and "\u202e" not in raw, (field, payload)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_json_and_yaml_output_keep_hostile_text_exact_and_print_safely(fmt):
    import yaml

    verdict, _ = hostile_verdict()
    text = verdicts_json([verdict], fmt)
    (decoded,) = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    assert [e["text"] for e in decoded["evidence"][: len(PAYLOADS)]] == list(PAYLOADS)
    assert [e["stream"] for e in decoded["evidence"][: len(PAYLOADS)]] == [f"AllTraffic/{p}" for p in PAYLOADS]
    assert decoded["id"] == verdict.id and decoded["endpoint"] == verdict.endpoint
    assert decoded["variant"] == BIDI and decoded["remediation"] == verdict.remediation
    # the text itself carries escapes, not the characters: safe to cat, valid UTF-8
    for ch in ("\x1b", "\r", "\x07", "\x9b", "\u202e", "\ud800"):
        assert ch not in text
    text.encode("utf-8")


def test_inert_shows_every_control_character():
    for code in [
        *range(0x00, 0x09),
        *range(0x0B, 0x20),
        *range(0x7F, 0xA0),
        0x202A,
        0x202E,
        0x2066,
        0x2069,
        0x2028,
        0x200F,
        0xD800,
        0xDFFF,
    ]:
        shown = inert(f"a{chr(code)}b")
        assert chr(code) not in shown and shown.startswith("a\\") and shown.endswith("b")
    assert inert("tab\tstays, newline\nstays") == "tab\tstays, newline\nstays"


# ---------------------------------------------------------------- through the CLI


@pytest.fixture
def terminal(monkeypatch):
    """The CLI's stdout and stderr consoles, as a terminal that writes into strings."""
    consoles = {}
    for name in ("out", "err"):
        consoles[name] = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=200)
        monkeypatch.setattr(getattr(cli, name), "_console", consoles[name])
    return consoles


def test_a_hostile_endpoint_name_in_an_error_is_shown_inert(moto_aws, terminal):
    name = f"{OSC8}{CSI}{MARKUP}{CR}{BIDI}"
    result = runner.invoke(app, ["classify", name])
    assert result.exit_code == 5
    for console in terminal.values():  # the status line shows the name too, while it reads CloudWatch
        raw = console.file.getvalue()
        assert "\x1b]8;;http" not in raw and "\x1b[31mINJECTED-RED" not in raw and "\u202e" not in raw
        assert "harmless\rINJECTED" not in raw
    err = _RICH_SGR.sub("", terminal["err"].file.getvalue())
    assert "error:" in err and "not found" in err and "[bold red]x[/]" in err


def test_a_note_carrying_log_text_is_shown_inert(terminal):
    cli.say(f"{OSC8}:", f"stream {CSI} {MARKUP} {CR}")
    visible = assert_inert(terminal["err"].file.getvalue())
    assert MARKUP in visible


def test_classify_through_aws_keeps_json_exact_and_the_table_inert(moto_aws, samples, monkeypatch):
    hostile = f"[ERROR] Worker (pid:42) was sent SIGKILL! Perhaps out of memory? {OSC8} {MARKUP} {EMOJI} {BIDI}"
    base = samples["fraud-detector-prod"]
    logs = [replace(e, message=hostile) if "SIGKILL" in e.message else e for e in base.logs]
    assert hostile in [e.message for e in logs]
    seed(moto_aws, replace(base, logs=logs))

    as_json = runner.invoke(app, ["classify", "fraud-detector-prod", "--since", "1h", "-o", "json"])
    assert as_json.exit_code == 0, as_json.output
    texts = [e["text"] for v in json.loads(as_json.stdout) for e in v["evidence"]]
    assert hostile in texts  # exactly the logged line: no emoji, no markup, no escape lost
    assert "\x1b" not in as_json.stdout and "\u202e" not in as_json.stdout

    table = Console(file=io.StringIO(), force_terminal=True, width=200)
    monkeypatch.setattr(cli.out, "_console", table)
    as_table = runner.invoke(app, ["classify", "fraud-detector-prod", "--since", "1h"])
    assert as_table.exit_code == 0, as_table.output
    visible = _RICH_SGR.sub("", table.file.getvalue())
    assert "\x1b" not in visible and "\u202e" not in visible
    assert "[bold red]x[/]" in visible and ":fire:" in visible and r"\x1b]8;;http://evil.example" in visible
