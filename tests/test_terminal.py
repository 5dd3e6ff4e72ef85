"""Commands as a person types them: in a real pseudo-terminal, where rich draws spinners and progress bars.

CliRunner captures output and is no terminal; a command that only breaks
when stderr is a TTY (a progress bar that cannot enter its console) passes
every captured test. These run the installed `smtriage` under pexpect.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import aws_clients, seed
from training.generator import generate

pexpect = pytest.importorskip("pexpect")
ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
SMTRIAGE = shutil.which("smtriage", path=str(Path(sys.executable).parent)) or "smtriage"


def typed(
    command: list[str], timeout: float = 180, columns: int = 100, env: dict[str, str] | None = None
) -> tuple[int, str]:
    child = pexpect.spawn(
        SMTRIAGE,
        command,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=timeout,
        dimensions=(40, columns),
        env={**os.environ, "TERM": "xterm-256color", **(env or {})},
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def visible_lines(text: str) -> list[str]:
    """What stays on the screen: each line as its last carriage return left it (a spinner redraws in place)."""
    return [ANSI.sub("", line.rsplit("\r", 1)[-1]) for line in text.replace("\r\n", "\n").split("\n")]


def colours(text: str) -> list[str]:
    """The SGR colour parameters a text sends (foreground, background; not bold or dim)."""
    found = []
    for params in re.findall(r"\x1b\[([0-9;]*)m", text):
        codes = [int(c) for c in params.split(";") if c]
        found += [str(c) for c in codes if 30 <= c <= 49 or 90 <= c <= 107]
    return found


def test_help_in_a_terminal_lists_every_command_with_its_whole_summary():
    code, text = typed(["--help"])
    assert code == 0
    commands = text.split("Commands:", 1)[1].splitlines()
    listed = {line.split()[0]: line for line in commands if line.strip()}
    assert set(listed) == {"classify", "watch", "demo", "batch", "export", "generate", "train", "evaluate"}
    assert not any(line.rstrip().endswith("...") for line in listed.values()), "a summary was cut"


def test_version_in_a_terminal():
    from classifier import __version__

    code, text = typed(["--version"])
    assert code == 0 and text.strip() == f"smtriage {__version__}"


def test_usage_names_what_to_type_in_capitals():
    code, text = typed(["classify", "--help"])
    assert code == 0 and "Usage: smtriage classify [OPTIONS] [ENDPOINT]..." in text


def test_batch_in_a_terminal_draws_its_progress_and_finishes(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in generate(20, seed=4)))
    code, text = typed(["batch", str(src), "--out", str(tmp_path / "v.jsonl"), "--jobs", "2"])
    assert code == 0, text
    assert "scoring" in text and "batch summary" in text
    assert len((tmp_path / "v.jsonl").read_text().splitlines()) == 20


def test_classify_in_a_terminal_prints_the_verdict_table(moto_server_url, samples):
    seed(aws_clients(moto_server_url), samples["recsys-ranker"])
    code, text = typed(
        ["classify", "recsys-ranker", "--endpoint-url", moto_server_url, "--region", "us-east-1", "--since", "1h"]
    )
    assert code == 0, text
    assert "model bug" in text and "next step" in text


def test_a_bad_argument_in_a_terminal_is_one_line_and_exit_2():
    code, text = typed(["classify", "ep", "--since", "soon"])
    assert code == 2
    assert "is not a duration" in text and "Traceback" not in text


@pytest.mark.parametrize("columns", [80, 160])
def test_the_demo_in_a_terminal_fits_its_width(columns):
    code, text = typed(["demo"], columns=columns)
    assert code == 0, text
    assert "9 of 9 sample endpoints diagnosed as their story says" in "\n".join(visible_lines(text))
    too_wide = [line for line in visible_lines(text) if len(line) > columns]
    assert not too_wide, too_wide[:3]


def test_no_color_means_no_colour(tmp_path):
    code, text = typed(["demo"], env={"NO_COLOR": "1"})
    assert code == 0, text
    assert not colours(text), "colour codes under NO_COLOR"
    assert "9 of 9" in "\n".join(visible_lines(text))


def test_export_then_generate_then_train_then_evaluate_in_a_terminal(moto_server_url, samples, tmp_path):
    seed(aws_clients(moto_server_url), samples["recsys-ranker"])
    exported = tmp_path / "incidents.jsonl"
    aws = ["--endpoint-url", moto_server_url, "--region", "us-east-1"]
    code, text = typed(["export", "recsys-ranker", *aws, "--since", "1h", "--out", str(exported)])
    assert code == 0, text
    assert "exported 1 record(s) from recsys-ranker" in text

    labeled = tmp_path / "labeled.jsonl"
    code, text = typed(["generate", "60", "--healthy", "20", "--seed", "8", "--out", str(labeled)])
    assert code == 0, text
    assert "wrote 80 incidents to" in text and "no failure 20" in " ".join(visible_lines(text))
    code, text = typed(["train", str(labeled), "--no-base", "--out", str(tmp_path / "team")])
    assert code == 0, text
    assert "held-out score on" in text and "wrote" in text

    code, text = typed(["evaluate", str(labeled), "--model", str(tmp_path / "team")], columns=80)
    assert code == 0, text
    assert "macro-F1" in text
    assert all(len(line) <= 80 for line in visible_lines(text))


def test_generate_into_a_pipe_that_closes_early_stops_quietly(tmp_path):
    """`smtriage generate 5000 --out - | head -1`: one record, no traceback, no error line."""
    import subprocess

    shell = f"'{SMTRIAGE}' generate 5000 --out - | head -1"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=120)
    assert done.returncode == 141, done.stderr
    assert json.loads(done.stdout)["label"]
    assert done.stderr == ""


def test_generate_with_an_unknown_stack_is_one_line_and_writes_nothing(tmp_path):
    code, text = typed(["generate", "10", "--stacks", "tgi,nope", "--out", str(tmp_path / "g.jsonl")])
    assert code == 2
    shown = [line for line in visible_lines(text) if line.strip()]
    assert len(shown) == 1 and shown[0].startswith("error: unknown stack: nope"), shown
    assert not (tmp_path / "g.jsonl").exists()
