"""Commands as a person types them: in a real pseudo-terminal, where rich draws spinners and progress bars.

CliRunner captures output and is no terminal; a command that only breaks
when stderr is a TTY (a progress bar that cannot enter its console) passes
every captured test. These run the installed `smtriage` under pexpect.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import aws_clients, seed
from training.generator import generate

pexpect = pytest.importorskip("pexpect")
ROOT = Path(__file__).resolve().parent.parent
SMTRIAGE = shutil.which("smtriage", path=str(Path(sys.executable).parent)) or "smtriage"


def typed(command: list[str], timeout: float = 180) -> tuple[int, str]:
    child = pexpect.spawn(
        SMTRIAGE,
        command,
        cwd=str(ROOT),
        encoding="utf-8",
        timeout=timeout,
        dimensions=(40, 100),
        env={**__import__("os").environ, "TERM": "xterm-256color"},
    )
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus, child.before


def test_help_in_a_terminal_lists_every_command_with_its_whole_summary():
    code, text = typed(["--help"])
    assert code == 0
    commands = text.split("Commands:", 1)[1].splitlines()
    listed = {line.split()[0]: line for line in commands if line.strip()}
    assert set(listed) == {"classify", "demo", "batch", "export", "train", "evaluate"}
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
    code, text = typed(["batch", str(src), "--output", str(tmp_path / "v.jsonl"), "--jobs", "2"])
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
